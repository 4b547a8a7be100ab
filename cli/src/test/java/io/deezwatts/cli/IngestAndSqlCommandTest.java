package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.sink.duckdb.RunningStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts ingest} and {@code deezwatts sql} on a real DuckDB file, run in-process with
 * their output captured by picocli.
 */
class IngestAndSqlCommandTest {
  @TempDir Path dir;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void ingestsSamplesSkipsDuplicatesAndQueries() throws Exception {
    String sink = "duckdb:" + dir.resolve("db/x.duckdb");
    CliRun first =
        run("ingest", "--source", "data-streams", "--sink", sink, "../samples/data-streams.json");
    assertEquals(0, first.exit(), first.err());
    assertTrue(
        first.out().contains("53 events, 53 stored, 0 quarantined, 0 duplicates skipped"),
        first.out());

    CliRun again =
        run("ingest", "--source", "data-streams", "--sink", sink, "../samples/data-streams.json");
    assertEquals(0, again.exit());
    assertTrue(
        again.out().contains("53 events, 0 stored, 0 quarantined, 53 duplicates skipped"),
        again.out());

    CliRun legacy =
        run(
            "ingest",
            "--source",
            "legacy-push",
            "--sink",
            sink,
            "../samples/legacy-account.json",
            "../samples/legacy-car.json");
    assertEquals(0, legacy.exit());
    assertTrue(legacy.out().startsWith("ingested 2 bulks"), legacy.out());

    CliRun sql =
        run(
            "sql",
            "--sink",
            sink,
            "SELECT count(*) AS n FROM vehicle_events_dedup WHERE type = 'gps_position'");
    assertEquals(0, sql.exit(), sql.err());
    String[] lines = sql.out().split("\n");
    assertEquals("n", lines[0].trim());
    assertEquals("1", lines[2].trim());
    assertEquals("(1 row)", lines[3].trim());
  }

  @Test
  void aRejectedBulkExitsOneAndIsQuarantined() throws Exception {
    String sink = "duckdb:" + dir.resolve("x.duckdb");
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"not\": \"an array\"}");
    CliRun r = run("ingest", "--source", "data-streams", "--sink", sink, bad.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("bad.json: rejected: the body is an object"), r.err());
    assertTrue(r.out().contains("1 quarantined") && r.out().contains("1 bulk rejected"), r.out());
    CliRun sql = run("sql", "--sink", sink, "SELECT raw FROM quarantine");
    assertTrue(sql.out().contains("{\"not\": \"an array\"}"), sql.out());
  }

  @Test
  void usageErrorsAndBadQueries() {
    String sink = "duckdb:" + dir.resolve("x.duckdb");
    assertEquals(2, run("ingest", "--source", "data-streams", "--sink", sink, "nope.json").exit());
    assertEquals(
        2,
        run(
                "ingest",
                "--source",
                "data-streams",
                "--sink",
                "mysql:x",
                "../samples/data-streams.json")
            .exit());
    assertEquals(2, run("sql", "--sink", "bigquery:p.d", "SELECT 1").exit());
    CliRun bad = run("sql", "--sink", sink, "SELEC nonsense");
    assertEquals(1, bad.exit());
    assertTrue(bad.err().startsWith("deezwatts: "), bad.err());
  }

  @Test
  void whileAnotherProcessHoldsTheFileSqlAsksItAndPrintsTheSame() throws Exception {
    Path file = dir.resolve("held.duckdb");
    String sink = "duckdb:" + file;
    assertEquals(
        0,
        run("ingest", "--source", "data-streams", "--sink", sink, "../samples/data-streams.json")
            .exit());
    String query =
        "SELECT type, event_key, count(*) AS n FROM vehicle_events GROUP BY ALL ORDER BY 2 LIMIT 3";
    CliRun direct = run("sql", "--sink", sink, query);
    assertEquals(0, direct.exit(), direct.err());
    assertTrue(direct.out().lines().skip(2).findFirst().orElseThrow().matches(".*[0-9a-f]{32}.*"));
    // What serve or the bridge does: hold the file (here, in this JVM, with its query channel).
    try (DuckDbSink holder = new DuckDbSink(file, Catalog.standard())) {
      assertTrue(RunningStore.find(file).isPresent(), "the holder offers queries");
      CliRun held = run("sql", "--sink", sink, query);
      assertEquals(0, held.exit(), held.err());
      assertEquals(direct.out(), held.out(), "the same output through the holding process");
      CliRun write = run("sql", "--sink", sink, "DELETE FROM vehicle_events");
      assertEquals(1, write.exit());
      assertTrue(write.err().startsWith("deezwatts: read-only"), write.err());
    }
    CliRun after = run("sql", "--sink", sink, "SELECT count(*) AS n FROM vehicle_events");
    assertEquals("47", after.out().lines().skip(2).findFirst().orElseThrow().trim());
  }
}
