package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.sink.QuarantineStore.OpenCount;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.core.sink.SinkException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts requeue} through the requeue channel of the process holding a real DuckDB file
 * (here a store opened by the test, as {@code serve} holds it), while that process goes on
 * ingesting: entries quarantined under an older catalog are stored once, through the holder's
 * writer.
 */
class RequeueChannelIT {
  private static final Instant RECEIVED = Instant.parse("2026-11-21T10:00:00.123456Z");
  private static final Instant DEADLINE = Instant.now().plusSeconds(600);
  private static final String CAR = "3bbcee75-cecc-5b56-8031-b6641c1ed1f1";
  private static final String LEGACY =
      "[{\"type\":\"charge_level_percent\",\"carId\":\""
          + CAR
          + "\",\"time\":\"2017-01-01T12:30:10Z\",\"percent\":55},"
          + "{\"type\":\"charge_level_percent\",\"carId\":\""
          + CAR
          + "\",\"time\":\"2017-01-01T12:31:10Z\",\"percent\":155}]";

  @TempDir Path dir;
  private Path file;
  private DuckDbSink holder;

  @BeforeEach
  void holdAFileWithQuarantine() throws Exception {
    file = dir.resolve("held.duckdb");
    holder = new DuckDbSink(file, Catalog.standard());
    IngestOutcome old =
        new IngestService(holder, RequeueTest.olderCatalog())
            .ingest("legacy-push", LEGACY.getBytes(StandardCharsets.UTF_8), http(), DEADLINE);
    assertEquals(2, old.quarantined().size(), "the older catalog lacks the percent alias");
  }

  @AfterEach
  void release() {
    holder.close();
  }

  private static IngestContext http() {
    return new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of());
  }

  private RunningStore running() throws Exception {
    return RunningStore.find(file).orElseThrow();
  }

  /** What a remote run told as it went. */
  private static final class Seen implements RunningStore.RequeueProgress {
    final List<OpenCount> totals = new ArrayList<>();
    final AtomicLong pages = new AtomicLong();

    @Override
    public void total(OpenCount count) {
      totals.add(count);
    }

    @Override
    public void page(long entries, long rowsStored) {
      pages.incrementAndGet();
    }
  }

  private static Requeue.Options options(boolean apply) {
    return new Requeue.Options(null, null, apply, 1); // pages of 1: progress after each entry
  }

  @Test
  void aDryRunThroughTheChannelWritesNothing() throws Exception {
    long rows = count("SELECT count(*) FROM legacy_car_events");
    Seen seen = new Seen();

    RunningStore.RequeueAnswer a = running().requeue(options(false), 10, seen).orElseThrow();

    assertEquals(null, a.failure());
    assertEquals("duckdb:" + file.toAbsolutePath().normalize(), a.sink());
    assertEquals(List.of(new OpenCount(2, true)), seen.totals);
    assertEquals(2, seen.pages.get());
    assertEquals(1, a.report().count(Outcome.STORED));
    assertEquals(1, a.report().count(Outcome.STILL_QUARANTINED));
    assertEquals(1, a.report().rowsStored());
    assertEquals(1, a.report().topReasons(10).size());
    assertTrue(a.report().topReasons(10).get(0).getKey().startsWith("event N"));
    assertEquals(rows, count("SELECT count(*) FROM legacy_car_events"));
    assertEquals(0, count("SELECT count(*) FROM quarantine_resolutions"));
    assertEquals(2, count("SELECT count(*) FROM quarantine_open"));
  }

  @Test
  void applyTwiceWhileTheHolderIngestsStoresOnce() throws Exception {
    // The holder keeps ingesting good events, each at its own time, while the requeue runs.
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong ingested = new AtomicLong();
    CountDownLatch first = new CountDownLatch(1);
    IngestService current = new IngestService(holder, Catalog.standard());
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              for (int i = 0; !stop.get() || i < 3; i++) {
                String bulk =
                    "[{\"type\":\"can_odometer\",\"carId\":\""
                        + CAR
                        + "\",\"time\":\"2017-01-02T00:00:"
                        + String.format("%02d", i % 60)
                        + "."
                        + String.format("%03d", i / 60)
                        + "Z\",\"odometer\":"
                        + i
                        + ".0}]";
                IngestOutcome o;
                try {
                  o =
                      current.ingest(
                          "legacy-push", bulk.getBytes(StandardCharsets.UTF_8), http(), DEADLINE);
                } catch (SinkException e) {
                  throw new AssertionError("a concurrent write failed", e);
                }
                assertTrue(o.accepted() && o.quarantined().isEmpty(), String.valueOf(o));
                ingested.incrementAndGet();
                first.countDown();
              }
            });
    assertTrue(first.await(60, TimeUnit.SECONDS), "the holder ingests");

    RunningStore.RequeueAnswer once = running().requeue(options(true), 10, new Seen()).get();
    RunningStore.RequeueAnswer twice = running().requeue(options(true), 10, new Seen()).get();
    stop.set(true);
    writer.get(60, TimeUnit.SECONDS);

    assertEquals(null, once.failure());
    assertEquals(1, once.report().count(Outcome.STORED));
    assertEquals(1, once.report().rowsStored());
    assertEquals(1, twice.report().entries(), "only the entry still out of range is open");
    assertEquals(1, twice.report().count(Outcome.STILL_QUARANTINED));
    assertEquals(0, twice.report().rowsStored());
    assertEquals(
        1,
        count("SELECT count(*) FROM legacy_car_events WHERE value_num = 55"),
        "the requeued event is stored once");
    assertEquals(
        1 + ingested.get(),
        count("SELECT count(*) FROM legacy_car_events"),
        "every concurrent write is stored");
    assertEquals(1, count("SELECT count(*) FROM quarantine_open"));
  }

  @Test
  void aWrongTokenIsRefusedAndNothingRuns() throws Exception {
    Properties endpoint = new Properties();
    try (var in = Files.newBufferedReader(LocalFiles.endpointOf(file))) {
      endpoint.load(in);
    }
    String body = RequeueChannel.request(options(true), 10);
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://"
                                + InetAddress.getLoopbackAddress().getHostAddress()
                                + ":"
                                + endpoint.getProperty("port")
                                + "/requeue"))
                    .header("Authorization", "Bearer " + endpoint.getProperty("token") + "x")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(401, r.statusCode());
    assertEquals("missing or wrong token", r.body());
    assertEquals(0, count("SELECT count(*) FROM quarantine_resolutions"));
    assertEquals(2, count("SELECT count(*) FROM quarantine_open"));
  }

  @Test
  void theSqlChannelStillRefusesWritesAndRequeueIsNotSql() throws Exception {
    RunningStore.Answer a =
        running().query("INSERT INTO quarantine_resolutions SELECT 1").orElseThrow();
    assertTrue(!a.ok() && a.text().startsWith("read-only"), a.text());
    RunningStore.Refused bad =
        assertThrows(
            RunningStore.Refused.class,
            () ->
                running()
                    .requeue(new Requeue.Options(null, null, true, 1), -1, new Seen())
                    .orElseThrow());
    assertTrue(bad.getMessage().startsWith("bad requeue request"), bad.getMessage());
  }

  /** On a connection of its own: the holder's writer may still be in use by the channel. */
  private long count(String sql) throws SQLException {
    try (Connection c = ((DuckDBConnection) holder.connection()).duplicate();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
