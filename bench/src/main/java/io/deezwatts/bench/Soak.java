package io.deezwatts.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue #15's soak: {@code deezwatts serve} on a fresh DuckDB file, fed distinct 10,000-event bulks
 * by C clients until ROWS rows, its RSS sampled every second; meanwhile {@code deezwatts sql}
 * queries the file through the running process every few seconds. Then serve is stopped (SIGTERM;
 * the file must be left with no WAL), started again on the same file and fed more bulks, and its
 * RSS read again; last, the stored count is checked against what was sent.
 *
 * <p>Bulks follow each other in time (two hours each), as a live feed's do. Every loop is bounded
 * by the row target and a time limit.
 *
 * <p>Usage: {@code Soak --cli-jar JAR --work DIR [--rows N] [--clients C] [--jvm-opts OPTS]
 * [--max-minutes M]}.
 */
public final class Soak {
  private Soak() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Path cliJar = Path.of(a.getOrDefault("cli-jar", "cli/target/deezwatts.jar"));
    Path work = Path.of(a.getOrDefault("work", "bench/target/soak"));
    long rows = Long.parseLong(a.getOrDefault("rows", "10000000"));
    int clients = Integer.parseInt(a.getOrDefault("clients", "2"));
    String jvmOpts = a.getOrDefault("jvm-opts", "");
    long maxMinutes = Long.parseLong(a.getOrDefault("max-minutes", "60"));
    Path db = Serve.freshDatabase(work, "soak");
    String token = Processes.newToken();
    Map<String, String> env = Serve.environment(token, db);
    System.out.println("serve: " + jvmOpts + " " + Serve.duckDbSettings());
    System.out.println(
        "soak: " + rows + " rows, " + clients + " clients; " + Processes.loadAverage());

    Serve serve = Serve.start(cliJar, jvmOpts, env, work.resolve("serve-1.log"));
    AtomicLong sent = new AtomicLong();
    AtomicLong nextBulk = new AtomicLong();
    long bulks = (rows + 9_999) / 10_000;
    List<long[]> samples = new ArrayList<>(); // {seconds, rows sent, rss kB}
    long t0 = System.nanoTime();
    Thread sampler =
        Serve.daemon(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                long rss = Processes.procStatusKb(serve.pid(), "VmRSS");
                synchronized (samples) {
                  samples.add(
                      new long[] {(System.nanoTime() - t0) / 1_000_000_000L, sent.get(), rss});
                }
                try {
                  Thread.sleep(1_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    SqlProbe sql = SqlProbe.start(cliJar, db, env, Duration.ofSeconds(5));
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(maxMinutes);
    List<Thread> senders = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    for (int c = 0; c < clients; c++) {
      senders.add(
          Serve.daemon(
              () -> {
                long n;
                while ((n = nextBulk.getAndIncrement()) < bulks && System.nanoTime() < deadline) {
                  if (!Push.send(serve.uri("/data-streams"), token, bulk(n), 3)) {
                    errors.incrementAndGet();
                  } else {
                    sent.addAndGet(10_000);
                  }
                }
              }));
    }
    for (Thread t : senders) {
      t.join(TimeUnit.MINUTES.toMillis(maxMinutes + 5));
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    sql.stop();
    sampler.interrupt();
    sampler.join();
    int exit = serve.stop();
    boolean wal = Files.exists(work.resolve("soak.duckdb.wal"));
    System.out.printf(
        Locale.ROOT,
        "fed %,d rows in %.0f s (%,.0f rows/s), %d failed bulks; serve exit %d on SIGTERM, WAL left: %s%n",
        sent.get(),
        seconds,
        sent.get() / seconds,
        errors.get(),
        exit,
        wal);
    System.out.println("RSS by rows stored (MiB):");
    long step = Math.max(10_000, rows / 10);
    long nextMark = step;
    long peak = 0;
    synchronized (samples) {
      for (long[] s : samples) {
        peak = Math.max(peak, s[2]);
        if (s[1] >= nextMark) {
          System.out.printf(
              Locale.ROOT, "  %,12d rows  %5d s  %6.0f MiB%n", s[1], s[0], s[2] / 1024.0);
          nextMark += step;
        }
      }
    }
    System.out.printf(Locale.ROOT, "  peak RSS %.0f MiB%n", peak / 1024.0);
    System.out.println("sql during load: " + sql.summary());

    // Restart on the same file: its RSS must stay where it was, not reload anything per row.
    Serve again = Serve.start(cliJar, jvmOpts, env, work.resolve("serve-2.log"));
    long afterStart = Processes.procStatusKb(again.pid(), "VmRSS");
    long peakAfter = afterStart;
    for (int i = 0; i < 20; i++) {
      if (Push.send(again.uri("/data-streams"), token, bulk(bulks + i), 3)) {
        sent.addAndGet(10_000);
      }
      peakAfter = Math.max(peakAfter, Processes.procStatusKb(again.pid(), "VmRSS"));
    }
    // The same 20 again: all duplicates (a resend after a restart stores nothing).
    for (int i = 0; i < 20; i++) {
      Push.send(again.uri("/data-streams"), token, bulk(bulks + i), 3);
      peakAfter = Math.max(peakAfter, Processes.procStatusKb(again.pid(), "VmRSS"));
    }
    SqlProbe.Result count =
        SqlProbe.run(cliJar, db, env, "SELECT count(*) AS n FROM vehicle_events_dedup");
    again.stop();
    System.out.printf(
        Locale.ROOT,
        "after restart: RSS %.0f MiB once listening, peak %.0f MiB over 40 more bulks (20 new, 20"
            + " resent)%n",
        afterStart / 1024.0,
        peakAfter / 1024.0);
    System.out.println(
        "stored (vehicle_events_dedup): "
            + count.lastNumber()
            + ", distinct sent: "
            + sent.get()
            + (count.lastNumber() == sent.get() ? "  (equal)" : "  (DIFFERENT)"));
    System.out.println(Processes.loadAverage());
  }

  /** Bulk n: ids n*10,000.., two hours after bulk n-1. */
  static byte[] bulk(long n) {
    return SampleBulk.dataStreams(
        10_000,
        n,
        1_000_000_000L + n * 10_000L,
        Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofHours(2 * n)));
  }

  /** POSTs with the secret; retries a non-200 up to {@code tries} times. */
  static final class Push {
    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static boolean send(URI uri, String token, byte[] body, int tries) {
      for (int i = 0; i < tries; i++) {
        try {
          HttpResponse<String> r =
              HTTP.send(
                  HttpRequest.newBuilder(uri)
                      .timeout(Duration.ofSeconds(120))
                      .header("Authorization", "Bearer " + token)
                      .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
          if (r.statusCode() == 200) {
            return true;
          }
          System.err.println("push answered " + r.statusCode() + ": " + r.body());
        } catch (Exception e) {
          System.err.println("push failed: " + e);
        }
      }
      return false;
    }
  }
}
