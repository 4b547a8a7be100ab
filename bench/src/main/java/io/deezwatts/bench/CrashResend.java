package io.deezwatts.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue #15's exactly-once runs against {@code deezwatts serve} on DuckDB:
 *
 * <ol>
 *   <li>Crash: two clients send BULKS distinct bulks; serve is SIGKILLed while bulks are in flight,
 *       started again on the same file, and each client resends every bulk that got no 200. Stored
 *       must equal distinct sent. Repeated ROUNDS times, each on a fresh file.
 *   <li>Two senders of the same bulks, at once: stored must equal distinct sent.
 * </ol>
 *
 * <p>Usage: {@code CrashResend --cli-jar JAR --work DIR [--bulks N] [--rounds R] [--jvm-opts O]}.
 */
public final class CrashResend {
  private CrashResend() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = Args.parse(args);
    Path cliJar = Path.of(a.getOrDefault("cli-jar", "cli/target/deezwatts.jar"));
    Path work = Path.of(a.getOrDefault("work", "bench/target/crash"));
    int bulks = Integer.parseInt(a.getOrDefault("bulks", "20"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    String jvmOpts = a.getOrDefault("jvm-opts", "");
    Files.createDirectories(work);
    System.out.println("crash and resend: " + Processes.loadAverage());
    boolean allEqual = true;
    for (int r = 1; r <= rounds; r++) {
      allEqual &= crashRound(cliJar, work, jvmOpts, bulks, r);
    }
    allEqual &= sameBulksTwice(cliJar, work, jvmOpts, bulks);
    System.out.println(
        (allEqual ? "ALL EQUAL" : "SOME DIFFERENT") + " (" + Processes.loadAverage() + ")");
    System.exit(allEqual ? 0 : 1);
  }

  private static boolean crashRound(Path cliJar, Path work, String jvmOpts, int bulks, int round)
      throws Exception {
    Path db = Serve.freshDatabase(work, "crash-" + round);
    String token = Processes.newToken();
    Map<String, String> env = Serve.environment(token, db);
    Set acknowledged = new Set();
    Serve serve = Serve.start(cliJar, jvmOpts, env, work.resolve("crash-" + round + "-a.log"));
    // Two clients share the bulks; the kill comes after a random number of acknowledgements,
    // while both are sending.
    int killAfter = 2 + new Random(round).nextInt(Math.max(1, bulks / 2));
    AtomicInteger next = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    Serve s0 = serve;
    for (int c = 0; c < 2; c++) {
      clients.add(
          Serve.daemon(
              () -> {
                int n;
                while ((n = next.getAndIncrement()) < bulks) {
                  if (Soak.Push.send(s0.uri("/data-streams"), token, Soak.bulk(n), 1)) {
                    acknowledged.add(n);
                  }
                }
              }));
    }
    while (acknowledged.size() < killAfter && clients.stream().anyMatch(Thread::isAlive)) {
      Thread.sleep(5);
    }
    serve.kill();
    for (Thread t : clients) {
      t.join(TimeUnit.MINUTES.toMillis(5));
    }
    int unacknowledged = bulks - acknowledged.size();
    serve = Serve.start(cliJar, jvmOpts, env, work.resolve("crash-" + round + "-b.log"));
    for (int n = 0; n < bulks; n++) {
      if (!acknowledged.contains(n)
          && Soak.Push.send(serve.uri("/data-streams"), token, Soak.bulk(n), 3)) {
        acknowledged.add(n);
      }
    }
    serve.stop();
    long stored =
        SqlProbe.run(cliJar, db, env, "SELECT count(*) AS n FROM vehicle_events").lastNumber();
    long distinct = bulks * 10_000L;
    System.out.printf(
        "round %d: SIGKILL after %d acknowledged bulks; %d resent after restart; stored %d,"
            + " distinct sent %d: %s%n",
        round,
        killAfter,
        unacknowledged,
        stored,
        distinct,
        stored == distinct ? "equal" : "DIFFERENT");
    return stored == distinct;
  }

  private static boolean sameBulksTwice(Path cliJar, Path work, String jvmOpts, int bulks)
      throws Exception {
    Path db = Serve.freshDatabase(work, "twice");
    String token = Processes.newToken();
    Map<String, String> env = Serve.environment(token, db);
    Serve serve = Serve.start(cliJar, jvmOpts, env, work.resolve("twice.log"));
    AtomicInteger failed = new AtomicInteger();
    List<Thread> senders = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      senders.add(
          Serve.daemon(
              () -> {
                for (int n = 0; n < bulks; n++) {
                  if (!Soak.Push.send(serve.uri("/data-streams"), token, Soak.bulk(n), 3)) {
                    failed.incrementAndGet();
                  }
                }
              }));
    }
    for (Thread t : senders) {
      t.join(TimeUnit.MINUTES.toMillis(10));
    }
    serve.stop();
    long stored =
        SqlProbe.run(cliJar, db, env, "SELECT count(*) AS n FROM vehicle_events").lastNumber();
    long distinct = bulks * 10_000L;
    System.out.printf(
        "two senders of the same %d bulks at once: %d failed sends; stored %d, distinct sent %d:"
            + " %s%n",
        bulks,
        failed.get(),
        stored,
        distinct,
        stored == distinct && failed.get() == 0 ? "equal" : "DIFFERENT");
    return stored == distinct && failed.get() == 0;
  }

  /** Bulk numbers that got a 200. */
  private static final class Set {
    private final java.util.Set<Integer> s = ConcurrentHashMap.newKeySet();

    void add(int n) {
      s.add(n);
    }

    boolean contains(int n) {
      return s.contains(n);
    }

    int size() {
      return s.size();
    }
  }
}
