package io.deezwatts.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.cc.StreamOnboarding;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushResponse;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.util.Lazy;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The endpoint Connected Cars pushes bulks to, on the Google Cloud Functions Framework. A thin
 * adapter: the request goes to {@link PushEndpoint}, its answer back. Answers 200 only after the
 * sink stored everything; 503 asks the sender to retry; 500 for a setting that no retry can fix.
 *
 * <p>Configuration: {@code DEEZWATTS_HTTP_TOKEN} (required: the function refuses to start without
 * it), {@code DEEZWATTS_SINK}, {@code DEEZWATTS_FEED}, {@code DEEZWATTS_DEADLINE_SECONDS}, and
 * optionally {@code DEEZWATTS_SIGNATURE_PUBLIC_KEYS} to verify {@code X-Request-Signature}. With
 * {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS} (and the other {@code DEEZWATTS_CC_*} settings), stored
 * admin events granting access start streams for those vehicles ({@link StreamOnboarding}).
 */
public final class HttpIngestFunction implements HttpFunction {
  private static final Logger LOG = Logger.getLogger(HttpIngestFunction.class.getName());
  private final Lazy<PushEndpoint> endpoint;

  /** The constructor the Functions Framework calls; reads the environment. */
  public HttpIngestFunction() {
    this(FunctionEnvironment.current());
  }

  HttpIngestFunction(Map<String, String> env) {
    CloudLogging.installIfOnGoogleCloud(env);
    Function<IngestService, PushEndpoint> configured = PushEndpoint.configured(env);
    this.endpoint =
        new Lazy<>(
            () ->
                configured.apply(
                    new IngestService(
                        Sinks.fromEnvironment(env), StreamOnboarding.fromEnvironment(env))));
  }

  /**
   * Handles one push.
   *
   * @throws IOException only when the response cannot be written (the client went away)
   */
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    PushEndpoint ready;
    try {
      ready = endpoint.get();
    } catch (RuntimeException e) {
      // Nothing is stored. A bad setting answers 500 (no retry can fix it), anything else 503; the
      // reason goes to the log, not to the sender.
      StartupFailure failure = StartupFailure.of(e);
      LogFields.log(
          LOG,
          Level.SEVERE,
          failure.logLine(),
          "outcome",
          "not_ready",
          "status",
          PushEndpoint.notReady(failure).status(),
          "setting",
          failure.setting());
      write(response, PushEndpoint.notReady(failure));
      return;
    }
    PushResponse answer =
        ready.handle(
            request.getMethod(),
            request.getPath(),
            name -> request.getFirstHeader(name).orElse(null),
            request.getContentLength(),
            request.getInputStream());
    write(response, answer);
  }

  private static void write(HttpResponse response, PushResponse answer) throws IOException {
    response.setStatusCode(answer.status());
    response.setContentType("application/json");
    if (answer.status() == 405) {
      response.appendHeader("Allow", "POST");
    }
    try (Writer w = response.getWriter()) {
      w.write(answer.json());
    }
  }
}
