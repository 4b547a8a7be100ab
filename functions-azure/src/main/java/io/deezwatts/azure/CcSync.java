package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.deezwatts.core.cc.CcSyncEndpoint;
import io.deezwatts.core.cc.CcSyncOutcome;

/**
 * The daily Connected Cars reconcile on a timer ({@code DEEZWATTS_CC_SYNC_SCHEDULE}, NCRONTAB such
 * as {@code 0 15 3 * * *}): every vehicle that has consented gets a data stream for each topic in
 * {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS}, catching up whatever automatic onboarding missed. A thin
 * adapter over {@link CcSyncEndpoint}, as the Google Cloud function and {@code deezwatts cc sync
 * --apply} run the same reconcile.
 *
 * <p>With no topics configured it logs that and does nothing. A failure fails the invocation
 * ({@link ScheduledRunFailed}) so it shows and alerts; the next day's run tries again, and streams
 * added before a failure stay added.
 */
public final class CcSync {
  /** The NCRONTAB schedule setting. */
  public static final String SCHEDULE_VARIABLE = "DEEZWATTS_CC_SYNC_SCHEDULE";

  private final CcSyncEndpoint endpoint;

  /** The constructor the Java worker calls. */
  public CcSync() {
    this(FunctionApp.shared().components().ccSync());
  }

  CcSync(CcSyncEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Adds the missing streams.
   *
   * @throws ScheduledRunFailed when Connected Cars' API failed (its cause a {@link
   *     io.deezwatts.core.cc.CcException}) or a {@code DEEZWATTS_CC_*} setting is missing or
   *     malformed (the message names it)
   */
  @FunctionName("CcSync")
  public void run(
      @TimerTrigger(name = "timer", schedule = "%" + SCHEDULE_VARIABLE + "%") String timerInfo,
      ExecutionContext context)
      throws ScheduledRunFailed {
    CcSyncOutcome outcome = endpoint.run(context.getLogger());
    if (!outcome.status().succeeded()) {
      throw new ScheduledRunFailed(
          outcome.startup() == null ? outcome.message() : outcome.startup().logLine(),
          outcome.cause());
    }
  }
}
