package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.WriteResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one writer per file: sharing, concurrency, keys without an index, files. Real DuckDB. */
class DuckDbStoreTest {
  private static final Instant DEADLINE = Instant.now().plusSeconds(600);

  @TempDir Path dir;

  /** {@code events} gps events from {@code firstId}, at {@code day} (yyyy-MM-dd). */
  static SinkBatch bulk(int events, long firstId, String day) throws Exception {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < events; i++) {
      long id = firstId + i;
      sb.append(i == 0 ? "" : ",")
          .append("{\"type\":\"gps_position\",\"id\":")
          .append(id)
          .append(",\"vehicleId\":")
          .append(1000 + id % 7)
          .append(",\"time\":\"")
          .append(day)
          .append("T07:06:")
          .append(String.format("%02d", id % 60))
          .append(".000Z\",\"latitude\":55.5,\"longitude\":12.5,\"speed\":3,\"direction\":90}");
    }
    byte[] body = sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    return SinkBatch.of(
        BulkDecoder.forFeed("data-streams")
            .decode(
                body,
                new IngestContext(
                    Instant.parse("2026-11-21T10:00:00Z"),
                    IngestContext.Source.HTTP,
                    "r",
                    null,
                    Map.of())));
  }

  private static long count(DuckDbSink sink, String sql) throws Exception {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  @Test
  void sinksOnOneFileShareOneWriterAndConcurrentIdenticalBulksStoreOnce() throws Exception {
    Path file = dir.resolve("shared.duckdb");
    int senders = 4;
    List<DuckDbSink> sinks = new ArrayList<>();
    for (int i = 0; i < senders; i++) {
      sinks.add(
          new DuckDbSink(file, Catalog.standard())); // a second open in-process: no lock error
    }
    SinkBatch same = bulk(3_000, 1, "2026-11-20");
    CyclicBarrier start = new CyclicBarrier(senders);
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    try {
      List<Future<WriteResult>> results = new ArrayList<>();
      for (DuckDbSink sink : sinks) {
        Callable<WriteResult> send =
            () -> {
              start.await();
              return sink.write(same, DEADLINE);
            };
        results.add(pool.submit(send));
      }
      long stored = 0;
      for (Future<WriteResult> r : results) {
        stored += r.get().rowsStored();
      }
      assertEquals(3_000, stored, "each event stored by exactly one of the concurrent writes");
      assertEquals(3_000, count(sinks.get(0), "SELECT count(*) FROM vehicle_events"));
    } finally {
      pool.shutdownNow();
      sinks.forEach(DuckDbSink::close);
    }
  }

  @Test
  void aKeyIsFoundAgainWhateverDayItIsFromAndTheViewShowsItAsHex() throws Exception {
    try (DuckDbSink sink = new DuckDbSink(dir.resolve("days.duckdb"), Catalog.standard())) {
      sink.write(bulk(500, 1, "2026-01-05"), DEADLINE);
      sink.write(bulk(500, 501, "2026-06-05"), DEADLINE);
      // One bulk that carries both days again (a vehicle that was offline) and a third day.
      SinkBatch a = bulk(500, 1, "2026-01-05");
      SinkBatch b = bulk(500, 501, "2026-06-05");
      SinkBatch c = bulk(500, 1_001, "2026-12-01");
      List<io.deezwatts.core.decode.Row> rows = new ArrayList<>(a.rows());
      rows.addAll(b.rows());
      rows.addAll(c.rows());
      SinkBatch mixed = new SinkBatch(a.feed(), a.context(), rows, List.of());
      WriteResult r = sink.write(mixed, DEADLINE);
      assertEquals(500, r.rowsStored(), "only the third day's events are new");
      assertEquals(1_000, r.duplicatesSkipped());
      WriteResult again = sink.write(bulk(500, 501, "2026-06-05"), DEADLINE);
      assertEquals(0, again.rowsStored());
      assertEquals(500, again.duplicatesSkipped());
      assertEquals(1_500, count(sink, "SELECT count(*) FROM vehicle_events_dedup"));
      assertEquals(
          1_500,
          count(
              sink,
              "SELECT count(*) FROM vehicle_events_dedup WHERE regexp_full_match(event_key,"
                  + " '[0-9a-f]{32}')"));
      assertEquals(
          "UUID",
          stringOf(
              sink,
              "SELECT data_type FROM information_schema.columns WHERE"
                  + " table_name = 'vehicle_events' AND column_name = 'event_key'"));
      assertEquals(
          "NO",
          stringOf(
              sink,
              "SELECT is_nullable FROM information_schema.columns WHERE"
                  + " table_name = 'vehicle_events' AND column_name = 'time'"));
      assertEquals(
          0,
          count(
              sink,
              "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type IN"
                  + " ('PRIMARY KEY', 'UNIQUE')"),
          "no key index: it would grow with the table");
    }
  }

  private static String stringOf(DuckDbSink sink, String sql) throws Exception {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }

  @Test
  void filesAreOwnerOnlyAndLeftoversOfAKilledProcessAreRemoved() throws Exception {
    Path data = dir.resolve("new-folder");
    Path file = data.resolve("private.duckdb");
    Files.createDirectories(data);
    Path spool = Files.createDirectory(data.resolve(".deezwatts-load-123"));
    Files.writeString(spool.resolve("rows-1.ndjson"), "{}");
    Path staleEndpoint = LocalFiles.endpointOf(file);
    Files.writeString(staleEndpoint, "port=1\ntoken=old\n");
    try (DuckDbSink sink = new DuckDbSink(file, Catalog.standard())) {
      sink.write(bulk(10, 1, "2026-11-20"), DEADLINE);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      Path wal = file.resolveSibling("private.duckdb.wal");
      assertTrue(Files.exists(wal), "the write is in the log until a checkpoint");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(wal)));
      assertFalse(Files.exists(spool), "a killed release's spool folder is removed");
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(staleEndpoint)),
          "the endpoint was rewritten by this process, owner-only");
      assertFalse(Files.readString(staleEndpoint).contains("token=old"));
    }
    assertFalse(Files.exists(staleEndpoint), "removed when the last handle closes");
    assertFalse(
        Files.exists(file.resolveSibling("private.duckdb.wal")), "checkpointed at close: no log");
    Path fresh = dir.resolve("made/here/x.duckdb");
    new DuckDbSink(fresh, Catalog.standard()).close();
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh.getParent())));
  }

  @Test
  void theLastCloseClosesTheFileAndAReopenSeesEverything() throws Exception {
    Path file = dir.resolve("reopen.duckdb");
    DuckDbSink a = new DuckDbSink(file, Catalog.standard());
    DuckDbSink b = new DuckDbSink(file, Catalog.standard());
    a.write(bulk(100, 1, "2026-11-20"), DEADLINE);
    a.close();
    assertEquals(100, b.write(bulk(100, 101, "2026-11-20"), DEADLINE).rowsStored());
    b.close();
    try (DuckDbSink c = new DuckDbSink(file, Catalog.standard())) {
      assertSame(DuckDbSink.class, c.getClass());
      assertEquals(200, count(c, "SELECT count(*) FROM vehicle_events"));
      assertEquals(0, c.write(bulk(200, 1, "2026-11-20"), DEADLINE).rowsStored());
    }
  }

  @Test
  void aLockIoOrMemoryFailureIsWorthARetryAndOthersAreNot() {
    assertTrue(
        DuckDbStore.isTransient(
            "Out of Memory Error: failed to pin block of size 256.0 KiB (121.9 MiB/122.0 MiB used)"));
    assertTrue(DuckDbStore.isTransient("IO Error: Could not set lock on file \"x.duckdb\""));
    assertFalse(
        DuckDbStore.isTransient("Catalog Error: Table with name quarantine does not exist!"));
    assertFalse(
        DuckDbStore.isTransient(
            "Constraint Error: NOT NULL constraint failed: vehicle_events.time"));
  }
}
