package io.deezwatts.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code deezwatts sql} run as a separate process, as a user would, now and then. */
final class SqlProbe {
  private static final Pattern NUMBER = Pattern.compile("(?m)^(\\d+)\\s*$");

  /** One run: exit status, wall time, output. */
  record Result(int exit, double seconds, String output) {
    /** The last line that is a bare number (a count), or -1. */
    long lastNumber() {
      Matcher m = NUMBER.matcher(output);
      long n = -1;
      while (m.find()) {
        n = Long.parseLong(m.group(1));
      }
      return n;
    }
  }

  private final List<Result> results = new ArrayList<>();
  private Thread thread;
  private volatile boolean stopping;

  static Result run(Path cliJar, Path db, Map<String, String> env, String query)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    ProcessBuilder pb =
        new ProcessBuilder(
            Processes.java(), "-jar", cliJar.toString(), "sql", "--sink", "duckdb:" + db, query);
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, 60, out + "(timed out)");
    }
    return new Result(p.exitValue(), (System.nanoTime() - t0) / 1e9, out);
  }

  /** Runs a count every {@code every} until {@link #stop()}. */
  static SqlProbe start(Path cliJar, Path db, Map<String, String> env, Duration every) {
    SqlProbe probe = new SqlProbe();
    probe.thread =
        Serve.daemon(
            () -> {
              while (!probe.stopping) {
                try {
                  Result r = run(cliJar, db, env, "SELECT count(*) AS n FROM vehicle_events");
                  synchronized (probe.results) {
                    probe.results.add(r);
                  }
                  Thread.sleep(every.toMillis());
                } catch (IOException e) {
                  synchronized (probe.results) {
                    probe.results.add(new Result(-1, 0, e.toString()));
                  }
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    return probe;
  }

  void stop() throws InterruptedException {
    stopping = true;
    thread.interrupt();
    thread.join(70_000);
  }

  String summary() {
    synchronized (results) {
      long ok = results.stream().filter(r -> r.exit() == 0 && r.lastNumber() >= 0).count();
      List<Double> times = new ArrayList<>();
      results.forEach(r -> times.add(r.seconds()));
      String failures =
          results.stream()
              .filter(r -> r.exit() != 0)
              .map(r -> r.output().strip())
              .findFirst()
              .map(s -> "; first failure: " + s)
              .orElse("");
      return String.format(
          Locale.ROOT,
          "%d of %d queries answered, median %.2f s each (JVM start included)%s",
          ok,
          results.size(),
          times.isEmpty() ? 0 : Processes.median(times),
          failures);
    }
  }
}
