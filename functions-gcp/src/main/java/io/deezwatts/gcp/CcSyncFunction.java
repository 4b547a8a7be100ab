package io.deezwatts.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.app.Components;
import io.deezwatts.core.cc.CcSyncEndpoint;
import io.deezwatts.core.cc.CcSyncOutcome;
import java.io.IOException;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The daily Connected Cars stream reconcile: the target of a Cloud Scheduler job ({@code POST}, say
 * {@code 0 4 * * *}, with an OIDC token for the function's invoker). A thin adapter over {@link
 * CcSyncEndpoint}, as the Azure timer is: adds a data stream of each topic in {@code
 * DEEZWATTS_CC_AUTO_STREAM_TOPICS} for every consented vehicle that lacks one.
 *
 * <p>Answers, with the outcome's fields as a JSON body: 200 with counts ({@code consented}, {@code
 * existing}, {@code missing}, {@code added}, and {@code refused} with the server's reason per
 * stream), or {@code "status":"skipped"} when no topic is configured; 503 when Connected Cars was
 * unavailable (a scheduler retry or the next day may succeed); 500 when it refused (the service
 * account, namespace or topics need fixing), a setting is missing or malformed (the log names it),
 * or on any other failure; 405 for other methods. Never a stack trace, key or token.
 *
 * <p>Configuration: {@code DEEZWATTS_CC_SERVICE_ACCOUNT} (the file's content, say from Secret
 * Manager as an environment variable, or its path), {@code DEEZWATTS_CC_NAMESPACE}, {@code
 * DEEZWATTS_CC_AUTO_STREAM_TOPICS}, optionally {@code DEEZWATTS_CC_API_ENDPOINT} and {@code
 * DEEZWATTS_CC_AUTH_ENDPOINT}.
 */
public final class CcSyncFunction implements HttpFunction {
  private static final Logger LOG = Logger.getLogger(CcSyncFunction.class.getName());

  private final CcSyncEndpoint endpoint;

  /** The constructor the Functions Framework calls; reads the settings on the first request. */
  public CcSyncFunction() {
    this(GcpApp.current());
  }

  CcSyncFunction(Components app) {
    this.endpoint = app.ccSync();
  }

  /**
   * Reconciles once.
   *
   * @throws IOException only when the response cannot be written
   */
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    if (!"POST".equals(request.getMethod())) {
      GcpApp.answer(response, 405, Map.of("error", "POST to reconcile"));
      return;
    }
    CcSyncOutcome outcome = endpoint.run(LOG);
    GcpApp.answer(response, status(outcome.status()), outcome.fields());
  }

  /** The HTTP status of an outcome: what Cloud Scheduler records and retries by. */
  static int status(CcSyncOutcome.Status status) {
    return switch (status) {
      case RECONCILED, SKIPPED -> 200;
      case RETRY_LATER, NOT_READY -> 503;
      case FAILED, NOT_CONFIGURED -> 500;
    };
  }
}
