package io.deezwatts.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start (issue #4): the time from starting a JVM ({@code ProcessBuilder.start}) to the first
 * HTTP 200 for a 10,000-event data-streams bulk, for
 *
 * <ol>
 *   <li>{@code HttpIngestFunction} on the Functions Framework invoker, storing into BigQuery with
 *       {@code insertAll}, here a local WireMock stand-in reached through {@code
 *       DEEZWATTS_BIGQUERY_ENDPOINT};
 *   <li>the same function storing through the Storage Write API (the default), here a gRPC stand-in
 *       ({@link StorageWriteStandIn}, in this process) reached through {@code
 *       DEEZWATTS_BIGQUERY_WRITE_ENDPOINT};
 *   <li>{@link HelloFunction} on the same invoker, same JVM options and class path (the baseline);
 *   <li>{@code deezwatts serve} storing into a fresh DuckDB file.
 * </ol>
 *
 * <p>Optionally also
 *
 * <ul>
 *   <li>{@code --before-jar JAR}: (a0), the same function run from another build's benchmarks jar
 *       (say the commit before a change), interleaved with the others so that one run compares both
 *       builds under the same load;
 *   <li>{@code --appcds true}: (a+) and (b+), the function and the hello function each with its own
 *       dynamic AppCDS archive ({@code -XX:SharedArchiveFile}), made beforehand by one unmeasured
 *       training run of each ({@code -XX:ArchiveClassesAtExit}, two bulks, SIGTERM);
 *   <li>{@code --signed true}: every push carries Connected Cars' {@code X-Request-Signature} (an
 *       RS256 JWT over the body, signed before the run starts) and every variant is given the
 *       public key ({@code DEEZWATTS_SIGNATURE_PUBLIC_KEYS}), so the functions verify it.
 * </ul>
 *
 * <p>The client retries the POST (connection refused: again after 5 ms) until it gets an answer,
 * within a timeout; any answer but 200 fails the run. Each run also times a second, different bulk
 * on the same instance, to separate first-request costs from steady ones, and reads the process's
 * peak RSS ({@code /proc/PID/status} VmHWM) after both. The variants run interleaved, after one
 * unmeasured round that brings the jars into the page cache.
 *
 * <p>Usage: {@code ColdStart --cli-jar cli/target/deezwatts.jar --wiremock-jar PATH [--runs 5]
 * [--jvm-opts "-Xmx384m"] [--work DIR] [--timeout-seconds 60] [--before-jar JAR] [--appcds true]
 * [--signed true]}
 */
public final class ColdStart {
  private static final String INVOKER = "com.google.cloud.functions.invoker.runner.Invoker";
  private static final String PROJECT = "bench-project";
  private static final String DATASET = "bench_dataset";
  private static final int EVENTS = 10_000;
  private static final Pattern STORED = Pattern.compile("\"stored\":(\\d+)");

  /** With --signed: the signer, and each bulk's signature for the run under way. */
  private static PushSigner signer;

  private static final Map<byte[], String> SIGNATURES = new IdentityHashMap<>();

  private ColdStart() {}

  enum Variant {
    FUNCTION("(a) HttpIngestFunction, invoker, insertAll stand-in"),
    FUNCTION_SW("(a-sw) HttpIngestFunction, invoker, Storage Write stand-in"),
    HELLO("(b) HelloFunction, same invoker"),
    SERVE("(c) deezwatts serve, DuckDB"),
    BEFORE("(a0) HttpIngestFunction, --before-jar build"),
    FUNCTION_CDS("(a+) HttpIngestFunction, AppCDS archive"),
    HELLO_CDS("(b+) HelloFunction, AppCDS archive");

    final String label;

    Variant(String label) {
      this.label = label;
    }

    /** Whether it runs the ingest function (else the hello function) on the invoker. */
    boolean isFunction() {
      return this == FUNCTION || this == FUNCTION_SW || this == BEFORE || this == FUNCTION_CDS;
    }
  }

  /**
   * One run's times, in ms from process start.
   *
   * @param listening when the request that got the 200 was sent (the port was open; within 5 ms)
   * @param firstOk when its 200 arrived: the cold start
   * @param secondMs how long a second, different bulk then took on the same instance
   * @param attempts refused connections before that
   * @param peakRssKb the process's peak RSS ({@code VmHWM}) after the two bulks
   * @param cpuMs the CPU time (user and system, all threads: JIT and GC included) the process had
   *     used when the first 200 arrived; on an instance with a fraction of a vCPU this, more than
   *     the wall time on these 2 cores, is what a cold start costs
   */
  record Run(
      double listening,
      double firstOk,
      double secondMs,
      int attempts,
      long peakRssKb,
      long cpuMs) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = options(args);
    int runs = Integer.parseInt(opt.getOrDefault("runs", "5"));
    List<String> jvmOpts =
        Arrays.asList(opt.getOrDefault("jvm-opts", "-Xmx384m").trim().split("\\s+"));
    Path cliJar = Path.of(require(opt, "cli-jar")).toAbsolutePath();
    Path wiremockJar = Path.of(require(opt, "wiremock-jar")).toAbsolutePath();
    Path work = Path.of(opt.getOrDefault("work", "bench/target/serve-bench")).toAbsolutePath();
    Path beforeJar =
        opt.containsKey("before-jar") ? Path.of(opt.get("before-jar")).toAbsolutePath() : null;
    boolean appCds = Boolean.parseBoolean(opt.getOrDefault("appcds", "false"));
    if (Boolean.parseBoolean(opt.getOrDefault("signed", "false"))) {
      signer = new PushSigner();
    }
    List<Variant> variants =
        new ArrayList<>(List.of(Variant.FUNCTION, Variant.FUNCTION_SW, Variant.HELLO));
    if (beforeJar != null) {
      variants.add(Variant.BEFORE);
    }
    if (appCds) {
      variants.add(Variant.FUNCTION_CDS);
      variants.add(Variant.HELLO_CDS);
    }
    variants.add(Variant.SERVE);
    Duration timeout =
        Duration.ofSeconds(Long.parseLong(opt.getOrDefault("timeout-seconds", "60")));
    for (Path p :
        beforeJar == null
            ? List.of(cliJar, wiremockJar)
            : List.of(cliJar, wiremockJar, beforeJar)) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException(p + " does not exist; build first");
      }
    }
    Files.createDirectories(work);
    Path logs = Files.createDirectories(work.resolve("logs"));

    byte[] first = SampleBulk.dataStreams(EVENTS, 42, 1_000_000_000L);
    byte[] second = SampleBulk.dataStreams(EVENTS, 43, 1_000_010_000L);
    String token = Processes.newToken();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    System.out.printf(
        Locale.ROOT,
        "cold start: %d runs per variant (+1 unmeasured), JVM options %s, bulk %d events, %.2f MB%s;"
            + " %s%n",
        runs,
        String.join(" ", jvmOpts),
        EVENTS,
        first.length / 1e6,
        signer == null ? "" : ", signed (X-Request-Signature, RS256)",
        Processes.loadAverage());

    Process wiremock = null;
    Process child = null;
    Map<Variant, List<Run>> results = new EnumMap<>(Variant.class);
    try (StorageWriteStandIn storageWrite = new StorageWriteStandIn()) {
      int wmPort = Processes.freePort();
      wiremock = startWireMock(wiremockJar, work.resolve("wiremock"), wmPort, logs);
      awaitWireMock(client, wmPort, wiremock, timeout);
      Path cds = Files.createDirectories(work.resolve("appcds"));
      Map<Variant, Path> archives = new EnumMap<>(Variant.class);
      if (appCds) {
        for (Variant v : List.of(Variant.FUNCTION_CDS, Variant.HELLO_CDS)) {
          Path archive = cds.resolve(v.name().toLowerCase(Locale.ROOT) + ".jsa");
          Files.deleteIfExists(archive);
          Path log = logs.resolve(v.name().toLowerCase(Locale.ROOT) + "-training.log");
          Files.deleteIfExists(log);
          List<String> cmd = new ArrayList<>();
          cmd.add(Processes.java());
          cmd.addAll(jvmOpts);
          cmd.add("-XX:ArchiveClassesAtExit=" + archive);
          int port = Processes.freePort();
          cmd.addAll(invoker(v, port, Processes.benchmarksJar()));
          URI uri = URI.create("http://localhost:" + port + "/data-streams");
          signBeforeTheRun(first, second);
          try {
            long t0 = System.nanoTime();
            child = Processes.start(cmd, invokerEnv(v, token, wmPort, storageWrite), log);
            measure(client, uri, token, first, second, child, t0, timeout, v, log);
          } finally {
            Processes.stop(child, 60); // SIGTERM: the JVM writes the archive as it exits
            child = null;
          }
          if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException(
                "no AppCDS archive was written for " + v.label + ":\n" + Processes.tail(log, 20));
          }
          archives.put(v, archive);
          System.out.printf(
              Locale.ROOT, "AppCDS archive for %s: %.1f MB%n", v.label, Files.size(archive) / 1e6);
        }
      }

      for (int round = 0; round <= runs; round++) {
        for (Variant v : variants) {
          int port = v == Variant.SERVE ? Processes.freePortPair() : Processes.freePort();
          Path log = logs.resolve(v.name().toLowerCase(Locale.ROOT) + "-" + round + ".log");
          Files.deleteIfExists(log);
          List<String> cmd = new ArrayList<>();
          cmd.add(Processes.java());
          cmd.addAll(jvmOpts);
          if (archives.containsKey(v)) {
            cmd.add("-XX:SharedArchiveFile=" + archives.get(v));
          }
          Map<String, String> env;
          if (v == Variant.SERVE) {
            Path db = work.resolve("cold-" + round + ".duckdb");
            Files.deleteIfExists(db);
            Files.deleteIfExists(Path.of(db + ".wal"));
            cmd.addAll(
                List.of(
                    "-jar",
                    cliJar.toString(),
                    "serve",
                    "--port",
                    "" + port,
                    "--sink",
                    "duckdb:" + db));
            env = Processes.environment(withSignatureKey(Map.of("DEEZWATTS_HTTP_TOKEN", token)));
          } else {
            cmd.addAll(
                invoker(v, port, v == Variant.BEFORE ? beforeJar : Processes.benchmarksJar()));
            env = invokerEnv(v, token, wmPort, storageWrite);
          }
          URI uri = URI.create("http://localhost:" + port + "/data-streams");
          signBeforeTheRun(first, second);
          try {
            long t0 = System.nanoTime();
            child = Processes.start(cmd, env, log);
            Run run = measure(client, uri, token, first, second, child, t0, timeout, v, log);
            String tag = round == 0 ? "warm-up" : "run " + round;
            System.out.printf(
                Locale.ROOT,
                "%-8s %-52s first 200 at %6.0f ms (port open %5.0f ms, first request %5.0f ms,"
                    + " %d refused, CPU %5d ms), second bulk %4.0f ms, peak RSS %d MiB%n",
                tag,
                v.label,
                run.firstOk(),
                run.listening(),
                run.firstOk() - run.listening(),
                run.attempts(),
                run.cpuMs(),
                run.secondMs(),
                run.peakRssKb() / 1024);
            if (round > 0) {
              results.computeIfAbsent(v, k -> new ArrayList<>()).add(run);
            }
          } finally {
            Processes.stop(child, 20);
            child = null;
          }
        }
      }
    } finally {
      Processes.stop(child, 5);
      Processes.stop(wiremock, 10);
    }
    System.out.println("done; " + Processes.loadAverage());
    report(results, runs, jvmOpts);
  }

  /** The invoker's arguments for a function variant, from the class path {@code jar}. */
  private static List<String> invoker(Variant v, int port, Path jar) {
    String target =
        v.isFunction() ? "io.deezwatts.gcp.HttpIngestFunction" : HelloFunction.class.getName();
    return List.of("-cp", jar.toString(), INVOKER, "--port", "" + port, "--target", target);
  }

  /**
   * The invoker's environment: the push token, the BigQuery sink on a stand-in: the Storage Write
   * one for (a-sw), else insertAll on WireMock.
   */
  private static Map<String, String> invokerEnv(
      Variant v, String token, int wmPort, StorageWriteStandIn storageWrite) {
    if (v == Variant.FUNCTION_SW) {
      return Processes.environment(
          withSignatureKey(
              Map.of(
                  "DEEZWATTS_HTTP_TOKEN",
                  token,
                  "DEEZWATTS_SINK",
                  "bigquery:" + PROJECT + "." + DATASET,
                  "DEEZWATTS_BIGQUERY_WRITE_ENDPOINT",
                  storageWrite.endpoint())));
    }
    return Processes.environment(
        withSignatureKey(
            Map.of(
                "DEEZWATTS_HTTP_TOKEN",
                token,
                "DEEZWATTS_SINK",
                "bigquery:" + PROJECT + "." + DATASET,
                "DEEZWATTS_BIGQUERY_API",
                "insertall",
                "DEEZWATTS_BIGQUERY_ENDPOINT",
                "http://localhost:" + wmPort)));
  }

  /** {@code env} plus, with --signed, the public key every push is signed for. */
  private static Map<String, String> withSignatureKey(Map<String, String> env) {
    if (signer == null) {
      return env;
    }
    Map<String, String> all = new HashMap<>(env);
    all.put("DEEZWATTS_SIGNATURE_PUBLIC_KEYS", signer.publicPem());
    return all;
  }

  /** With --signed, signs the run's bulks now (issued now: well inside the tolerance). */
  private static void signBeforeTheRun(byte[]... bulks) {
    SIGNATURES.clear();
    if (signer != null) {
      for (byte[] bulk : bulks) {
        SIGNATURES.put(bulk, signer.sign(bulk));
      }
    }
  }

  private static Run measure(
      HttpClient client,
      URI uri,
      String token,
      byte[] first,
      byte[] second,
      Process child,
      long t0,
      Duration timeout,
      Variant v,
      Path log)
      throws IOException, InterruptedException {
    long deadline = t0 + timeout.toNanos();
    int refused = 0;
    String lastError = null;
    while (true) {
      if (!child.isAlive()) {
        throw new IllegalStateException(
            v.label + " exited with " + child.exitValue() + ":\n" + Processes.tail(log, 20));
      }
      long sent = System.nanoTime();
      if (sent > deadline || refused > 20_000) {
        throw new IllegalStateException(
            v.label
                + ": no answer within "
                + timeout
                + " ("
                + lastError
                + "):\n"
                + Processes.tail(log, 20));
      }
      HttpResponse<String> r;
      try {
        r = client.send(post(uri, token, first, Duration.ofNanos(deadline - sent)), ofString());
      } catch (IOException e) { // connection refused while the server starts
        refused++;
        lastError = e.toString();
        Thread.sleep(5);
        continue;
      }
      long ok = System.nanoTime();
      long cpu = Processes.cpuMillis(child.pid());
      check(v, r, log);
      long s0 = System.nanoTime();
      HttpResponse<String> r2 = client.send(post(uri, token, second, timeout), ofString());
      long s1 = System.nanoTime();
      check(v, r2, log);
      long hwm = Processes.procStatusKb(child.pid(), "VmHWM");
      return new Run((sent - t0) / 1e6, (ok - t0) / 1e6, (s1 - s0) / 1e6, refused, hwm, cpu);
    }
  }

  private static void check(Variant v, HttpResponse<String> r, Path log) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException(
          v.label
              + " answered "
              + r.statusCode()
              + ": "
              + r.body()
              + "\n"
              + Processes.tail(log, 20));
    }
    if (v != Variant.HELLO && v != Variant.HELLO_CDS) {
      Matcher m = STORED.matcher(r.body());
      if (!m.find() || Integer.parseInt(m.group(1)) != EVENTS) {
        throw new IllegalStateException(v.label + " did not store every event: " + r.body());
      }
    }
  }

  private static HttpRequest post(URI uri, String token, byte[] body, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    String signature = SIGNATURES.get(body);
    if (signature != null) {
      b.header("X-Request-Signature", signature);
    }
    return b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  /**
   * WireMock answering every insertAll of the bench dataset as BigQuery does when all is stored.
   */
  private static Process startWireMock(Path jar, Path root, int port, Path logs)
      throws IOException {
    Path mappings = Files.createDirectories(root.resolve("mappings"));
    Files.writeString(
        mappings.resolve("insert-all.json"),
        "{\"request\":{\"method\":\"POST\",\"urlPathPattern\":\"/bigquery/v2/projects/"
            + PROJECT
            + "/datasets/"
            + DATASET
            + "/tables/.*/insertAll\"},\"response\":{\"status\":200,\"headers\":{\"Content-Type\":"
            + "\"application/json\"},\"body\":\"{\\\"kind\\\":\\\"bigquery#tableDataInsertAllResponse\\\"}\"}}\n");
    Path log = logs.resolve("wiremock.log");
    Files.deleteIfExists(log);
    return Processes.start(
        List.of(
            Processes.java(),
            "-Xmx512m",
            "-jar",
            jar.toString(),
            "--port",
            "" + port,
            "--bind-address",
            "127.0.0.1",
            "--root-dir",
            root.toString(),
            "--no-request-journal",
            "--disable-request-logging",
            "--disable-banner"),
        Processes.environment(Map.of()),
        log);
  }

  /** Waits for WireMock, then checks its stub answers an insertAll like BigQuery. */
  private static void awaitWireMock(HttpClient client, int port, Process wiremock, Duration timeout)
      throws IOException, InterruptedException {
    URI uri =
        URI.create(
            "http://localhost:"
                + port
                + "/bigquery/v2/projects/"
                + PROJECT
                + "/datasets/"
                + DATASET
                + "/tables/vehicle_events/insertAll");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!wiremock.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("WireMock did not start on port " + port);
      }
      try {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"rows\":[]}"))
                    .build(),
                ofString());
        if (r.statusCode() != 200 || !r.body().contains("tableDataInsertAllResponse")) {
          throw new IllegalStateException(
              "WireMock stub answered " + r.statusCode() + ": " + r.body());
        }
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
  }

  private static void report(Map<Variant, List<Run>> results, int runs, List<String> jvmOpts) {
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "| Variant (%d runs, %s) | first 200, median | min – max | port open, median |"
            + " first request, median | CPU to first 200, median | second bulk, median |"
            + " peak RSS after both, median |%n",
        runs,
        String.join(" ", jvmOpts));
    System.out.println("|---|---|---|---|---|---|---|---|");
    Map<Variant, Double> medians = new EnumMap<>(Variant.class);
    Map<Variant, Double> cpu = new EnumMap<>(Variant.class);
    for (Variant v : results.keySet()) {
      List<Run> rs = results.get(v);
      List<Double> total = rs.stream().map(Run::firstOk).toList();
      double med = Processes.median(total);
      medians.put(v, med);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f ms | %.0f – %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f ms | %.0f MiB |%n",
          v.label,
          med,
          total.stream().mapToDouble(d -> d).min().orElseThrow(),
          total.stream().mapToDouble(d -> d).max().orElseThrow(),
          Processes.median(rs.stream().map(Run::listening).toList()),
          Processes.median(rs.stream().map(r -> r.firstOk() - r.listening()).toList()),
          cpu.computeIfAbsent(
              v, k -> Processes.median(rs.stream().map(r -> (double) r.cpuMs()).toList())),
          Processes.median(rs.stream().map(Run::secondMs).toList()),
          Processes.median(rs.stream().map(r -> r.peakRssKb() / 1024.0).toList()));
    }
    double ratio = medians.get(Variant.FUNCTION) / medians.get(Variant.HELLO);
    System.out.printf(
        Locale.ROOT,
        "%nratio (a)/(b), medians: %.2f  (goal <= 2: %s); CPU to first 200: %.2f%n",
        ratio,
        ratio <= 2 ? "met" : "NOT met",
        cpu.get(Variant.FUNCTION) / cpu.get(Variant.HELLO));
    double swRatio = medians.get(Variant.FUNCTION_SW) / medians.get(Variant.HELLO);
    System.out.printf(
        Locale.ROOT,
        "ratio (a-sw)/(b), medians: %.2f  (Storage Write API; goal <= 2: %s); CPU to first 200:"
            + " %.2f%n",
        swRatio,
        swRatio <= 2 ? "met" : "NOT met",
        cpu.get(Variant.FUNCTION_SW) / cpu.get(Variant.HELLO));
    System.out.printf(
        Locale.ROOT,
        "ratio (c)/(b), medians: %.2f  (serve on DuckDB, for comparison)%n",
        medians.get(Variant.SERVE) / medians.get(Variant.HELLO));
    if (medians.containsKey(Variant.BEFORE)) {
      System.out.printf(
          Locale.ROOT,
          "ratio (a0)/(b), medians: %.2f  (the --before-jar build)%n",
          medians.get(Variant.BEFORE) / medians.get(Variant.HELLO));
    }
    if (medians.containsKey(Variant.FUNCTION_CDS)) {
      System.out.printf(
          Locale.ROOT,
          "ratio (a+)/(b), medians: %.2f  (function with AppCDS against the plain hello)%n"
              + "ratio (a+)/(b+), medians: %.2f  (both with AppCDS)%n",
          medians.get(Variant.FUNCTION_CDS) / medians.get(Variant.HELLO),
          medians.get(Variant.FUNCTION_CDS) / medians.get(Variant.HELLO_CDS));
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> opt = new java.util.HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs, got " + Arrays.toString(args));
      }
      opt.put(args[i].substring(2), args[++i]);
    }
    return opt;
  }

  static String require(Map<String, String> opt, String name) {
    String v = opt.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }
}
