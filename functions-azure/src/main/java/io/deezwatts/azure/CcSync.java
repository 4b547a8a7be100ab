package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.deezwatts.core.cc.CcException;
import io.deezwatts.core.cc.StreamReconciler;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The daily Connected Cars reconcile on a timer ({@code DEEZWATTS_CC_SYNC_SCHEDULE}, NCRONTAB such
 * as {@code 0 15 3 * * *}): every vehicle that has consented gets a data stream for each topic in
 * {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS}, catching up whatever automatic onboarding missed. The
 * same {@link StreamReconciler} as {@code deezwatts cc sync --apply} and the Google Cloud function.
 *
 * <p>With no topics configured it logs that and does nothing. A failure fails the invocation so it
 * shows and alerts; the next day's run tries again, and streams added before a failure stay added.
 */
public final class CcSync {
  /** The NCRONTAB schedule setting. */
  public static final String SCHEDULE_VARIABLE = "DEEZWATTS_CC_SYNC_SCHEDULE";

  private final Supplier<Map<String, String>> settings;
  private final Supplier<StreamReconciler> reconciler;

  /** The constructor the Java worker calls. */
  public CcSync() {
    this(FunctionApp.shared()::env, FunctionApp.shared()::ccReconciler);
  }

  CcSync(Supplier<Map<String, String>> settings, Supplier<StreamReconciler> reconciler) {
    this.settings = settings;
    this.reconciler = reconciler;
  }

  /**
   * Adds the missing streams.
   *
   * @throws CcException when Connected Cars' API failed ({@link CcException#retryable()}: the next
   *     run may succeed)
   * @throws IllegalArgumentException naming a missing or malformed {@code DEEZWATTS_CC_*} setting
   */
  @FunctionName("CcSync")
  public void run(
      @TimerTrigger(name = "timer", schedule = "%" + SCHEDULE_VARIABLE + "%") String timerInfo,
      ExecutionContext context)
      throws CcException {
    Logger log = context.getLogger();
    String topics = settings.get().get("DEEZWATTS_CC_AUTO_STREAM_TOPICS");
    if (topics == null || topics.isBlank()) {
      log.info("Connected Cars sync: DEEZWATTS_CC_AUTO_STREAM_TOPICS is empty; nothing to do");
      return;
    }
    StreamReconciler r = reconciler.get();
    List<Long> wanted = r.configuredTopics();
    StreamReconciler.Result result = r.reconcile(wanted, true, log::info);
    for (StreamReconciler.Failure f : result.failed()) {
      log.warning(
          "Connected Cars refused a stream for vehicle "
              + f.stream().vehicleId()
              + " on topic "
              + f.stream().integrationTopicId()
              + ": "
              + f.reason());
    }
    log.info(
        "Connected Cars sync on topics "
            + result.topics()
            + ": "
            + result.consentedVehicles()
            + " consented vehicles, "
            + result.existingStreams()
            + " streams existed, "
            + result.added().size()
            + " added, "
            + result.failed().size()
            + " refused");
  }
}
