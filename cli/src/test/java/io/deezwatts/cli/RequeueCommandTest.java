package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.sink.duckdb.RunningStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deezwatts requeue} on a real DuckDB file, in-process, output captured by picocli. */
class RequeueCommandTest {
  @TempDir Path dir;

  private String sink;

  /**
   * The legacy car sample gzipped and sent without saying so: not UTF-8, so quarantined whole (as
   * base64); requeue gunzips it and stores its events.
   */
  private void quarantineAGzipBulk() throws Exception {
    sink = "duckdb:" + dir.resolve("x.duckdb");
    Path gz = dir.resolve("legacy-car.json.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(Path.of("../samples/legacy-car.json")));
    }
    CliRun ingest = CliRun.of("ingest", "--source", "legacy-push", "--sink", sink, gz.toString());
    assertEquals(1, ingest.exit(), ingest.out());
    assertTrue(ingest.err().contains("not UTF-8"), ingest.err());
  }

  private String sql(String query) {
    CliRun r = CliRun.of("sql", "--sink", sink, query);
    assertEquals(0, r.exit(), r.err());
    return r.out().split("\n")[2].trim();
  }

  @Test
  void aDryRunPrintsOutcomesThenApplyStoresOnceAndRecords() throws Exception {
    quarantineAGzipBulk();
    String rows = sql("SELECT count(*) FROM legacy_car_events");

    CliRun dry = CliRun.of("requeue", "--sink", sink);
    assertEquals(0, dry.exit(), dry.err());
    assertTrue(dry.out().contains("stored             1"), dry.out());
    assertTrue(dry.out().contains("(nothing written; add --apply"), dry.out());
    assertEquals(rows, sql("SELECT count(*) FROM legacy_car_events"));
    assertEquals("0", sql("SELECT count(*) FROM quarantine_resolutions"));

    CliRun applied = CliRun.of("requeue", "--sink", sink, "--apply");
    assertEquals(0, applied.exit(), applied.err());
    String stored = sql("SELECT count(*) FROM legacy_car_events");
    assertTrue(Long.parseLong(stored) > 0, stored);
    assertTrue(applied.out().contains("requeued 1 entry of duckdb:"), applied.out());
    assertTrue(applied.out().contains(": " + stored + " rows stored"), applied.out());
    assertEquals("stored", sql("SELECT outcome FROM quarantine_resolutions"));
    assertEquals("0", sql("SELECT count(*) FROM quarantine_open"));

    CliRun again = CliRun.of("requeue", "--sink", sink, "--apply");
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().startsWith("nothing to requeue in duckdb:"), again.out());
    assertEquals(stored, sql("SELECT count(*) FROM legacy_car_events"));
  }

  @Test
  void entriesStillBadExitOneWithTheirReasons() throws Exception {
    sink = "duckdb:" + dir.resolve("y.duckdb");
    Path bulk =
        Files.writeString(
            dir.resolve("bad.json"),
            "[{\"type\":\"charge_level_percent\",\"carId\":\"c1\",\"time\":\"2017-01-01T12:30:10Z\","
                + "\"percent\":155}]");
    assertEquals(
        0, CliRun.of("ingest", "--source", "legacy-push", "--sink", sink, bulk.toString()).exit());

    CliRun r = CliRun.of("requeue", "--sink", sink, "--apply", "--reason", "outside");
    assertEquals(1, r.exit(), r.out());
    assertTrue(r.out().contains("still_quarantined  1"), r.out());
    assertTrue(
        r.out().contains("1        event N (charge_level_percent): field 'charge_level_percent':"),
        r.out());
    assertEquals("1", sql("SELECT count(*) FROM quarantine_open"));
  }

  /** The run's duration differs from run to run. */
  private static String timeless(String out) {
    return out.replaceAll("; [0-9]+\\.[0-9] s", "; T s");
  }

  @Test
  void whileAnotherProcessHoldsTheFileRequeueRunsThereAndPrintsTheSame() throws Exception {
    quarantineAGzipBulk();
    Path file = dir.resolve("x.duckdb");
    CliRun direct = CliRun.of("requeue", "--sink", sink);
    assertEquals(0, direct.exit(), direct.err());
    // What serve or the bridge does: hold the file (here, in this JVM, with its channel).
    try (DuckDbSink holder = new DuckDbSink(file, Catalog.standard())) {
      assertTrue(RunningStore.find(file).isPresent(), "the holder offers requeue");
      CliRun held = CliRun.of("requeue", "--sink", sink);
      assertEquals(0, held.exit(), held.err());
      assertEquals(timeless(direct.out()), timeless(held.out()), "the same through the holder");

      CliRun badSince = CliRun.of("requeue", "--sink", sink, "--since", "x");
      assertEquals(2, badSince.exit());
      assertTrue(badSince.err().contains("--since: 'x' is not a date"), badSince.err());

      CliRun applied = CliRun.of("requeue", "--sink", sink, "--apply");
      assertEquals(0, applied.exit(), applied.err());
      assertTrue(applied.out().contains("requeued 1 entry of duckdb:"), applied.out());
      CliRun again = CliRun.of("requeue", "--sink", sink, "--apply");
      assertEquals(0, again.exit(), again.err());
      assertTrue(again.out().startsWith("nothing to requeue in duckdb:"), again.out());
    }
    assertEquals("stored", sql("SELECT outcome FROM quarantine_resolutions"));
  }

  @Test
  void aMalformedSinceIsAUsageError() {
    CliRun r = CliRun.of("requeue", "--sink", "duckdb:" + dir.resolve("z.duckdb"), "--since", "x");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--since: 'x' is not a date"), r.err());
  }
}
