package io.deezwatts.testing.bigquery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for BigQuery's REST API: a WireMock server that answers {@code
 * tabledata.insertAll} with the JSON bodies BigQuery really sends (fixtures under {@code
 * src/main/resources/bigquery/}), and, for the tables given a schema ({@link #table}), {@code
 * tables.get} and {@code tabledata.list} from the rows it stored ({@link TableReads}); other tables
 * are not found (404), as before terraform ran. BigQuery has no local emulator here, so this is how
 * the sink's REST contract is tested over real HTTP.
 *
 * <p>Besides WireMock's own stubs and journal it records, as each request arrives, which table it
 * was for, its insert ids and whether it carried credentials, and which rows BigQuery would have
 * stored (a 200 without {@code insertErrors} stores every row of the request; with {@code
 * skipInvalidRows=false} any error stores none). It can also refuse the rows a predicate picks as
 * {@code invalid} (as a table lacking a column does), fail every call from the Nth on, or the Nth
 * call only, and hold calls on arrival until several are under way at once, to show how many
 * requests a sink has in flight.
 */
public final class BigQueryStandIn implements AutoCloseable {
  public static final String PROJECT = "proj";
  public static final String DATASET = "ds";

  /** The variable that points core's sink here (its {@code BigQuerySink.ENDPOINT_VARIABLE}). */
  public static final String ENDPOINT_VARIABLE = "DEEZWATTS_BIGQUERY_ENDPOINT";

  private static final String PATH = "/bigquery/v2/projects/" + PROJECT + "/datasets/" + DATASET;
  private static final Pattern TABLE = Pattern.compile("/tables/([^/]+)/insertAll");
  private static final Pattern READ = Pattern.compile(PATH + "/tables/([^/?]+)(/data)?");
  private static final String READS = "reads from what was stored";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One {@code insertAll} call as it arrived.
   *
   * @param number its order among all calls since the last {@link #reset()}, from 1
   * @param table the table in the URL
   * @param insertIds the rows' insert ids, in request order
   * @param rawBody the request body (uncompressed)
   * @param authorization the Authorization header, or null
   * @param status the HTTP status the stand-in answered
   */
  public record Call(
      int number,
      String table,
      List<String> insertIds,
      byte[] rawBody,
      String authorization,
      int status) {

    /** The request body's length in bytes (uncompressed). */
    public int bodyBytes() {
      return rawBody.length;
    }

    /** The whole request body. */
    public JsonNode body() {
      try {
        return JSON.readTree(rawBody);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The {@code json} object of the row with this insert id. */
    public JsonNode row(String insertId) {
      for (JsonNode r : body().path("rows")) {
        if (r.path("insertId").asText().equals(insertId)) {
          return r.path("json");
        }
      }
      throw new AssertionError("no row " + insertId + " in call " + number);
    }
  }

  /** What the stand-in answers: a status, a body (a fixture's text) and an optional delay. */
  public record Reply(int status, String body, int delayMillis) {
    public static Reply ok() {
      return fixture(200, "insert-ok.json");
    }

    public static Reply fixture(int status, String name) {
      return new Reply(status, BigQueryStandIn.fixture(name), 0);
    }

    public Reply delayed(int millis) {
      return new Reply(status, body, millis);
    }

    ResponseDefinitionBuilder toResponse() {
      ResponseDefinitionBuilder b =
          aResponse()
              .withStatus(status)
              .withHeader("Content-Type", "application/json; charset=UTF-8")
              .withBody(body);
      return delayMillis > 0 ? b.withFixedDelay(delayMillis) : b;
    }
  }

  private final Recorder recorder = new Recorder();
  private final WireMockServer server;

  /** A stand-in that also keeps WireMock's request journal, for {@code verify}. */
  public BigQueryStandIn() {
    this(true);
  }

  /**
   * @param journal whether WireMock keeps its request journal; without it, many large requests go
   *     faster and {@link #calls()} still records them
   */
  public BigQueryStandIn(boolean journal) {
    var config = options().bindAddress("127.0.0.1").dynamicPort().extensions(recorder);
    server = new WireMockServer(journal ? config : config.disableRequestJournal());
    server.start();
    reset();
  }

  /** The environment that points a sink here, with no credentials configured. */
  public Map<String, String> environment() {
    return Map.of(ENDPOINT_VARIABLE, "http://127.0.0.1:" + server.port());
  }

  public WireMockServer server() {
    return server;
  }

  /**
   * Forgets all calls, stubs, refusals and schemas; every table then answers {@code insertAll} with
   * 200 without errors and is not found by reads.
   */
  public void reset() {
    server.resetAll();
    recorder.clear();
    server.stubFor(
        post(urlPathMatching(PATH + "/tables/[^/]+/insertAll"))
            .atPriority(10)
            .willReturn(Reply.ok().toResponse()));
    // Answered by the recorder from the schemas and the rows stored, unless a test stubs reads.
    server.stubFor(
        get(urlPathMatching(READ.pattern()))
            .atPriority(10)
            .withName(READS)
            .willReturn(aResponse().withStatus(404)));
  }

  /**
   * Gives a table a schema, so that {@code tables.get} and {@code tabledata.list} serve it: the
   * rows stored in it so far, their values as sent ({@code TIMESTAMP}s as RFC 3339 text or
   * seconds), in arrival order. RECORD columns are listed as null (the tables read back have none).
   */
  public void table(String table, List<TableReads.Field> fields) {
    recorder.schemas.put(table, List.copyOf(fields));
  }

  /**
   * Refuses the rows (their {@code json} objects) a predicate picks, in every table, with an {@code
   * invalid} insert error at {@code location}, as a table lacking that column does; with {@code
   * skipInvalidRows=false} the other rows of the request are {@code stopped} and nothing is stored.
   * {@code row -> false} refuses none again.
   */
  public void refuseRows(Predicate<JsonNode> rows, String location) {
    recorder.refuse = new InsertAllRefusal(rows, location);
  }

  /**
   * Makes a table answer with these replies in turn, the last one for every later call.
   *
   * @param table the table name
   */
  public void respond(String table, Reply... replies) {
    String scenario = "insertAll " + table;
    String state = Scenario.STARTED;
    for (int i = 0; i < replies.length; i++) {
      ScenarioMappingBuilder m =
          post(urlPathEqualTo(PATH + "/tables/" + table + "/insertAll"))
              .atPriority(1)
              .inScenario(scenario)
              .whenScenarioStateIs(state)
              .willReturn(replies[i].toResponse());
      if (i < replies.length - 1) {
        state = "call " + (i + 2);
        m = m.willSetStateTo(state);
      }
      server.stubFor(m);
    }
  }

  /** From the Nth call on (counting every table), every call gets this reply instead. */
  public void failFromCall(int n, Reply reply) {
    recorder.failFrom = n;
    recorder.failure = reply.toResponse().build();
  }

  /** The Nth call (counting every table) only gets this reply instead; it is never held. */
  public void failCall(int n, Reply reply) {
    failCall(n, reply, false);
  }

  /**
   * The Nth call (counting every table) only gets this reply instead.
   *
   * @param held whether {@link #holdUntilHeld} holds it like any other call
   */
  public void failCall(int n, Reply reply, boolean held) {
    recorder.failOnly = n;
    recorder.failOnlyReply = reply.toResponse().build();
    recorder.failOnlyHeld = held;
  }

  /**
   * Waits until {@code count} calls are held at once.
   *
   * @throws AssertionError when that does not happen within {@code timeout}
   */
  public void awaitHeld(int count, Duration timeout) throws InterruptedException {
    recorder.awaitHeld(count, timeout);
  }

  /**
   * Holds each call on arrival, before it is answered, until {@code count} calls are held at once
   * (then all of those go on) or {@code timeout} has passed. A sink with fewer requests in flight
   * than {@code count} is thus slowed by {@code timeout} per call, never failed.
   */
  public void holdUntilHeld(int count, Duration timeout) {
    recorder.hold(count, timeout);
  }

  /** The most calls held at once since the last reset: requests the sink had in flight together. */
  public int mostHeldAtOnce() {
    return recorder.mostHeld();
  }

  /** How many times {@link #holdUntilHeld} saw its count reached, rather than time out. */
  public int holdsFilled() {
    return recorder.filled();
  }

  /** Calls held right now. */
  public int heldNow() {
    return recorder.heldNow();
  }

  /** Every call since the last reset, in arrival order. */
  public List<Call> calls() {
    return List.copyOf(recorder.calls);
  }

  /** The calls for one table, in arrival order. */
  public List<Call> calls(String table) {
    return recorder.calls.stream().filter(c -> c.table().equals(table)).toList();
  }

  /** The insert ids of every row BigQuery would have stored in a table, duplicates included. */
  public List<String> stored(String table) {
    List<String> out = new ArrayList<>();
    for (Stored row : recorder.stored) {
      if (row.table().equals(table)) {
        out.add(row.insertId());
      }
    }
    return out;
  }

  /** The {@code json} objects of every row stored in a table, duplicates included. */
  public List<JsonNode> storedRows(String table) {
    List<JsonNode> out = new ArrayList<>();
    for (Stored row : recorder.stored) {
      if (row.table().equals(table)) {
        out.add(row.json());
      }
    }
    return out;
  }

  /** {@code tabledata.list} calls answered since the last reset. */
  public int lists() {
    return recorder.lists.get();
  }

  /** A row stored: the call that stored it and its index there (read when asked for). */
  private record Stored(String table, String insertId, Call call, int index) {
    JsonNode json() {
      return call.body().path("rows").path(index).path("json");
    }
  }

  /** Fixture text from {@code src/main/resources/bigquery/}. */
  public static String fixture(String name) {
    try (InputStream in = BigQueryStandIn.class.getResourceAsStream("/bigquery/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Records each call as it arrives and applies {@link #failFromCall}. */
  private static final class Recorder implements ResponseDefinitionTransformerV2 {
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final List<Stored> stored = new CopyOnWriteArrayList<>();
    final Map<String, List<TableReads.Field>> schemas = new ConcurrentHashMap<>();
    final AtomicInteger lists = new AtomicInteger();
    volatile InsertAllRefusal refuse;
    final AtomicInteger count = new AtomicInteger();
    volatile int failFrom;
    volatile ResponseDefinition failure;
    volatile int failOnly;
    volatile ResponseDefinition failOnlyReply;
    volatile boolean failOnlyHeld;

    // Guarded by this.
    private int holdCount;
    private long holdNanos;
    private int held;
    private int mostHeld;
    private int filled;
    private long generation;

    void clear() {
      calls.clear();
      stored.clear();
      schemas.clear();
      lists.set(0);
      refuse = null;
      count.set(0);
      failFrom = 0;
      failure = null;
      failOnly = 0;
      failOnlyReply = null;
      failOnlyHeld = false;
      synchronized (this) {
        holdCount = 0;
        mostHeld = 0;
        filled = 0;
        generation++;
        notifyAll();
      }
    }

    synchronized void hold(int count, Duration timeout) {
      holdCount = count;
      holdNanos = timeout.toNanos();
    }

    synchronized int mostHeld() {
      return mostHeld;
    }

    synchronized int filled() {
      return filled;
    }

    synchronized int heldNow() {
      return held;
    }

    synchronized void awaitHeld(int count, Duration timeout) throws InterruptedException {
      long end = System.nanoTime() + timeout.toNanos();
      while (held < count) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(held + " call(s) held, not " + count);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /** Waits until holdCount calls are held together, or the hold times out. */
    private synchronized void holdCall() {
      if (holdCount <= 0) {
        return;
      }
      held++;
      mostHeld = Math.max(mostHeld, held);
      notifyAll();
      try {
        if (held >= holdCount) {
          filled++;
          generation++;
          notifyAll();
          return;
        }
        long mine = generation;
        long end = System.nanoTime() + holdNanos;
        long left = holdNanos;
        while (generation == mine && left > 0) {
          TimeUnit.NANOSECONDS.timedWait(this, left);
          left = end - System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        held--;
      }
    }

    @Override
    public String getName() {
      return "bigquery-stand-in";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      LoggedRequest request = event.getRequest();
      ResponseDefinition response = event.getResponseDefinition();
      Matcher read = READ.matcher(request.getUrl().split("\\?", 2)[0]);
      if (event.getStubMapping() != null
          && READS.equals(event.getStubMapping().getName())
          && read.matches()) {
        return read(read.group(1), read.group(2) != null, request.getUrl());
      }
      Matcher m = TABLE.matcher(request.getUrl());
      if (!m.find()) {
        return response;
      }
      int number = count.incrementAndGet();
      if (failFrom > 0 && number >= failFrom) {
        response = failure;
      }
      boolean failedOnly = failOnly > 0 && number == failOnly;
      if (failedOnly) {
        response = failOnlyReply;
      }
      byte[] raw = request.getBody();
      List<String> ids = insertIds(raw);
      String table = m.group(1);
      Set<Integer> refused = Set.of();
      InsertAllRefusal refusal = refuse;
      JsonNode body = refusal == null ? null : readTree(raw);
      if (refusal != null && !failedOnly && response.getStatus() == 200) {
        refused = refusal.refused(body);
        if (!refused.isEmpty()) {
          response = json(200, refusal.insertErrors(body, refused));
        }
      }
      Call call =
          new Call(
              number, table, ids, raw, request.getHeader("Authorization"), response.getStatus());
      calls.add(call);
      String text = response.getBody();
      if (response.getStatus() == 200 && (text == null || !text.contains("insertErrors"))) {
        for (int i = 0; i < ids.size(); i++) {
          stored.add(new Stored(table, ids.get(i), call, i));
        }
      } else if (!refused.isEmpty() && InsertAllRefusal.skipsInvalidRows(body)) {
        for (int i = 0; i < ids.size(); i++) {
          if (!refused.contains(i)) {
            stored.add(new Stored(table, ids.get(i), call, i));
          }
        }
      }
      if (!failedOnly || failOnlyHeld) {
        holdCall();
      }
      return response;
    }

    /** Answers {@code tables.get} or {@code tabledata.list} from a table's schema and rows. */
    private ResponseDefinition read(String table, boolean data, String url) {
      List<TableReads.Field> fields = schemas.get(table);
      if (fields == null) {
        String message = "Not found: Table " + PROJECT + ":" + DATASET + "." + table;
        return json(404, TableReads.error(404, message, "notFound"));
      }
      List<List<String>> rows = new ArrayList<>();
      for (Stored s : stored) {
        if (s.table().equals(table)) {
          rows.add(TableReads.cells(fields, s.json()));
        }
      }
      if (!data) {
        return json(200, TableReads.tablesGet(fields, rows.size()));
      }
      lists.incrementAndGet();
      int q = url.indexOf('?');
      return json(
          200,
          TableReads.tabledataList(
              fields, rows, TableReads.query(q < 0 ? null : url.substring(q + 1))));
    }

    private static JsonNode readTree(byte[] body) {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static ResponseDefinition json(int status, ObjectNode body) {
      try {
        return aResponse()
            .withStatus(status)
            .withHeader("Content-Type", "application/json; charset=UTF-8")
            .withBody(JSON.writeValueAsString(body))
            .build();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The {@code rows[].insertId} of a request body, read without building the rows. */
    private static List<String> insertIds(byte[] body) {
      List<String> ids = new ArrayList<>();
      try (JsonParser p = JSON.getFactory().createParser(body)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          throw new IllegalArgumentException("request body is not a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (field.equals("rows") && value == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                if (key.equals("insertId")) {
                  ids.add(p.getText());
                } else {
                  p.skipChildren();
                }
              }
            }
          } else {
            p.skipChildren();
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return List.copyOf(ids);
    }
  }
}
