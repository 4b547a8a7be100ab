package io.deezwatts.cli.viriciti;

import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deezwatts viriciti bridge}: holds ViriCiti's live WebSocket and stores every data point
 * until it is stopped (SIGTERM or Ctrl-C, after which it stores what it holds).
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = {
      "Hold ViriCiti's live WebSocket and store every data point (a long-running process).",
      "Connects to $DEEZWATTS_VIRICITI_URL (default "
          + LiveUrl.DEFAULT_BASE
          + ") with the key in"
          + " $DEEZWATTS_VIRICITI_API_KEY, sends the subscription after every connect, and writes"
          + " data messages in batches. Stop it with SIGTERM or Ctrl-C: it stores what it holds,"
          + " then exits.",
      "Exit status: 0 after a clean stop, 2 for a usage error."
    })
final class BridgeCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(BridgeCommand.class.getName());
  private static final String LOG_FORMAT = "java.util.logging.SimpleFormatter.format";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--subscription",
      required = true,
      paramLabel = "FILE",
      description =
          "JSON subscription in ViriCiti's format: {\"vehicles\": {VID: [PARAMS]},"
              + " \"chargestations\": {ID: [PARAMS]}, \"incidents\": {\"query\": {...}}}")
  Path subscriptionFile;

  @Option(names = "--show-acl", description = "Ask the server for its ACL and print the answer.")
  boolean showAcl;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "500",
      description = "Write after this many data messages (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--flush-seconds",
      paramLabel = "T",
      defaultValue = "1",
      description = "...or after the oldest has waited this long (default: ${DEFAULT-VALUE}).")
  double flushSeconds;

  @Option(
      names = "--buffer",
      paramLabel = "N",
      defaultValue = "100000",
      description =
          "Messages held while the sink is slow or down; when full, reads pause"
              + " (default: ${DEFAULT-VALUE}).")
  int bufferCapacity;

  @Option(
      names = "--ping-seconds",
      paramLabel = "T",
      defaultValue = "15",
      description = "Ping the server this often (default: ${DEFAULT-VALUE}).")
  double pingSeconds;

  @Option(
      names = "--read-timeout-seconds",
      paramLabel = "T",
      defaultValue = "45",
      description =
          "Reconnect when nothing (not even a pong) arrived for this long"
              + " (default: ${DEFAULT-VALUE}).")
  double readTimeoutSeconds;

  @Option(
      names = "--max-backoff-seconds",
      paramLabel = "T",
      defaultValue = "60",
      description = "Cap of the reconnect and write-retry backoff (default: ${DEFAULT-VALUE}).")
  double maxBackoffSeconds;

  @Option(
      names = "--shutdown-seconds",
      paramLabel = "T",
      defaultValue = "25",
      description =
          "On SIGTERM, how long to keep trying to store what is held (default: ${DEFAULT-VALUE}).")
  double shutdownSeconds;

  @CommandLine.Mixin io.deezwatts.cli.SinkOption sinkOption;

  /** The process environment; tests substitute their own. */
  Map<String, String> env = System.getenv();

  /**
   * Runs the bridge until the JVM is asked to stop; the shutdown hook stores what is held, then
   * closes the sink.
   *
   * @return 0 after a clean stop
   * @throws CommandLine.ParameterException (exit status 2) when the API key is not set, the
   *     subscription file cannot be read or is not a subscription, a setting is out of range, or
   *     the sink cannot be opened; the key is never part of the message
   * @throws InterruptedException when interrupted while running
   */
  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    if (System.getProperty(LOG_FORMAT) == null
        && System.getProperty("java.util.logging.config.file") == null) {
      // One line per record (a long-running process's log), unless configured otherwise.
      System.setProperty(LOG_FORMAT, "%1$tFT%1$tT.%1$tL%1$tz %4$s %5$s%6$s%n");
    }
    String key = env.get(LiveUrl.KEY_VARIABLE);
    if (key == null || key.isBlank()) {
      throw new CommandLine.ParameterException(
          cl, LiveUrl.KEY_VARIABLE + " is not set; it holds the ViriCiti API key");
    }
    Subscription subscription;
    try {
      subscription = Subscription.read(subscriptionFile);
    } catch (IOException e) {
      throw new CommandLine.ParameterException(
          cl, "cannot read the subscription file " + subscriptionFile + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "bad subscription: " + e.getMessage());
    }
    ViricitiBridge.Settings s = new ViricitiBridge.Settings();
    try {
      s.uri = LiveUrl.build(env.get(LiveUrl.URL_VARIABLE), key, subscription.wantsInitialState());
      s.apiKey = key;
      s.subscription = subscription;
      s.showAcl = showAcl;
      s.batchSize = batchSize;
      s.flushInterval = seconds("--flush-seconds", flushSeconds);
      s.bufferCapacity = bufferCapacity;
      s.pingInterval = seconds("--ping-seconds", pingSeconds);
      s.readTimeout = seconds("--read-timeout-seconds", readTimeoutSeconds);
      Duration max = seconds("--max-backoff-seconds", maxBackoffSeconds);
      s.reconnectMax = max;
      s.reconnectInitial = min(s.reconnectInitial, max);
      s.writeRetryMax = max;
      s.writeRetryInitial = min(s.writeRetryInitial, max);
      s.shutdownTimeout = seconds("--shutdown-seconds", shutdownSeconds);
      s.check();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, LiveUrl.redact(e.getMessage(), key));
    }
    Sink sink;
    try {
      sink = Sinks.open(sinkOption.resolve(env), env);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    PrintWriter out = cl.getOut();
    ViricitiBridge bridge =
        new ViricitiBridge(
            s,
            sink,
            acl -> {
              out.println(acl);
              out.flush();
            });
    AtomicBoolean closed = new AtomicBoolean();
    PrintWriter err = cl.getErr();
    // JUL's own shutdown hook may already have closed the log handlers: say it on stderr too.
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            err.println(
                "deezwatts: stopping; storing the " + bridge.stats().held() + " messages held");
            err.flush();
            bridge.close();
            sink.close();
            BridgeStatistics.Stats st = bridge.stats();
            err.println(
                "deezwatts: stopped: "
                    + st.messagesReceived()
                    + " messages received, "
                    + st.messagesStored()
                    + " stored ("
                    + st.rowsStored()
                    + " rows, "
                    + st.duplicatesSkipped()
                    + " duplicates skipped), "
                    + st.held()
                    + " not stored");
            err.flush();
          }
        };
    Thread hook = new Thread(stop, "viriciti-bridge-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LOG.info(() -> "storing into " + sink.describe());
    bridge.start();
    bridge.awaitTermination();
    return 0;
  }

  private static Duration seconds(String option, double value) {
    if (!(value > 0) || value > 1e7) {
      throw new IllegalArgumentException(option + " must be a positive number of seconds");
    }
    return Duration.ofNanos((long) (value * 1e9));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
