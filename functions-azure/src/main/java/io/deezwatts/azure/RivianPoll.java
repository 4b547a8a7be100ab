package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.deezwatts.core.rivian.PollSchedule;
import io.deezwatts.core.rivian.RivianPollEndpoint;
import io.deezwatts.core.rivian.RivianPollOutcome;
import io.deezwatts.core.rivian.ScheduledPolls;

/**
 * Polls Rivian on a timer ({@code DEEZWATTS_RIVIAN_SCHEDULE}, NCRONTAB with seconds, such as {@code
 * 0 *}{@code /5 * * * *}) and stores vehicle state snapshots. A thin adapter over {@link
 * RivianPollEndpoint}, as the Google Cloud function is: it reuses the session {@code deezwatts
 * rivian login} saved in Key Vault ({@link KeyVaultTokenStore}); it never logs in itself, as MFA
 * needs a person.
 *
 * <p>After a failure a retry may fix (Rivian's {@code RATE_LIMIT}, a sink failing transiently) it
 * logs a warning and skips runs for a growing backoff ({@link PollSchedule#backoff}, from {@code
 * DEEZWATTS_RIVIAN_INTERVAL_SECONDS}, the schedule's period). Runs closer together than {@link
 * PollSchedule#MINIMUM_INTERVAL} are skipped with a warning. A failure no retry fixes (an expired
 * session: "run `deezwatts rivian login` again", a malformed setting) or a sink that cannot be
 * opened fails the invocation ({@link ScheduledRunFailed}), so that it shows and alerts.
 */
public final class RivianPoll {
  /** The NCRONTAB schedule setting. */
  public static final String SCHEDULE_VARIABLE = "DEEZWATTS_RIVIAN_SCHEDULE";

  /** The schedule's period in seconds, for backoff. */
  public static final String INTERVAL_VARIABLE = ScheduledPolls.INTERVAL_VARIABLE;

  private final RivianPollEndpoint endpoint;

  /** The constructor the Java worker calls. */
  public RivianPoll() {
    this(FunctionApp.shared().components().rivianPoll());
  }

  RivianPoll(RivianPollEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * Polls once, unless backing off or too soon after the last poll.
   *
   * @throws ScheduledRunFailed when the session has expired, Rivian or the sink failed for good, a
   *     setting is malformed or the sink cannot be opened
   */
  @FunctionName("RivianPoll")
  public void run(
      @TimerTrigger(name = "timer", schedule = "%" + SCHEDULE_VARIABLE + "%") String timerInfo,
      ExecutionContext context)
      throws ScheduledRunFailed {
    RivianPollOutcome outcome = endpoint.run(context.getLogger());
    if (fails(outcome.status())) {
      throw new ScheduledRunFailed(
          outcome.startup() == null ? outcome.message() : outcome.startup().logLine(),
          outcome.cause());
    }
  }

  /** Whether an outcome fails the invocation; the others were logged, backing off where due. */
  static boolean fails(RivianPollOutcome.Status status) {
    return switch (status) {
      case STORED, PARTIAL, SKIPPED, TOO_SOON, RETRY_LATER -> false;
      case SESSION_EXPIRED, FAILED, NOT_CONFIGURED, NOT_READY -> true;
    };
  }
}
