package io.deezwatts.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starting and stopping the processes the serve benchmarks measure: JVMs with a clean environment,
 * output to a log file, on free loopback ports.
 */
final class Processes {
  /** Children still running, killed by a shutdown hook if the benchmark is interrupted. */
  private static final java.util.Set<Process> LIVE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(p -> p.destroyForcibly()), "bench-children-cleanup"));
  }

  private Processes() {}

  /** The {@code java} of the JVM running the benchmark, so the children run the same JDK. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** The jar this class was loaded from ({@code bench/target/benchmarks.jar}). */
  static Path benchmarksJar() {
    try {
      return Path.of(Processes.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A port free on loopback now (another process may take it before it is used; unlikely). */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A port P such that P and P + 1 are free now ({@code deezwatts serve} takes both). */
  static int freePortPair() throws IOException {
    for (int i = 0; i < 50; i++) {
      int p = freePort();
      if (p < 65535 && isFree(p + 1)) {
        return p;
      }
    }
    throw new IOException("no two adjacent free ports found");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A random secret for the push endpoint of this run. */
  static String newToken() {
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  /**
   * The environment for a child: this process's, without any {@code DEEZWATTS_*}, Google
   * credentials or JVM option variables (they would change what is measured), plus {@code extra}.
   */
  static Map<String, String> environment(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet()
        .removeIf(
            k ->
                k.startsWith("DEEZWATTS_")
                    || k.equals("GOOGLE_APPLICATION_CREDENTIALS")
                    || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("_JAVA_OPTIONS")
                    || k.equals("JDK_JAVA_OPTIONS"));
    env.putAll(extra);
    return env;
  }

  /** Starts {@code command} with exactly {@code env}, stdout and stderr appended to {@code log}. */
  static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command));
    pb.environment().clear();
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    LIVE.add(p);
    return p;
  }

  /**
   * Stops a child: SIGTERM, then SIGKILL after {@code graceSeconds}. Its descendants (none
   * expected) are killed too.
   *
   * @return the exit status, or -1 when it had to be killed
   */
  static int stop(Process p, long graceSeconds) {
    if (p == null) {
      return -1;
    }
    try {
      return terminate(p, graceSeconds);
    } finally {
      LIVE.remove(p);
    }
  }

  private static int terminate(Process p, long graceSeconds) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
        return p.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /** The last {@code lines} lines of a log, for an error message. */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * A value in kB from {@code /proc/PID/status} ({@code VmRSS}, {@code VmHWM}), or -1 when the
   * process is gone or the field is missing.
   */
  static long procStatusKb(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith(field + ":")) {
          String v = line.substring(field.length() + 1).trim();
          return Long.parseLong(v.substring(0, v.indexOf(' ')));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * CPU time a process has used so far, user and system, in milliseconds ({@code /proc/PID/stat}
   * fields 14 and 15, in clock ticks of 10 ms: Linux's USER_HZ), or -1 when it cannot be read.
   */
  static long cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the command name, which is in parentheses and may hold spaces: state first.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The machine's load averages ({@code /proc/loadavg}), to tell from a run's output whether
   * something else was using the cores.
   */
  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return String.format(
          "load average %s %s %s, %d cores",
          f[0], f[1], f[2], Runtime.getRuntime().availableProcessors());
    } catch (IOException | RuntimeException e) {
      return "load average unknown";
    }
  }

  /** The median of a non-empty list (mean of the middle two for an even count). */
  static double median(List<Double> values) {
    List<Double> v = new ArrayList<>(values);
    v.sort(null);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }
}
