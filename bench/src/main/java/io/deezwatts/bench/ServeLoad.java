package io.deezwatts.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Warm throughput, latency and memory of {@code deezwatts serve} (issue #4). For each sink and
 * client count C: starts {@code java JVM_OPTS -jar deezwatts.jar serve} on a fresh DuckDB file (the
 * local default) or on the BigQuery sink the cloud function uses, with {@code insertAll} pointed at
 * a local {@link InsertAllStandIn} ({@code bigquery}) or through the Storage Write API pointed at a
 * local {@link StorageWriteStandIn} ({@code bigquery-sw}; no BigQuery can be reached here), warms
 * it up, then has C concurrent clients POST distinct 10,000-event data-streams bulks (disjoint
 * event ids, so nothing is a duplicate) for the measured time; reports bulks/s, events/s, p50/p99
 * latency and errors, samples the process's RSS throughout and reads its peak ({@code VmHWM})
 * before stopping it with SIGTERM; then checks the stored count equals the count sent (rows in the
 * DuckDB file, or rows the stand-in received).
 *
 * <p>Every loop is bounded: by time, by {@code --max-bulks} per phase, and by a join timeout.
 *
 * <p>By default serve also runs with {@code -XX:NativeMemoryTracking=summary} ({@code --nmt false}
 * to leave it out), so that {@code jcmd} can split the RSS into what the JVM allocated and what it
 * does not track (DuckDB's native memory).
 *
 * <p>Usage: {@code ServeLoad --cli-jar cli/target/deezwatts.jar [--sinks
 * duckdb,bigquery,bigquery-sw] [--clients 2,4] [--seconds 60] [--warmup-seconds 8] [--jvm-opts
 * "-Xmx384m"] [--nmt true] [--work DIR] [--max-bulks 2000] [--keep-db false]}
 */
public final class ServeLoad {
  private static final int EVENTS = 10_000;
  private static final long MIB = 1024 * 1024;
  private static final Pattern EVENTS_FIELD = Pattern.compile("\"events\":(\\d+)");
  private static final Pattern STORED_FIELD = Pattern.compile("\"stored\":(\\d+)");
  private static final Pattern QUARANTINED_FIELD = Pattern.compile("\"quarantined\":(\\d+)");

  private ServeLoad() {}

  /** What one phase (warm-up or measured) did. */
  static final class Phase {
    final List<Long> latenciesNanos = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong eventsSent = new AtomicLong();
    final AtomicLong eventsAcknowledged = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong quarantined = new AtomicLong();
    final AtomicLong lastDone = new AtomicLong();
    long start;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = ColdStart.options(args);
    Path cliJar = Path.of(ColdStart.require(opt, "cli-jar")).toAbsolutePath();
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalArgumentException(cliJar + " does not exist; build first");
    }
    List<Integer> clients =
        Arrays.stream(opt.getOrDefault("clients", "2,4").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    int seconds = Integer.parseInt(opt.getOrDefault("seconds", "60"));
    int warmupSeconds = Integer.parseInt(opt.getOrDefault("warmup-seconds", "8"));
    int maxBulks = Integer.parseInt(opt.getOrDefault("max-bulks", "2000"));
    List<String> jvmOpts =
        Arrays.asList(opt.getOrDefault("jvm-opts", "-Xmx384m").trim().split("\\s+"));
    Path work = Path.of(opt.getOrDefault("work", "bench/target/serve-bench")).toAbsolutePath();
    boolean nmt = Boolean.parseBoolean(opt.getOrDefault("nmt", "true"));
    boolean keepDb = Boolean.parseBoolean(opt.getOrDefault("keep-db", "false"));
    Path logs = Files.createDirectories(work.resolve("logs"));

    List<String> sinks =
        Arrays.stream(opt.getOrDefault("sinks", "duckdb").split(",")).map(String::trim).toList();
    for (String sink : sinks) {
      if (!List.of("duckdb", "bigquery", "bigquery-sw").contains(sink)) {
        throw new IllegalArgumentException(
            "--sinks takes duckdb, bigquery (insertAll) and/or bigquery-sw (Storage Write API), not "
                + sink);
      }
    }
    List<String> table = new ArrayList<>();
    boolean allGood = true;
    for (String sink : sinks) {
      for (int c : clients) {
        String row =
            run(
                sink,
                c,
                seconds,
                warmupSeconds,
                maxBulks,
                jvmOpts,
                nmt,
                keepDb,
                cliJar,
                work,
                logs);
        allGood &= !row.contains("FAIL");
        table.add(row);
      }
    }
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| Sink | Clients (%d s, JVM %s) | bulks/s | events/s | p50 | p99 | max | errors |"
            + " events sent = stored | peak RSS (VmHWM) | max sampled RSS |%n",
        seconds,
        String.join(" ", jvmOpts));
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    table.forEach(System.out::println);
    if (!allGood) {
      System.exit(1);
    }
  }

  private static String run(
      String sinkKind,
      int clients,
      int seconds,
      int warmupSeconds,
      int maxBulks,
      List<String> jvmOpts,
      boolean nmt,
      boolean keepDb,
      Path cliJar,
      Path work,
      Path logs)
      throws Exception {
    boolean storageWrite = sinkKind.equals("bigquery-sw");
    boolean bigQuery = storageWrite || sinkKind.equals("bigquery");
    Path db = work.resolve("load-c" + clients + ".duckdb");
    Files.deleteIfExists(db);
    Files.deleteIfExists(Path.of(db + ".wal"));
    String sinkUri = bigQuery ? "bigquery:bench-project.bench_dataset" : "duckdb:" + db;
    Path log = logs.resolve("serve-load-" + sinkKind + "-c" + clients + ".log");
    Files.deleteIfExists(log);
    int port = Processes.freePortPair();
    String token = Processes.newToken();
    List<String> cmd = new ArrayList<>();
    cmd.add(Processes.java());
    cmd.addAll(jvmOpts);
    if (nmt) {
      cmd.add("-XX:NativeMemoryTracking=summary");
    }
    cmd.addAll(List.of("-jar", cliJar.toString(), "serve", "--port", "" + port, "--sink", sinkUri));
    URI uri = URI.create("http://localhost:" + port + "/data-streams");
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    AtomicLong nextBulk = new AtomicLong();

    System.out.printf(
        Locale.ROOT,
        "%nserve, %d clients (%s): %s ... serve --port %d --sink %s%n",
        clients,
        Processes.loadAverage(),
        String.join(" ", jvmOpts),
        port,
        bigQuery
            ? sinkUri + (storageWrite ? " (Storage Write stand-in)" : " (insertAll stand-in)")
            : "duckdb:" + work.relativize(db));
    InsertAllStandIn standIn = bigQuery && !storageWrite ? new InsertAllStandIn() : null;
    StorageWriteStandIn swStandIn = storageWrite ? new StorageWriteStandIn() : null;
    Map<String, String> env;
    if (storageWrite) {
      env =
          Map.of(
              "DEEZWATTS_HTTP_TOKEN",
              token,
              "DEEZWATTS_BIGQUERY_WRITE_ENDPOINT",
              swStandIn.endpoint());
    } else if (bigQuery) {
      env =
          Map.of(
              "DEEZWATTS_HTTP_TOKEN",
              token,
              "DEEZWATTS_BIGQUERY_API",
              "insertall",
              "DEEZWATTS_BIGQUERY_ENDPOINT",
              standIn.endpoint());
    } else {
      env = Map.of("DEEZWATTS_HTTP_TOKEN", token);
    }
    Process serve = null;
    Phase warm;
    Phase measured;
    long hwmKb;
    long rssEndKb;
    long[] maxSampledKb = {0};
    List<long[]> samples = Collections.synchronizedList(new ArrayList<>());
    Nmt nativeMemory = null;
    int exit;
    try {
      serve = Processes.start(cmd, Processes.environment(env), log);
      long pid = serve.pid();
      awaitListening(http, uri, serve, log, Duration.ofSeconds(60));
      long sampling = System.nanoTime();
      Thread sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  long kb = Processes.procStatusKb(pid, "VmRSS");
                  samples.add(new long[] {System.nanoTime() - sampling, kb});
                  synchronized (maxSampledKb) {
                    maxSampledKb[0] = Math.max(maxSampledKb[0], kb);
                  }
                  try {
                    Thread.sleep(200);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "rss-sampler");
      sampler.setDaemon(true);
      sampler.start();
      try {
        warm = phase(http, uri, token, clients, warmupSeconds, maxBulks, nextBulk);
        System.out.printf(
            Locale.ROOT,
            "  warm-up: %d bulks in %d s, %d errors%n",
            warm.ok.get(),
            warmupSeconds,
            warm.errors.get());
        measured = phase(http, uri, token, clients, seconds, maxBulks, nextBulk);
        hwmKb = Processes.procStatusKb(pid, "VmHWM");
        rssEndKb = Processes.procStatusKb(pid, "VmRSS");
        if (nmt) {
          nativeMemory = nativeMemorySummary(pid);
        }
      } finally {
        sampler.interrupt();
        sampler.join(2_000);
      }
      if (!serve.isAlive()) {
        throw new IllegalStateException("serve died:\n" + Processes.tail(log, 30));
      }
    } finally {
      exit = Processes.stop(serve, 60);
      if (standIn != null) {
        standIn.close();
      }
      if (swStandIn != null) {
        swStandIn.close();
      }
    }

    double elapsed = (measured.lastDone.get() - measured.start) / 1e9;
    List<Long> lat = new ArrayList<>(measured.latenciesNanos);
    lat.sort(null);
    long bulks = measured.ok.get();
    double p50 = percentile(lat, 50);
    double p99 = percentile(lat, 99);
    double max = lat.isEmpty() ? Double.NaN : lat.get(lat.size() - 1) / 1e6;
    long errors = warm.errors.get() + measured.errors.get();

    long sent = warm.eventsSent.get() + measured.eventsSent.get();
    long acknowledged = warm.eventsAcknowledged.get() + measured.eventsAcknowledged.get();
    long storedByAnswers = warm.stored.get() + measured.stored.get();
    long quarantinedByAnswers = warm.quarantined.get() + measured.quarantined.get();
    long[] counts =
        storageWrite
            ? new long[] {swStandIn.rows(), 0, 0}
            : bigQuery ? new long[] {standIn.rows(), 0, 0} : count(db);
    long inTables = counts[0] + counts[1];
    long fileBytes =
        bigQuery
            ? 0
            : Files.size(db)
                + (Files.exists(Path.of(db + ".wal")) ? Files.size(Path.of(db + ".wal")) : 0);
    System.out.printf(
        Locale.ROOT,
        "  measured: %d bulks (%d events) in %.1f s: %.2f bulks/s, %.0f events/s;"
            + " latency p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d errors (warm-up and measured)%n",
        bulks,
        measured.eventsAcknowledged.get(),
        elapsed,
        bulks / elapsed,
        measured.eventsAcknowledged.get() / elapsed,
        p50,
        p99,
        max,
        errors);
    System.out.printf(
        Locale.ROOT,
        "  memory: VmHWM %d MiB (peak RSS), VmRSS sampled every 200 ms: max %d MiB, at the end %d"
            + " MiB; 512 MiB instance: %s%n",
        hwmKb / 1024,
        maxSampledKb[0] / 1024,
        rssEndKb / 1024,
        hwmKb * 1024 <= 512 * MIB ? "fits" : "does NOT fit");
    System.out.println("  RSS over time (s since serve listened: MiB): " + timeline(samples, 10));
    if (nativeMemory != null) {
      System.out.println(
          "  JVM native memory tracking at the end, committed: " + nativeMemory.text());
      if (nativeMemory.committedKb() > 0) {
        System.out.printf(
            Locale.ROOT,
            "  RSS at the end minus JVM-committed: %d MiB (memory the JVM does not track: native"
                + " libraries' allocations, DuckDB's with the DuckDB sink; malloc arenas)%n",
            (rssEndKb - nativeMemory.committedKb()) / 1024);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "  serve stopped by SIGTERM, exit status %d%n"
            + "  events sent %d (warm-up included), acknowledged %d, stored per answers %d,"
            + " quarantined %d%n",
        exit,
        sent,
        acknowledged,
        storedByAnswers,
        quarantinedByAnswers);
    if (storageWrite) {
      System.out.printf(
          Locale.ROOT,
          "  Storage Write stand-in: %d rows (%.0f serialized bytes/row) in %d appends%n",
          swStandIn.rows(),
          (double) swStandIn.rowBytes() / Math.max(1, swStandIn.rows()),
          swStandIn.appends());
    } else if (bigQuery) {
      System.out.printf(
          Locale.ROOT,
          "  BigQuery stand-in: %d rows in %d insertAll requests, %d other requests%n",
          standIn.rows(),
          standIn.requests(),
          standIn.refused());
    } else {
      System.out.printf(
          Locale.ROOT,
          "  in DuckDB: vehicle_events %d + admin_events %d = %d, quarantine %d; file %.0f MB%n",
          counts[0],
          counts[1],
          inTables,
          counts[2],
          fileBytes / 1e6);
    }
    boolean countOk =
        inTables == sent
            && errors == 0
            && acknowledged == sent
            && (standIn == null || standIn.refused() == 0);
    System.out.println("  after the load: " + Processes.loadAverage());
    if (!keepDb && !bigQuery) { // a minute of load writes about 0.5-1 GB
      Files.deleteIfExists(db);
      Files.deleteIfExists(Path.of(db + ".wal"));
    }
    System.out.println(
        "  stored count = sent count: " + (countOk ? "yes" : "FAIL (see the counts above)"));
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.2f | %,.0f | %.0f ms | %.0f ms | %.0f ms | %d | %,d = %,d%s | %d MiB | %d MiB |",
        sinkKind,
        clients,
        bulks / elapsed,
        measured.eventsAcknowledged.get() / elapsed,
        p50,
        p99,
        max,
        errors,
        sent,
        inTables,
        countOk ? "" : " FAIL",
        hwmKb / 1024,
        maxSampledKb[0] / 1024);
  }

  /**
   * C clients POST distinct bulks until {@code seconds} have passed (requests in flight then are
   * completed and counted) or {@code maxBulks} were sent.
   */
  private static Phase phase(
      HttpClient http,
      URI uri,
      String token,
      int clients,
      int seconds,
      int maxBulks,
      AtomicLong nextBulk)
      throws InterruptedException {
    Phase ph = new Phase();
    AtomicLong issued = new AtomicLong();
    ph.start = System.nanoTime();
    long end = ph.start + seconds * 1_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(
              () -> {
                while (System.nanoTime() < end && issued.incrementAndGet() <= maxBulks) {
                  long n = nextBulk.getAndIncrement();
                  byte[] body =
                      SampleBulk.dataStreams(EVENTS, 9_000 + n, 2_000_000_000L + n * EVENTS);
                  ph.eventsSent.addAndGet(EVENTS);
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<String> r =
                        http.send(
                            HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(120))
                                .header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    long t1 = System.nanoTime();
                    ph.lastDone.accumulateAndGet(t1, Math::max);
                    if (r.statusCode() == 200) {
                      ph.ok.incrementAndGet();
                      ph.latenciesNanos.add(t1 - t0);
                      ph.eventsAcknowledged.addAndGet(field(EVENTS_FIELD, r.body()));
                      ph.stored.addAndGet(field(STORED_FIELD, r.body()));
                      ph.quarantined.addAndGet(field(QUARANTINED_FIELD, r.body()));
                    } else {
                      error(ph, "HTTP " + r.statusCode() + ": " + r.body());
                    }
                  } catch (IOException e) {
                    ph.lastDone.accumulateAndGet(System.nanoTime(), Math::max);
                    error(ph, e.toString());
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                }
              },
              "client-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(Math.max(1, end - System.nanoTime()) / 1_000_000 + 150_000);
      if (t.isAlive()) {
        t.interrupt();
        error(ph, t.getName() + " did not finish in time");
      }
    }
    return ph;
  }

  private static void error(Phase ph, String what) {
    if (ph.errors.incrementAndGet() <= 5) {
      System.out.println("  error: " + what);
    }
  }

  private static long field(Pattern p, String json) {
    Matcher m = p.matcher(json);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Retries a GET until serve answers anything (it answers 405: push is POST only). */
  private static void awaitListening(
      HttpClient http, URI uri, Process serve, Path log, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!serve.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("serve did not start:\n" + Processes.tail(log, 30));
      }
      try {
        http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
  }

  /** Every {@code step}-th second's RSS sample, and the last. */
  private static String timeline(List<long[]> samples, int step) {
    StringBuilder sb = new StringBuilder();
    long next = 0;
    synchronized (samples) {
      for (long[] s : samples) {
        if (s[0] >= next * 1_000_000_000L) {
          sb.append(String.format(Locale.ROOT, "%ds %d, ", s[0] / 1_000_000_000L, s[1] / 1024));
          next = s[0] / 1_000_000_000L / step * step + step;
        }
      }
      if (!samples.isEmpty()) {
        long[] last = samples.get(samples.size() - 1);
        sb.append(String.format(Locale.ROOT, "end %d", last[1] / 1024));
      }
    }
    return sb.toString();
  }

  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern NMT_CATEGORY =
      Pattern.compile("-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=\\d+KB, committed=(\\d+)KB");

  /**
   * The JVM's own view of its committed memory (heap, class metadata, threads, code, GC...), from
   * {@code jcmd PID VM.native_memory summary}: what the JVM allocates; the rest of the RSS is
   * memory the JVM does not track, here DuckDB's native allocations.
   */
  record Nmt(long committedKb, String text) {}

  private static Nmt nativeMemorySummary(long pid) {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  "" + pid,
                  "VM.native_memory",
                  "summary")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Nmt(-1, "(jcmd timed out)");
      }
      Matcher total = NMT_TOTAL.matcher(out);
      if (!total.find()) {
        return new Nmt(-1, "(no summary: " + out.strip().lines().findFirst().orElse("") + ")");
      }
      StringBuilder sb =
          new StringBuilder(
              String.format(Locale.ROOT, "total %d MiB", Long.parseLong(total.group(2)) / 1024));
      Matcher m = NMT_CATEGORY.matcher(out);
      List<String[]> cats = new ArrayList<>();
      while (m.find()) {
        cats.add(new String[] {m.group(1).trim(), m.group(2)});
      }
      cats.sort((a, b) -> Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1])));
      for (String[] c : cats.subList(0, Math.min(6, cats.size()))) {
        sb.append(String.format(Locale.ROOT, ", %s %d MiB", c[0], Long.parseLong(c[1]) / 1024));
      }
      return new Nmt(Long.parseLong(total.group(2)), sb.toString());
    } catch (IOException e) {
      return new Nmt(-1, "(jcmd failed: " + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Nmt(-1, "(interrupted)");
    }
  }

  /** Nearest-rank percentile, in ms. */
  private static double percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1)) / 1e6;
  }

  /** Rows in vehicle_events, admin_events and quarantine of the (closed) DuckDB file. */
  private static long[] count(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM vehicle_events), (SELECT count(*) FROM admin_events),"
                    + " (SELECT count(*) FROM quarantine)")) {
      r.next();
      return new long[] {r.getLong(1), r.getLong(2), r.getLong(3)};
    }
  }
}
