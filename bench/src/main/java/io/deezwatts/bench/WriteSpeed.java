package io.deezwatts.bench;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue #15's write-speed bar: what {@code deezwatts ingest} does with BULKS files of 10,000 events
 * (decode, validate, key, stage, insert the new keys) against what a user gets from DuckDB itself
 * on the same files with no validation and no dedup: {@code INSERT INTO t SELECT * FROM
 * read_json(file)}, file by file, and all files in one statement. Each round runs the three on
 * fresh database files, in turn, in this one JVM; medians are printed. The goal is ingest/read_json
 * >= 0.5.
 *
 * <p>Usage: {@code WriteSpeed [BULKS] [DIR] [ROUNDS]} (defaults 100, a temp folder, 3).
 */
public final class WriteSpeed {
  private WriteSpeed() {}

  public static void main(String[] args) throws Exception {
    int bulks = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("deezwatts-write");
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    Instant start = Instant.parse("2026-11-20T06:00:00Z");
    for (int i = 0; i < bulks; i++) {
      Path f = dir.resolve(String.format(Locale.ROOT, "bulk-%03d.json", i));
      if (!Files.exists(f)) {
        // Disjoint ids and consecutive two-hour spans: every event distinct, as from a live feed.
        Files.write(
            f,
            SampleBulk.dataStreams(
                10_000,
                1000 + i,
                400_000_000L + i * 10_000L,
                start.plus(Duration.ofHours(2L * i))));
      }
      files.add(f);
    }
    long[] ingest = new long[rounds];
    long[] perFile = new long[rounds];
    long[] glob = new long[rounds];
    long stored = 0;
    long loaded = 0;
    for (int r = 0; r < rounds; r++) {
      perFile[r] = readJsonPerFile(dir, files, r);
      long[] s = new long[1];
      ingest[r] = ingest(dir, files, r, s);
      stored = s[0];
      long[] n = new long[1];
      glob[r] = readJsonGlob(dir, r, n);
      loaded = n[0];
      System.out.printf(
          Locale.ROOT,
          "round %d: deezwatts ingest %.2f s | read_json per file %.2f s | read_json glob %.2f s%n",
          r + 1,
          ingest[r] / 1e9,
          perFile[r] / 1e9,
          glob[r] / 1e9);
    }
    double in = median(ingest) / 1e9;
    double pf = median(perFile) / 1e9;
    double gl = median(glob) / 1e9;
    long events = bulks * 10_000L;
    System.out.printf(
        Locale.ROOT,
        "%d bulks, %d events; stored %d (ingest), loaded %d (read_json glob)%n"
            + "median deezwatts ingest:     %.2f s  %,.0f events/s%n"
            + "median read_json per file:   %.2f s  %,.0f events/s  ratio ingest/read_json %.2f%n"
            + "median read_json one glob:   %.2f s  %,.0f events/s  ratio ingest/read_json %.2f%n",
        bulks,
        events,
        stored,
        loaded,
        in,
        events / in,
        pf,
        events / pf,
        pf / in,
        gl,
        events / gl,
        gl / in);
  }

  private static long ingest(Path dir, List<Path> files, int round, long[] stored)
      throws Exception {
    Path db = fresh(dir, "ingest-" + round);
    long t0 = System.nanoTime();
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard())) {
      IngestService service = new IngestService(sink);
      for (Path f : files) {
        Instant now = Instant.now();
        IngestOutcome o =
            service.ingest(
                "data-streams",
                Files.readAllBytes(f),
                IngestContext.replay(now),
                now.plusSeconds(300));
        stored[0] += o.written().rowsStored();
      }
    }
    return System.nanoTime() - t0;
  }

  private static long readJsonPerFile(Path dir, List<Path> files, int round) throws Exception {
    Path db = fresh(dir, "per-file-" + round);
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("SET threads = 2");
      // The table's columns as DuckDB infers them from all files (one file alone may hold only
      // nulls in a column), then one INSERT per file, as files arrive.
      s.execute(
          "CREATE TABLE t AS SELECT * FROM read_json('"
              + dir.resolve("bulk-*.json")
              + "') LIMIT 0");
      for (Path f : files) {
        s.execute("INSERT INTO t BY NAME SELECT * FROM read_json('" + f + "')");
      }
      s.execute("CHECKPOINT");
    }
    return System.nanoTime() - t0;
  }

  private static long readJsonGlob(Path dir, int round, long[] loaded) throws Exception {
    Path db = fresh(dir, "glob-" + round);
    long t0 = System.nanoTime();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement()) {
      s.execute("SET threads = 2");
      s.execute("CREATE TABLE t AS SELECT * FROM read_json('" + dir.resolve("bulk-*.json") + "')");
      s.execute("CHECKPOINT");
      try (var rs = s.executeQuery("SELECT count(*) FROM t")) {
        rs.next();
        loaded[0] = rs.getLong(1);
      }
    }
    return System.nanoTime() - t0;
  }

  private static Path fresh(Path dir, String name) throws Exception {
    Path db = dir.resolve(name + ".duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(dir.resolve(name + ".duckdb.wal"));
    return db;
  }

  private static long median(long[] v) {
    long[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
