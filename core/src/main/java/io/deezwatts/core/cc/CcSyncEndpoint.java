package io.deezwatts.core.cc;

import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.util.Lazy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daily Connected Cars stream reconcile, independent of the platform: Cloud Scheduler's request
 * on Google Cloud and the timer on Azure both call {@link #run} and translate its {@link
 * CcSyncOutcome}. Adds a data stream of each topic in {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS} for
 * every consented vehicle that lacks one ({@link StreamReconciler}), so whatever onboarding missed
 * is caught up within a day; streams added before a failure stay added.
 *
 * <p>With no topics it does nothing ({@code SKIPPED}). Connected Cars unavailable is {@code
 * RETRY_LATER}; a refusal or anything else {@code FAILED}; a missing or malformed {@code
 * DEEZWATTS_CC_*} setting, read on the first run, {@code NOT_CONFIGURED}. Never throws.
 */
public final class CcSyncEndpoint {
  private final Lazy<List<Long>> topics;
  private final Lazy<StreamReconciler> reconciler;

  /**
   * @param topics the topics to reconcile, read on the first run
   * @param reconciler made on the first run with topics (one client, so its token is cached)
   */
  public CcSyncEndpoint(Supplier<List<Long>> topics, Supplier<StreamReconciler> reconciler) {
    this.topics = new Lazy<>(topics);
    this.reconciler = new Lazy<>(reconciler);
  }

  /** The endpoint the {@code DEEZWATTS_CC_*} settings configure; reads nothing yet. */
  public static CcSyncEndpoint configured(Map<String, String> env) {
    return new CcSyncEndpoint(
        () -> CcSettings.topics(env), () -> StreamReconciler.fromSettings(env));
  }

  /**
   * Reconciles once and logs one line with the outcome's fields (plus progress, and one line per
   * refused stream). One run at a time per instance: runs are idempotent, this only saves duplicate
   * work.
   *
   * @param log where the outcome is logged (Azure passes its invocation's logger)
   */
  public synchronized CcSyncOutcome run(Logger log) {
    CcSyncOutcome outcome = decide(log);
    if (outcome.result() != null) {
      for (StreamReconciler.Failure f : outcome.result().failed()) {
        log.warning(
            "Connected Cars refused a stream for vehicle "
                + f.stream().vehicleId()
                + " on topic "
                + f.stream().integrationTopicId()
                + ": "
                + f.reason());
      }
    }
    // The outcome's own fields (what the Google Cloud function answers) but the per-stream lists,
    // which have their own lines, plus what a log needs.
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", outcome.status().label());
    fields.putAll(outcome.fields());
    fields.remove("streams");
    fields.remove("refused");
    fields.remove("message");
    if (outcome.result() != null) {
      fields.put("refused", outcome.result().failed().size());
    }
    if (outcome.startup() != null) {
      fields.put("setting", outcome.startup().setting());
    }
    LogFields.log(
        log,
        outcome.status().succeeded()
            ? Level.INFO
            : outcome.status() == CcSyncOutcome.Status.RETRY_LATER ? Level.WARNING : Level.SEVERE,
        "Connected Cars sync "
            + outcome.status().label()
            + ": "
            + (outcome.startup() == null ? outcome.message() : outcome.startup().logLine()),
        outcome.status() == CcSyncOutcome.Status.FAILED
                && outcome.cause() instanceof RuntimeException
            ? outcome.cause()
            : null,
        fields);
    return outcome;
  }

  private CcSyncOutcome decide(Logger log) {
    List<Long> wanted;
    StreamReconciler ready;
    try {
      wanted = topics.get();
      if (wanted.isEmpty()) {
        return new CcSyncOutcome(
            CcSyncOutcome.Status.SKIPPED,
            null,
            CcSettings.AUTO_STREAM_TOPICS + " is empty; nothing to do",
            null,
            null);
      }
      ready = reconciler.get();
    } catch (RuntimeException e) {
      return CcSyncOutcome.notReady(StartupFailure.of(e), e);
    }
    try {
      StreamReconciler.Result r =
          ready.reconcile(wanted, true, line -> log.info("Connected Cars sync: " + line));
      return new CcSyncOutcome(
          CcSyncOutcome.Status.RECONCILED,
          r,
          "topics "
              + r.topics()
              + ": "
              + r.consentedVehicles()
              + " consented vehicles, "
              + r.existingStreams()
              + " streams existed, "
              + r.added().size()
              + " added of "
              + r.missing().size()
              + " missing, "
              + r.failed().size()
              + " refused",
          null,
          null);
    } catch (CcException e) {
      return new CcSyncOutcome(
          e.retryable() ? CcSyncOutcome.Status.RETRY_LATER : CcSyncOutcome.Status.FAILED,
          null,
          e.getMessage(),
          null,
          e);
    } catch (RuntimeException e) {
      return new CcSyncOutcome(
          CcSyncOutcome.Status.FAILED,
          null,
          "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          null,
          e);
    }
  }
}
