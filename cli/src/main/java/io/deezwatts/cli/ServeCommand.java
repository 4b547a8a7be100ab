package io.deezwatts.cli;

import com.google.cloud.functions.invoker.runner.Invoker;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.sink.Sinks;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deezwatts serve}: the local main job. Hosts the Google Cloud functions in the real
 * Functions Framework invoker, each on its own port as in the cloud, writing to the configured sink
 * (DuckDB by default).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the push endpoint and the Pub/Sub function locally (the main job).",
      "The push endpoint listens on PORT and the Pub/Sub function on PORT+1, each in the real",
      "Functions Framework invoker, storing into the configured sink (DuckDB by default).",
      "The HTTP secret is $DEEZWATTS_HTTP_TOKEN; when unset, one is generated and printed once."
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

  @CommandLine.Mixin SinkOption sinkOption;

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65534) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 1 to 65534");
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
    String sink = sinkOption.resolve(env);
    System.setProperty(Sinks.SINK_VARIABLE, sink);

    ClassLoader loader = ServeCommand.class.getClassLoader();
    Invoker http = new Invoker(port, HTTP_FUNCTION, "http", loader);
    Invoker pubsub = new Invoker(port + 1, PUBSUB_FUNCTION, "cloudevent", loader);
    http.startTestServer();
    pubsub.startTestServer();

    PrintWriter out = spec.commandLine().getOut();
    out.println("deezwatts serve: storing into " + sink);
    out.println(
        "  HTTP push: http://localhost:"
            + port
            + "/  (POST /data-streams, /legacy/account, /legacy/car)");
    out.println(
        "  Pub/Sub:   http://localhost:"
            + (port + 1)
            + "/  (CloudEvents: google.cloud.pubsub.topic.v1.messagePublished)");
    if (generated) {
      out.println(
          "  Token:     "
              + token
              + "  (generated for this run; set DEEZWATTS_HTTP_TOKEN to choose one)");
    } else {
      out.println("  Token:     from DEEZWATTS_HTTP_TOKEN");
    }
    out.println(
        "  Try:       curl -H \"Authorization: Bearer <token>\" --data-binary @samples/data-streams.json http://localhost:"
            + port
            + "/data-streams");
    out.println("Stop with Ctrl-C.");
    out.flush();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    http.stopServer();
                    pubsub.stopServer();
                  } catch (Exception e) {
                    spec.commandLine().getErr().println("deezwatts: stopping: " + e.getMessage());
                  }
                  stopped.countDown();
                },
                "deezwatts-serve-stop"));
    stopped.await();
    return 0;
  }
}
