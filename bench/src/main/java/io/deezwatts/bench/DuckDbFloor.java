package io.deezwatts.bench;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a DuckDB write of a bulk spends its time, against decoding the same bulk (issue #3's
 * ratio). For each of BULKS distinct 10,000-event bulks, in one warmed-up JVM: decode it; store it
 * with the real {@link DuckDbSink} (spool, {@code read_json}, {@code INSERT OR IGNORE} into the
 * {@code event_key PRIMARY KEY} table); then copy the same 10,000 rows, already inside DuckDB, into
 * a table of the same columns with no key ({@code INSERT INTO ... SELECT}: no Java, no parsing, no
 * key: the least a DuckDB insert of these rows costs). Prints medians per bulk over the second
 * half, when the tables are large, and over all bulks.
 *
 * <p>Usage: {@code DuckDbFloor [BULKS] [DIR]} (default 60 bulks; the file goes to DIR, default a
 * temporary folder, and is deleted at the end).
 */
public final class DuckDbFloor {
  private static final int EVENTS = 10_000;

  private DuckDbFloor() {}

  public static void main(String[] args) throws Exception {
    int bulks = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("deezwatts-floor");
    Files.createDirectories(dir);
    Path db = dir.resolve("floor.duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(Path.of(db + ".wal"));
    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    for (int i = 0; i < 20; i++) { // warm-up of the decoder
      decoder.decode(SampleBulk.dataStreams(EVENTS, 500 + i), IngestContext.replay(Instant.now()));
    }
    double[] decodeMs = new double[bulks];
    double[] sinkMs = new double[bulks];
    double[] copyMs = new double[bulks];
    System.out.println(
        "DuckDbFloor: " + bulks + " bulks of " + EVENTS + " events, " + Processes.loadAverage());
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard())) {
      Connection c = sink.connection();
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE vehicle_events_nokey AS SELECT * FROM vehicle_events LIMIT 0");
      }
      for (int b = 0; b < bulks; b++) {
        byte[] body = SampleBulk.dataStreams(EVENTS, 7_000 + b, 3_000_000_000L + b * EVENTS);
        long t0 = System.nanoTime();
        DecodedBulk bulk = decoder.decode(body, IngestContext.replay(Instant.now()));
        long t1 = System.nanoTime();
        long stored = sink.write(SinkBatch.of(bulk), Instant.now().plusSeconds(300)).rowsStored();
        long t2 = System.nanoTime();
        if (stored != EVENTS) {
          throw new IllegalStateException(
              "bulk " + b + " stored " + stored + " rows, not " + EVENTS);
        }
        try (Statement s = c.createStatement()) {
          s.execute(
              "CREATE OR REPLACE TEMP TABLE staged AS SELECT * FROM vehicle_events"
                  + " WHERE id >= "
                  + (3_000_000_000L + b * EVENTS));
          long t3 = System.nanoTime();
          long copied = s.executeUpdate("INSERT INTO vehicle_events_nokey SELECT * FROM staged");
          long t4 = System.nanoTime();
          if (copied != EVENTS) {
            throw new IllegalStateException("bulk " + b + ": copied " + copied + " rows");
          }
          copyMs[b] = (t4 - t3) / 1e6;
        }
        decodeMs[b] = (t1 - t0) / 1e6;
        sinkMs[b] = (t2 - t1) / 1e6;
        if (b % 10 == 9) {
          System.out.printf(
              Locale.ROOT,
              "  bulk %d (%,d rows in the table): decode %.1f ms, sink write %.1f ms,"
                  + " copy without key %.1f ms%n",
              b + 1,
              (b + 1L) * EVENTS,
              decodeMs[b],
              sinkMs[b],
              copyMs[b]);
        }
      }
    } finally {
      Files.deleteIfExists(db);
      Files.deleteIfExists(Path.of(db + ".wal"));
    }
    System.out.println("after: " + Processes.loadAverage());
    System.out.println();
    System.out.println("| per 10,000-event bulk, median | all bulks | second half |");
    System.out.println("|---|---|---|");
    row("decode (decode + validate + rows + keys)", decodeMs);
    row("DuckDbSink.write, as shipped (spool, read_json, INSERT OR IGNORE, primary key)", sinkMs);
    row("INSERT ... SELECT of the rows already in DuckDB, no key (DuckDB's own floor)", copyMs);
    double dec = median(decodeMs, 0);
    System.out.printf(
        Locale.ROOT,
        "%nDuckDB write / decode: as shipped %.1fx, floor without key %.1fx"
            + " (issue #3's ratio >= 0.5 needs the write to cost <= 1x the decode)%n",
        median(sinkMs, 0) / dec,
        median(copyMs, 0) / dec);
  }

  private static void row(String what, double[] ms) {
    System.out.printf(
        Locale.ROOT,
        "| %s | %.1f ms | %.1f ms |%n",
        what,
        median(ms, 0),
        median(ms, ms.length / 2));
  }

  private static double median(double[] values, int from) {
    List<Double> v = new ArrayList<>();
    for (int i = from; i < values.length; i++) {
      v.add(values[i]);
    }
    return Processes.median(v);
  }
}
