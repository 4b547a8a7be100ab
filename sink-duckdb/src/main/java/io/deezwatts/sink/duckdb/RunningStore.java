package io.deezwatts.sink.duckdb;

import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.QuarantineStore.OpenCount;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A deezwatts process that holds a DuckDB file and answers read-only queries and requeues on it:
 * what {@code deezwatts sql} and {@code deezwatts requeue} use while {@code serve}, the bridge or
 * {@code ingest} runs.
 */
public final class RunningStore {
  private final Path database;
  private final int port;
  private final String token;

  private RunningStore(Path database, int port, String token) {
    this.database = database;
    this.port = port;
    this.token = token;
  }

  /** The answer to one query: the printed table, or the error. */
  public record Answer(boolean ok, String text) {}

  /**
   * The process serving queries on {@code database}, if its endpoint file is there.
   *
   * @throws IOException when the endpoint file exists but cannot be read
   */
  public static Optional<RunningStore> find(Path database) throws IOException {
    Path file = LocalFiles.endpointOf(database.toAbsolutePath().normalize());
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new RunningStore(
              database, Integer.parseInt(p.getProperty("port")), p.getProperty("token")));
    } catch (NumberFormatException | NullPointerException e) {
      return Optional.empty(); // half-written or foreign: treat as absent
    }
  }

  static void write(Path endpoint, int port, String token, long pid) throws IOException {
    QueryServer.writePrivate(
        endpoint,
        "# deezwatts: the process "
            + pid
            + " answers 'deezwatts sql' for this file; removed when it stops\n"
            + "pid="
            + pid
            + "\nport="
            + port
            + "\ntoken="
            + token
            + "\n");
  }

  /** Told what a requeue in the holding process does, as it goes. */
  public interface RequeueProgress {
    /** The open entries the run will look at, before the first page (when known). */
    void total(OpenCount count);

    /** After each page: entries looked at and rows stored (or that would be) so far. */
    void page(long entries, long rowsStored);
  }

  /**
   * What a requeue in the holding process did.
   *
   * @param sink the sink as the holder describes it
   * @param failure what made storing stop, as the holder saw it; null when the run completed
   */
  public record RequeueAnswer(String sink, RequeueReport report, SinkException failure) {}

  /** The holding process refused a request (a wrong token, a requeue already running). */
  public static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  /**
   * Runs a requeue in the process that holds the file, through its writer ({@link RequeueChannel}).
   *
   * @param topReasons how many of the most frequent reasons the report keeps
   * @return empty when nothing answers (the process is gone and left its endpoint behind)
   * @throws Refused when the process refused the request
   * @throws IOException when the exchange failed, or the process stopped mid-run (the pages before
   *     stay resolved: run again to resume)
   */
  public Optional<RequeueAnswer> requeue(
      Requeue.Options options, int topReasons, RequeueProgress progress)
      throws IOException, InterruptedException {
    HttpResponse<Stream<String>> r;
    try {
      r =
          client()
              .send(
                  post("/requeue", RequeueChannel.request(options, topReasons)),
                  HttpResponse.BodyHandlers.ofLines());
    } catch (ConnectException gone) {
      return Optional.empty();
    }
    try (Stream<String> lines = r.body()) {
      if (r.statusCode() != 200) {
        throw new Refused(lines.collect(Collectors.joining("\n")));
      }
      String sink = null;
      Map<Outcome, Long> outcomes = new EnumMap<>(Outcome.class);
      Map<String, Long> reasons = new LinkedHashMap<>();
      long rows = 0;
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String[] f = it.next().split("\t", -1);
        switch (f[0]) {
          case "sink" -> sink = RequeueChannel.untext(f[1]);
          case "total" -> progress.total(new OpenCount(Long.parseLong(f[1]), "exact".equals(f[2])));
          case "progress" -> progress.page(Long.parseLong(f[1]), Long.parseLong(f[2]));
          case "outcome" -> outcomes.put(Outcome.ofWireName(f[1]), Long.parseLong(f[2]));
          case "reason" -> reasons.put(RequeueChannel.untext(f[2]), Long.parseLong(f[1]));
          case "rows" -> rows = Long.parseLong(f[1]);
          case "end" -> {
            RequeueReport report = RequeueReport.of(outcomes, rows, reasons);
            SinkException failure =
                switch (f[1]) {
                  case "ok" -> null;
                  case "transient" ->
                      SinkException.transientFailure(RequeueChannel.untext(f[2]), null);
                  default -> SinkException.permanent(RequeueChannel.untext(f[2]), null);
                };
            return Optional.of(new RequeueAnswer(sink, report, failure));
          }
          default -> {
            // A record a newer holder sends: skip it.
          }
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    throw new IOException(
        this + " stopped answering mid-run; the pages before stay resolved: run again to resume");
  }

  private static HttpClient client() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  private HttpRequest post(String path, String body) {
    return HttpRequest.newBuilder(
            URI.create(
                "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port + path))
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .build();
  }

  /**
   * Runs a read-only query in the process that holds the file.
   *
   * @return empty when nothing answers (the process is gone and left its endpoint behind)
   * @throws IOException when the process answered but the exchange failed
   */
  public Optional<Answer> query(String sql) throws IOException, InterruptedException {
    try {
      HttpResponse<String> r =
          client().send(post("/sql", sql), HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Answer(r.statusCode() == 200, r.body()));
    } catch (ConnectException gone) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "the deezwatts process holding " + database;
  }
}
