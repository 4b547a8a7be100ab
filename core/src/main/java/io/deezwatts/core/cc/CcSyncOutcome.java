package io.deezwatts.core.cc;

import io.deezwatts.core.ingest.StartupFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one scheduled Connected Cars reconcile did, independent of the platform: the Google Cloud
 * function answers it as an HTTP status and {@link #fields()} as its JSON body, the Azure timer
 * returns or fails its invocation and logs the same fields.
 *
 * @param status what happened
 * @param result what the reconcile found and did (reconciled only), else null
 * @param message one line saying what happened; never a key, token or stack trace
 * @param startup why the reconciler could not get ready (not configured), else null
 * @param cause the exception behind a failure, for platforms that fail the invocation with it;
 *     never shown to a caller
 */
public record CcSyncOutcome(
    Status status,
    StreamReconciler.Result result,
    String message,
    StartupFailure startup,
    Throwable cause) {

  /** What a run came to. */
  public enum Status {
    /** Every missing stream was added or refused by the server one by one ({@code refused}). */
    RECONCILED,
    /** {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS} is empty: nothing to do. */
    SKIPPED,
    /** Connected Cars was unavailable: a later run may succeed. */
    RETRY_LATER,
    /** Connected Cars refused (the service account, namespace or topics need fixing) or a bug. */
    FAILED,
    /** A {@code DEEZWATTS_CC_*} setting is missing or malformed ({@link #startup()} names it). */
    NOT_CONFIGURED,
    /** The reconciler could not get ready for now; the next run tries again. */
    NOT_READY;

    /** The status as the JSON body and log lines spell it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the run did its job (or had none). */
    public boolean succeeded() {
      return this == RECONCILED || this == SKIPPED;
    }
  }

  static CcSyncOutcome notReady(StartupFailure failure, RuntimeException cause) {
    return new CcSyncOutcome(
        failure.configuration() ? Status.NOT_CONFIGURED : Status.NOT_READY,
        null,
        failure.configuration()
            ? "the Connected Cars sync is not configured; see its log"
            : "the Connected Cars sync cannot get ready; see its log",
        failure,
        cause);
  }

  /**
   * The fields a caller may see, in order: {@code status}, then the counts ({@code topics}, {@code
   * consented}, {@code existing}, {@code missing}, {@code added}, the {@code streams} added and the
   * {@code refused} ones with the server's reason), or {@code message} and {@code retryable}.
   */
  public Map<String, Object> fields() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("status", status.label());
    if (result != null) {
      f.put("topics", result.topics());
      f.put("consented", result.consentedVehicles());
      f.put("existing", result.existingStreams());
      f.put("missing", result.missing().size());
      f.put("added", result.added().size());
      List<Map<String, Object>> streams = new ArrayList<>();
      for (DataStream s : result.added()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("vehicleId", s.vehicleId());
        m.put("integrationTopicId", s.integrationTopicId());
        streams.add(m);
      }
      f.put("streams", streams);
      List<Map<String, Object>> refused = new ArrayList<>();
      for (StreamReconciler.Failure r : result.failed()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vehicleId", r.stream().vehicleId());
        m.put("integrationTopicId", r.stream().integrationTopicId());
        m.put("reason", r.reason());
        refused.add(m);
      }
      f.put("refused", refused);
    }
    f.put("message", message);
    if (!status.succeeded()) {
      f.put("retryable", status == Status.RETRY_LATER || status == Status.NOT_READY);
    }
    return f;
  }
}
