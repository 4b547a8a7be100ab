package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code deezwatts serve} from the built jar, in its own process, with its output (stdout and
 * stderr) collected line by line so that a test can wait for a line instead of sleeping.
 */
public final class ServeProcess implements AutoCloseable {
  public static final String TOKEN = "s3cret-for-tests";
  public static final String READY = "Stop with Ctrl-C.";
  private static final Duration START = Duration.ofSeconds(60);

  public final Process process;
  public final int port;
  private final List<String> lines = new ArrayList<>();
  private boolean ended;

  private ServeProcess(Process process, int port) {
    this.process = process;
    this.port = port;
    Thread reader = new Thread(this::collect, "serve-output-" + port);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code serve --port PORT} with {@code DEEZWATTS_HTTP_TOKEN} set to {@link #TOKEN}
   * (unless {@code env} replaces it) and the extra arguments; does not wait for it.
   */
  public static ServeProcess start(int port, Map<String, String> env, String... args)
      throws IOException {
    Path jar = Path.of("target/deezwatts.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the CLI jar is built before integration tests");
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", jar.toString(), "serve"));
    cmd.addAll(List.of("--port", "" + port));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DEEZWATTS_HTTP_TOKEN", TOKEN);
    pb.environment().putAll(env);
    return new ServeProcess(pb.start(), port);
  }

  /** Starts serve on a free pair of ports and waits until it says it is ready. */
  public static ServeProcess ready(Map<String, String> env, String... args) throws Exception {
    ServeProcess serve = start(freePortPair(), env, args);
    serve.awaitLine(READY, START);
    return serve;
  }

  private void collect() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (this) {
          lines.add(line);
          notifyAll();
        }
      }
    } catch (IOException ignored) {
      // The process ended.
    } finally {
      synchronized (this) {
        ended = true;
        notifyAll();
      }
    }
  }

  /**
   * Waits for a line that contains {@code text}.
   *
   * @throws AssertionError with everything printed so far when the process ends or the wait times
   *     out first
   */
  public synchronized String awaitLine(String text, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    while (true) {
      for (; seen < lines.size(); seen++) {
        if (lines.get(seen).contains(text)) {
          return lines.get(seen);
        }
      }
      long left = end - System.nanoTime();
      if (ended || left <= 0) {
        throw new AssertionError(
            "serve printed no line with '"
                + text
                + "'"
                + (ended ? " and ended" : "")
                + (process.isAlive() ? "" : " with exit status " + process.exitValue())
                + ":\n"
                + output());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Everything printed so far. */
  public synchronized String output() {
    return String.join("\n", lines);
  }

  /** Waits for the process to exit by itself and returns its status. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    assertTrue(
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS),
        "serve did not exit:\n" + output());
    return process.exitValue();
  }

  /** Sends SIGTERM, leaving the output readable ({@link Process#destroy} would close it). */
  public void sigterm() {
    process.toHandle().destroy();
  }

  /** Sends SIGTERM and waits for the exit status. */
  public int terminate() throws InterruptedException {
    sigterm();
    return awaitExit(Duration.ofSeconds(60));
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  /** A port P such that P and P+1 are both free on 127.0.0.1 right now. */
  public static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException busy) {
        // try another pair
      }
    }
    throw new IOException("no two free adjacent ports");
  }
}
