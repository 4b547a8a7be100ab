package io.deezwatts.cli;

import io.deezwatts.cli.serve.LocalFunctionServer;
import io.deezwatts.cli.serve.StopSignals;
import io.deezwatts.core.auth.PushAuthenticator;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deezwatts serve}: the local main job. Hosts the Google Cloud functions on the real
 * Functions Framework invoker's executors, each on its own port as in the cloud, writing to the
 * configured sink (DuckDB by default).
 *
 * <p>Fails at start, naming the cause, when the secret is malformed, the sink cannot be opened (a
 * DuckDB file another process holds) or a port is taken. On SIGTERM or Ctrl-C it stops taking
 * requests, lets bulks in flight finish and get their answer (up to {@code --stop-timeout}), and
 * only then closes the sink.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the push endpoint and the Pub/Sub function locally (the main job).",
      "The push endpoint listens on PORT and the Pub/Sub function on PORT+1, each on the real",
      "Functions Framework invoker, storing into the configured sink (DuckDB by default).",
      "Both ports need the secret $DEEZWATTS_HTTP_TOKEN (Bearer, or Basic password); when unset,",
      "one is generated and printed once. Bodies over 32 MiB get 413 before they are read.",
      "On SIGTERM or Ctrl-C, bulks in flight finish and are answered (up to --stop-timeout),",
      "then the sink is closed."
    })
final class ServeCommand implements Callable<Integer> {
  static final String HTTP_FUNCTION = "io.deezwatts.gcp.HttpIngestFunction";
  static final String PUBSUB_FUNCTION = "io.deezwatts.gcp.PubSubIngestFunction";

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port (default 8080); Pub/Sub on PORT+1.")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes both ports"
              + " on every interface).")
  String host;

  @Option(
      names = "--stop-timeout",
      defaultValue = "30",
      paramLabel = "SECONDS",
      description =
          "On SIGTERM or Ctrl-C, how long bulks in flight may take to finish and be answered"
              + " before the servers close (default 30).")
  int stopTimeoutSeconds;

  @CommandLine.Mixin SinkOption sinkOption;

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65534) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1 to 65534");
    }
    if (stopTimeoutSeconds < 0 || stopTimeoutSeconds > 3600) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--stop-timeout must be 0 to 3600 seconds");
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--host '" + host + "' is not an address of this machine");
    }
    Map<String, String> env = System.getenv();
    String token = env.get(PushSettings.HTTP_TOKEN);
    boolean generated = token == null || token.isBlank();
    if (generated) {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      // The functions read DEEZWATTS_* from system properties too (a process cannot set its env).
      System.setProperty(PushSettings.HTTP_TOKEN, token);
    }
    PushAuthenticator secret;
    try {
      secret = new PushAuthenticator(token);
    } catch (IllegalArgumentException e) {
      // The HTTP function would refuse it too, but deep inside the invoker's reflection.
      throw new IllegalArgumentException(PushSettings.HTTP_TOKEN + ": " + e.getMessage(), e);
    }
    String sinkUri = sinkOption.resolve(env);
    System.setProperty(Sinks.SINK_VARIABLE, sinkUri);

    Duration stopTimeout = Duration.ofSeconds(stopTimeoutSeconds);
    ClassLoader loader = ServeCommand.class.getClassLoader();
    LocalFunctionServer http = null;
    LocalFunctionServer pubsub = null;
    Sink sink = null;
    try {
      // Functions first (a bad setting fails here), then both ports (a taken one fails before any
      // file is created), then the sink before any request is taken (a locked file fails here).
      http =
          LocalFunctionServer.http(
              host, port, Class.forName(HTTP_FUNCTION, true, loader), stopTimeout);
      pubsub =
          LocalFunctionServer.cloudEvents(
              host, port + 1, Class.forName(PUBSUB_FUNCTION, true, loader), secret, stopTimeout);
      http.bind();
      pubsub.bind();
      createPrivateDataDirectory(sinkUri);
      // Kept open until the servers have stopped, and closed last.
      sink = Sinks.open(sinkUri, env);
      http.start();
      pubsub.start();
    } catch (RuntimeException | IOException | ClassNotFoundException | LinkageError e) {
      stopAll(http, pubsub);
      if (sink != null) {
        sink.close();
      }
      throw e;
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    boolean signals = StopSignals.install(stopRequested::countDown);
    // Any other way out (SIGHUP, System.exit, or no signal handlers): stop as well as we can.
    Thread hook =
        new Thread(
            () -> {
              stopRequested.countDown();
              try {
                stopped.await(stopTimeoutSeconds + 10L, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "deezwatts-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);

    banner(sink, http.address(), pubsub.address(), generated ? token : null);
    stopRequested.await();

    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Stopping: no new requests; waiting up to "
            + stopTimeoutSeconds
            + " s for bulks in flight"
            + (signals ? "" : " (signal handlers unavailable)")
            + ".");
    out.flush();
    boolean clean = stopAll(http, pubsub);
    sink.close();
    out.println(
        clean ? "Stopped; the sink is closed." : "Stopped after the timeout; the sink is closed.");
    out.flush();
    stopped.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException exiting) {
      // Already shutting down: the hook is running and has just been released.
    }
    return 0;
  }

  /** Stops both servers at once, each gracefully; true when neither had to cut requests off. */
  private static boolean stopAll(LocalFunctionServer http, LocalFunctionServer pubsub) {
    CompletableFuture<Boolean> other =
        pubsub == null
            ? CompletableFuture.completedFuture(true)
            : CompletableFuture.supplyAsync(pubsub::stop);
    boolean clean = http == null || http.stop();
    return other.join() && clean;
  }

  /**
   * Creates the DuckDB file's folder readable by its owner only (0700), when it does not exist yet:
   * the file holds every vehicle's data.
   */
  private static void createPrivateDataDirectory(String sinkUri) throws IOException {
    if (!sinkUri.startsWith("duckdb:") || sinkUri.length() == "duckdb:".length()) {
      return;
    }
    Path dir = Path.of(sinkUri.substring("duckdb:".length())).toAbsolutePath().getParent();
    if (dir == null || Files.exists(dir)) {
      return;
    }
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      String why = e instanceof AccessDeniedException ? "permission denied" : e.getMessage();
      throw new IOException("cannot create the data folder " + dir + ": " + why, e);
    }
  }

  private void banner(
      Sink sink, InetSocketAddress http, InetSocketAddress pubsub, String generatedToken) {
    PrintWriter out = spec.commandLine().getOut();
    out.println("deezwatts serve: storing into " + sink.describe());
    out.println(
        "  HTTP push: "
            + url(http)
            + "  (POST /data-streams, /legacy/account, /legacy/car)"
            + everyInterface(http));
    out.println(
        "  Pub/Sub:   "
            + url(pubsub)
            + "  (CloudEvents: google.cloud.pubsub.topic.v1.messagePublished)"
            + everyInterface(pubsub));
    if (generatedToken != null) {
      out.println(
          "  Token:     "
              + generatedToken
              + "  (generated for this run; set DEEZWATTS_HTTP_TOKEN to choose one)");
    } else {
      out.println("  Token:     from DEEZWATTS_HTTP_TOKEN (needed on both ports)");
    }
    out.println(
        "  Try:       curl -H \"Authorization: Bearer <token>\" --data-binary"
            + " @samples/data-streams.json "
            + url(http)
            + "data-streams");
    out.println("Stop with Ctrl-C.");
    out.flush();
  }

  /**
   * {@code http://ADDRESS:PORT/} for the address the server is bound to; for the wildcard (Java
   * binds {@code 0.0.0.0} as the dual-stack {@code ::}), the {@code --host} given.
   */
  private String url(InetSocketAddress address) {
    String host =
        address.getAddress().isAnyLocalAddress()
            ? this.host
            : address.getAddress().getHostAddress();
    int zone = host.indexOf('%');
    if (zone >= 0) {
      host = host.substring(0, zone);
    }
    return "http://"
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + address.getPort()
        + "/";
  }

  private static String everyInterface(InetSocketAddress address) {
    return address.getAddress().isAnyLocalAddress() ? "  [every interface]" : "";
  }
}
