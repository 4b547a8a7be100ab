package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.SinkBatch;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file written by release 0.1 (keyed tables, {@code event_key VARCHAR PRIMARY KEY}) migrates on
 * first open with every row kept. The fixture {@code release-0.1/release-0.1.duckdb.gz} was made by
 * that release's {@code deezwatts ingest} of the samples (and two bad bulks); each {@code
 * TABLE.csv} beside it is that release's {@code COPY (SELECT * FROM TABLE ORDER BY event_key)}.
 */
class DuckDbMigrationTest {
  private static final String FIXTURE = "release-0.1/";

  @TempDir Path dir;

  private Path releaseFile() throws Exception {
    Path file = dir.resolve("old.duckdb");
    try (InputStream gz = getClass().getResourceAsStream(FIXTURE + "release-0.1.duckdb.gz")) {
      assertNotNull(gz, "fixture missing");
      Files.copy(new GZIPInputStream(gz), file);
    }
    return file;
  }

  @Test
  void everyRowOfARelease01FileIsKeptAndItsKeysStillDeduplicate() throws Exception {
    Path file = releaseFile();
    try (DuckDbSink sink = new DuckDbSink(file, Catalog.standard())) {
      for (TableSpec t : Catalog.standard().tables()) {
        if (t.name().equals("quarantine_resolutions")) { // new since 0.1: created empty
          try (Statement s = sink.connection().createStatement();
              ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t.name())) {
            rs.next();
            assertEquals(0, rs.getLong(1), t.name());
          }
          continue;
        }
        String expected;
        try (InputStream in = getClass().getResourceAsStream(FIXTURE + t.name() + ".csv")) {
          assertNotNull(in, t.name() + ".csv missing");
          expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The columns 0.1 had, in its order; columns the catalog gained since are checked below.
        List<String> old = List.of(expected.substring(0, expected.indexOf('\n')).split(","));
        String columns =
            old.stream()
                .map(
                    c ->
                        c.equals("event_key")
                            ? "replace(CAST(event_key AS VARCHAR), '-', '') AS event_key"
                            : '"' + c + '"')
                .collect(Collectors.joining(", "));
        Path csv = dir.resolve(t.name() + ".csv");
        try (Statement s = sink.connection().createStatement()) {
          s.execute(
              "COPY (SELECT * FROM (SELECT "
                  + columns
                  + " FROM "
                  + t.name()
                  + ") ORDER BY event_key) TO '"
                  + csv
                  + "' (HEADER)");
        }
        assertEquals(expected, Files.readString(csv), t.name() + ": every row, every value");
        for (Column added : t.columns()) {
          if (!old.contains(added.name())) {
            try (Statement s = sink.connection().createStatement();
                ResultSet rs =
                    s.executeQuery(
                        "SELECT count(" + '"' + added.name() + '"' + ") FROM " + t.name())) {
              rs.next();
              assertEquals(0, rs.getLong(1), t.name() + "." + added.name() + " is new: NULL");
            }
          }
        }
        try (Statement s = sink.connection().createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT data_type FROM information_schema.columns WHERE table_name = '"
                        + t.name()
                        + "' AND column_name = 'event_key'")) {
          rs.next();
          assertEquals("UUID", rs.getString(1), t.name());
        }
      }
      // The samples again: every key matches one stored by 0.1, so nothing is new.
      byte[] body = Files.readAllBytes(Path.of("../samples/data-streams.json"));
      SinkBatch again =
          SinkBatch.of(
              BulkDecoder.forFeed("data-streams")
                  .decode(body, IngestContext.replay(Instant.parse("2026-12-01T00:00:00Z"))));
      assertEquals(0, sink.write(again, Instant.now().plusSeconds(60)).rowsStored());
    }
    try (DuckDbSink reopened = new DuckDbSink(file, Catalog.standard());
        Statement s = reopened.connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM vehicle_events")) {
      rs.next();
      assertEquals(47, rs.getLong(1), "a second open migrates nothing again");
    }
  }
}
