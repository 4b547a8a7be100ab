package io.deezwatts.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.testing.cc.FakeConnectedCars;
import io.deezwatts.testing.rivian.FakeRivian;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the adapter contract cases ({@link ContractCase#all()}) through one cloud's adapters: the
 * same cases for every cloud, so that a push, a queue message, a Rivian poll or a Connected Cars
 * sync gets the same answer on Google Cloud and on Azure. A platform says how it keeps the Rivian
 * session, deploys a job's function for some settings and calls it; this class gives the stand-ins
 * (Rivian, Connected Cars, a real DuckDB file) and checks each answer.
 */
public final class AdapterContract {
  /** The push secret of the base settings. */
  public static final String TOKEN = "contract-token";

  /** The session the cases keep; its secrets must never reach an answer or a log. */
  public static final RivianSession SESSION =
      new RivianSession(
          "csrf-contract",
          "asess-contract",
          "usess-contract",
          "access-contract",
          "refresh-contract",
          Instant.parse("2026-11-20T08:00:00Z"));

  /** One cloud's adapters. */
  public interface Platform {
    /**
     * Keeps {@link #SESSION} where this platform keeps it (or nothing, when {@code session} is
     * false, but the settings still point there).
     *
     * @return the settings that point the Rivian poll to it
     */
    Map<String, String> keepSession(boolean session, Path dir) throws Exception;

    /** The job's function, configured by {@code settings}, ready to be called. */
    Deployment deploy(String job, Map<String, String> settings) throws Exception;

    /** Everything the function logged so far, one record a line. */
    String logs();

    /**
     * How this platform's queue delivers ({@code io.deezwatts.core.queue.QueueDelivery}): {@code
     * redelivered} when the queue itself retries and dead-letters (Pub/Sub), {@code parkedAfter}
     * when the function parks after its retries (Event Hubs). A case may expect a different answer
     * of each, where they are meant to differ.
     */
    String queueDelivery();
  }

  /** A deployed function. */
  public interface Deployment extends AutoCloseable {
    /** Calls the function with a step's request (empty for a scheduled job). */
    ContractAnswer call(JsonNode request) throws Exception;
  }

  private AdapterContract() {}

  /**
   * Runs {@code c} on {@code platform} in {@code dir}, with fresh stand-ins.
   *
   * @throws AssertionError naming the case and step whose answer differs
   */
  public static void run(ContractCase c, Platform platform, Path dir) throws Exception {
    try (FakeRivian rivian = new FakeRivian();
        FakeConnectedCars cc = new FakeConnectedCars()) {
      Path duckdb = dir.resolve("contract.duckdb");
      Map<String, String> settings = new HashMap<>();
      settings.put("DEEZWATTS_HTTP_TOKEN", TOKEN);
      settings.put("DEEZWATTS_FEED", "data-streams");
      settings.put("DEEZWATTS_SINK", "duckdb:" + duckdb);
      settings.put("DEEZWATTS_RIVIAN_ENDPOINT", rivian.endpoint());
      settings.put("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "300");
      List<String> kept = new ArrayList<>();
      if (c.job().equals("rivian-poll")) {
        settings.putAll(platform.keepSession(c.given().path("session").asBoolean(false), dir));
        for (JsonNode a : c.given().path("rivian")) {
          if (a.size() > 3) {
            rivian.answer(
                a.get(0).asText(),
                a.get(1).asInt(),
                a.get(2).asText(),
                Map.of("Retry-After", a.get(3).asText()));
          } else {
            rivian.answer(a.get(0).asText(), a.get(1).asInt(), a.get(2).asText());
          }
        }
      }
      if (c.job().equals("cc-sync")) {
        Path key = cc.writeServiceAccount(dir);
        settings.putAll(cc.env(key));
        kept.addAll(keyMaterial(key));
        JsonNode given = c.given().path("cc");
        given.path("consent").forEach(v -> cc.consent(v.asLong(), null));
        cc.topics(topics(given));
        given.path("streams").forEach(s -> cc.stream(s.get(0).asLong(), s.get(1).asLong()));
        cc.down(given.path("down").asBoolean(false));
      }
      String closed = closedUrl();
      for (Map.Entry<String, String> s : c.settings().entrySet()) {
        settings.put(
            s.getKey(),
            s.getValue().replace("${dir}", dir.toString()).replace("${closed}", closed));
      }
      try (Deployment function = platform.deploy(c.job(), Map.copyOf(settings))) {
        int n = 0;
        for (ContractCase.Step step : c.steps()) {
          n++;
          ContractAnswer answer = function.call(step.request());
          check(c.name() + " step " + n, step.expect(), answer, platform, duckdb, cc, kept);
        }
      }
    }
  }

  /**
   * The base64 lines of the service account key the stand-in wrote: generated for this run, so
   * neither an answer nor a log may hold any of them, whatever the case says.
   */
  private static List<String> keyMaterial(Path key) throws IOException {
    return Files.readAllLines(key).stream()
        .filter(line -> !line.isBlank() && !line.startsWith("-----"))
        .toList();
  }

  private static long[] topics(JsonNode given) {
    long[] ids = new long[given.path("topics").size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = given.path("topics").get(i).asLong();
    }
    return ids;
  }

  private static void check(
      String where,
      JsonNode expect,
      ContractAnswer answer,
      Platform platform,
      Path duckdb,
      FakeConnectedCars cc,
      List<String> kept)
      throws Exception {
    String context = where + ": " + answer + "\nlogs:\n" + platform.logs();
    if (expect.has("queue")) {
      JsonNode queue = expect.path("queue");
      assertEquals(
          queue.isObject() ? queue.path(platform.queueDelivery()).asText() : queue.asText(),
          answer.queue(),
          context);
    } else if (answer.timer() == null) {
      assertEquals(expect.path("http").asInt(), answer.http(), context);
    } else {
      assertEquals(expect.path("timer").asText(), answer.timer(), context);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = expect.path("fields").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      JsonNode actual = answer.fields() == null ? null : answer.fields().get(f.getKey());
      assertTrue(actual != null, where + ": no field '" + f.getKey() + "' in " + context);
      // Compared as text: a log line's fields are text where a body's are numbers.
      assertEquals(f.getValue().asText(), actual.asText(), where + ": field " + f.getKey());
    }
    if (expect.has("log")) {
      assertTrue(platform.logs().contains(expect.path("log").asText()), context);
    }
    for (JsonNode never : expect.path("never")) {
      assertFalse(answer.text().contains(never.asText()), where + ": answered " + never);
    }
    for (JsonNode secret : expect.path("secret")) {
      assertFalse(answer.text().contains(secret.asText()), where + ": answered " + secret);
      assertFalse(platform.logs().contains(secret.asText()), where + ": logged " + secret);
    }
    for (String line : kept) {
      // The message names no key line: it must not carry key material either.
      assertFalse(answer.text().contains(line), where + ": answered the service account key");
      assertFalse(platform.logs().contains(line), where + ": logged the service account key");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = expect.path("rows").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> r = it.next();
      assertEquals(r.getValue().asLong(), count(duckdb, r.getKey()), where + ": rows in " + r);
    }
    if (expect.has("streams")) {
      assertEquals(expect.path("streams").asInt(), cc.streams().size(), where + ": streams");
    }
  }

  /** The rows of {@code table} in the DuckDB file (0 when nothing created it). */
  private static long count(Path duckdb, String table) throws Exception {
    if (!Files.exists(duckdb)) {
      return 0;
    }
    if (!Set.of(
            "vehicle_events",
            "admin_events",
            "legacy_car_events",
            "quarantine",
            "rivian_vehicle_states")
        .contains(table)) {
      throw new IllegalArgumentException("no such table in the contract: " + table);
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + duckdb);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** A URL where nothing listens (a port just closed). */
  private static String closedUrl() {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
