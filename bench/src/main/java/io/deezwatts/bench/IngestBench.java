package io.deezwatts.bench;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Ingest of many 10,000-event bulks into a fresh DuckDB file, against decoding the same files
 * alone, in one JVM after a warm-up. Usage: {@code IngestBench [BULKS] [DIR]}; DIR keeps the
 * generated files, so the CLI can be timed on the same bytes ({@code bench/run-ingest.sh}).
 */
public final class IngestBench {
  private IngestBench() {}

  public static void main(String[] args) throws Exception {
    int bulks = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("deezwatts-bench");
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < bulks; i++) {
      Path f = dir.resolve(String.format(Locale.ROOT, "bulk-%03d.json", i));
      if (!Files.exists(f)) {
        Files.write(f, SampleBulk.dataStreams(10_000, 1000 + i));
      }
      files.add(f);
    }
    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    for (int i = 0; i < Math.min(20, bulks); i++) { // warm-up
      decoder.decode(Files.readAllBytes(files.get(i)), IngestContext.replay(Instant.now()));
    }
    long events = 0;
    long t0 = System.nanoTime();
    for (Path f : files) {
      events += decoder.decode(Files.readAllBytes(f), IngestContext.replay(Instant.now())).events();
    }
    double decodeSeconds = (System.nanoTime() - t0) / 1e9;

    Path db = dir.resolve("bench.duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(dir.resolve("bench.duckdb.wal"));
    long stored = 0;
    double ingestSeconds;
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard())) {
      IngestService service = new IngestService(sink);
      long t1 = System.nanoTime();
      for (Path f : files) {
        Instant now = Instant.now();
        IngestOutcome o =
            service.ingest(
                "data-streams",
                Files.readAllBytes(f),
                IngestContext.replay(now),
                now.plusSeconds(300));
        stored += o.written().rowsStored();
      }
      ingestSeconds = (System.nanoTime() - t1) / 1e9;
    }
    System.out.printf(
        Locale.ROOT,
        "bulks=%d events=%d stored=%d%n"
            + "decode-only: %.2f s, %.0f events/s%n"
            + "ingest into DuckDB: %.2f s, %.0f events/s%n"
            + "ratio ingest/decode throughput: %.3f%n",
        bulks,
        events,
        stored,
        decodeSeconds,
        events / decodeSeconds,
        ingestSeconds,
        events / ingestSeconds,
        decodeSeconds / ingestSeconds);
  }
}
