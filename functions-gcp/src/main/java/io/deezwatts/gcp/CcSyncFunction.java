package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.cc.CcException;
import io.deezwatts.core.cc.CcSettings;
import io.deezwatts.core.cc.DataStream;
import io.deezwatts.core.cc.StreamReconciler;
import java.io.IOException;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;

/**
 * The daily Connected Cars stream reconcile: the target of a Cloud Scheduler job ({@code POST}, say
 * {@code 0 4 * * *}, with an OIDC token for the function's invoker). Adds a data stream of each
 * topic in {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS} for every consented vehicle that lacks one, so
 * whatever onboarding missed (Connected Cars down, a bulk before onboarding was configured) is
 * caught up within a day. Runs {@link StreamReconciler}, as the Azure timer does.
 *
 * <p>Answers: 200 with counts ({@code consented}, {@code existing}, {@code missing}, {@code added},
 * and {@code refused} with the server's reason per stream); 503 when Connected Cars was unavailable
 * (a scheduler retry or the next day may succeed); 500 when it refused (the service account,
 * namespace or topics need fixing) or on any other failure; 405 for other methods. Never a stack
 * trace, key or token.
 *
 * <p>Configuration: {@code DEEZWATTS_CC_SERVICE_ACCOUNT} (the file's content, say from Secret
 * Manager as an environment variable, or its path), {@code DEEZWATTS_CC_NAMESPACE}, {@code
 * DEEZWATTS_CC_AUTO_STREAM_TOPICS}, optionally {@code DEEZWATTS_CC_API_ENDPOINT} and {@code
 * DEEZWATTS_CC_AUTH_ENDPOINT}. The function refuses to start when one is missing or malformed.
 */
public final class CcSyncFunction implements HttpFunction {
  private static final System.Logger LOG = System.getLogger(CcSyncFunction.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final StreamReconciler reconciler;
  private final List<Long> topics;

  /**
   * The constructor the Functions Framework calls; reads the environment.
   *
   * @throws IllegalArgumentException naming a missing or malformed {@code DEEZWATTS_CC_*} setting
   */
  public CcSyncFunction() {
    this(FunctionEnvironment.current());
  }

  CcSyncFunction(Map<String, String> env) {
    this.reconciler = StreamReconciler.fromSettings(env);
    this.topics = reconciler.configuredTopics();
    if (topics.isEmpty()) {
      throw new IllegalArgumentException(
          CcSettings.AUTO_STREAM_TOPICS
              + " is not set: give the integration topic ids that every consented vehicle should"
              + " stream");
    }
  }

  /**
   * Reconciles once.
   *
   * @throws IOException only when the response cannot be written
   */
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    int status;
    if (!"POST".equals(request.getMethod())) {
      status = 405;
      response.appendHeader("Allow", "POST");
      body.put("error", "POST to reconcile");
    } else {
      // One run at a time per instance; runs are idempotent, this only saves duplicate work.
      synchronized (this) {
        status = reconcile(body);
      }
    }
    response.setStatusCode(status);
    response.setContentType("application/json");
    try (Writer w = response.getWriter()) {
      w.write(body.toString());
    }
  }

  private int reconcile(ObjectNode body) {
    try {
      StreamReconciler.Result r =
          reconciler.reconcile(topics, true, line -> LOG.log(Level.INFO, "cc sync: " + line));
      body.put("status", "reconciled");
      body.putPOJO("topics", r.topics());
      body.put("consented", r.consentedVehicles());
      body.put("existing", r.existingStreams());
      body.put("missing", r.missing().size());
      body.put("added", r.added().size());
      ArrayNode added = body.putArray("streams");
      for (DataStream s : r.added()) {
        added
            .addObject()
            .put("id", s.id())
            .put("vehicleId", s.vehicleId())
            .put("integrationTopicId", s.integrationTopicId());
      }
      ArrayNode refused = body.putArray("refused");
      for (StreamReconciler.Failure f : r.failed()) {
        refused
            .addObject()
            .put("vehicleId", f.stream().vehicleId())
            .put("integrationTopicId", f.stream().integrationTopicId())
            .put("reason", f.reason());
        LOG.log(
            Level.WARNING,
            "cc sync: vehicle "
                + f.stream().vehicleId()
                + " topic "
                + f.stream().integrationTopicId()
                + " refused: "
                + f.reason());
      }
      LOG.log(
          Level.INFO,
          "cc sync: "
              + r.added().size()
              + " streams added of "
              + r.missing().size()
              + " missing, "
              + r.failed().size()
              + " refused");
      return 200;
    } catch (CcException e) {
      LOG.log(Level.ERROR, "cc sync failed: " + e.getMessage());
      body.put("status", "failed");
      body.put("error", e.getMessage());
      body.put("retryable", e.retryable());
      return e.retryable() ? 503 : 500;
    }
  }
}
