package io.deezwatts.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@code deezwatts serve} child process on free loopback ports, for the soak and crash runs. */
final class Serve {
  private final Process process;
  private final int port;

  private Serve(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts serve and waits (at most 60 s) until its HTTP port answers.
   *
   * @throws IllegalStateException with the log's tail when it exits or does not listen in time
   */
  static Serve start(Path cliJar, String jvmOpts, Map<String, String> env, Path log)
      throws IOException, InterruptedException {
    int port = Processes.freePortPair();
    List<String> cmd = new ArrayList<>();
    cmd.add(Processes.java());
    if (!jvmOpts.isBlank()) {
      cmd.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-jar", cliJar.toString(), "serve", "--port", Integer.toString(port)));
    Serve s = new Serve(Processes.start(cmd, env, log), port);
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      if (!s.process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException("serve did not start:\n" + Processes.tail(log, 30));
      }
      try {
        http.send(
            HttpRequest.newBuilder(s.uri("/")).timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.discarding());
        return s;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
  }

  long pid() {
    return process.pid();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** SIGTERM, then SIGKILL after 40 s; the exit status, -1 when killed. */
  int stop() {
    return Processes.stop(process, 40);
  }

  /** SIGKILL at once, as a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "bench-worker");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * A fresh DuckDB file {@code work/NAME.duckdb}: the file, its log and a stale query endpoint of
   * an earlier run are removed.
   */
  static Path freshDatabase(Path work, String name) throws IOException {
    Files.createDirectories(work);
    for (String suffix : new String[] {"", ".wal", ".sql-endpoint"}) {
      Files.deleteIfExists(work.resolve(name + ".duckdb" + suffix));
    }
    return work.resolve(name + ".duckdb");
  }

  /**
   * serve's environment: the secret, the DuckDB sink on {@code db}, and DuckDB's settings ({@code
   * DEEZWATTS_DUCKDB_*}) from this process's environment; nothing else of it.
   */
  static Map<String, String> environment(String token, Path db) {
    Map<String, String> settings = new HashMap<>(duckDbSettings());
    settings.put("DEEZWATTS_HTTP_TOKEN", token);
    settings.put("DEEZWATTS_SINK", "duckdb:" + db);
    return Processes.environment(settings);
  }

  /** The {@code DEEZWATTS_DUCKDB_*} variables passed on to serve, for a run's header. */
  static Map<String, String> duckDbSettings() {
    Map<String, String> m = new TreeMap<>();
    System.getenv()
        .forEach(
            (k, v) -> {
              if (k.startsWith("DEEZWATTS_DUCKDB_")) {
                m.put(k, v);
              }
            });
    return m;
  }
}
