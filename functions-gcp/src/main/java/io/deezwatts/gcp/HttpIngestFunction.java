package io.deezwatts.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.app.Components;
import io.deezwatts.core.cc.StreamOnboarding;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushResponse;
import java.io.IOException;
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
  private final Components app;

  /**
   * The constructor the Functions Framework calls; reads the settings.
   *
   * @throws IllegalArgumentException naming a missing or malformed push setting
   */
  public HttpIngestFunction() {
    this(GcpApp.current());
  }

  HttpIngestFunction(Components app) {
    app.checkPushSettings();
    this.app = app;
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
      ready = app.push();
    } catch (RuntimeException e) {
      // Nothing is stored: 500 for a bad setting, else 503; the reason goes to the log only.
      StartupFailure failure = StartupFailure.of(e);
      PushResponse answer = PushEndpoint.notReady(failure);
      failure.log(LOG, "status", answer.status());
      GcpApp.answer(response, answer.status(), answer.json());
      return;
    }
    PushResponse answer =
        ready.handle(
            request.getMethod(),
            request.getPath(),
            name -> request.getFirstHeader(name).orElse(null),
            request.getContentLength(),
            request.getInputStream());
    GcpApp.answer(response, answer.status(), answer.json());
  }
}
