package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.TimerTrigger;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.rivian.PollSchedule;
import io.deezwatts.core.rivian.RivianClient;
import io.deezwatts.core.rivian.RivianException;
import io.deezwatts.core.rivian.RivianPoller;
import io.deezwatts.core.rivian.ScheduledPolls;
import io.deezwatts.core.rivian.TokenStore;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.util.Lazy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Polls Rivian on a timer ({@code DEEZWATTS_RIVIAN_SCHEDULE}, NCRONTAB with seconds, such as {@code
 * 0 *}{@code /5 * * * *}) and stores vehicle state snapshots. It reuses the session {@code
 * deezwatts rivian login} saved in Key Vault ({@link KeyVaultTokenStore}); it never logs in itself,
 * as MFA needs a person.
 *
 * <p>After a failure a retry may fix (Rivian's {@code RATE_LIMIT}, a sink failing transiently) it
 * logs a warning and skips runs for a growing backoff ({@link PollSchedule#backoff}, from {@code
 * DEEZWATTS_RIVIAN_INTERVAL_SECONDS}, the schedule's period). A failure no retry fixes (an expired
 * session: "run `deezwatts rivian login` again") fails the invocation, so that it shows and alerts.
 * Runs closer together than {@link PollSchedule#MINIMUM_INTERVAL} are skipped.
 */
public final class RivianPoll {
  /** The NCRONTAB schedule setting. */
  public static final String SCHEDULE_VARIABLE = "DEEZWATTS_RIVIAN_SCHEDULE";

  /** The schedule's period in seconds, for backoff. */
  public static final String INTERVAL_VARIABLE = ScheduledPolls.INTERVAL_VARIABLE;

  private static final Duration DEADLINE = Duration.ofSeconds(50);

  private final Runs runs;

  /** The constructor the Java worker calls. */
  public RivianPoll() {
    this(FunctionApp.shared().rivianRuns());
  }

  RivianPoll(Runs runs) {
    this.runs = runs;
  }

  /**
   * Polls once, unless backing off or too soon after the last poll.
   *
   * @throws RivianException when the session has expired or Rivian refused for good
   * @throws IOException when the session cannot be read from Key Vault
   * @throws SinkException when the snapshots could not be stored for good
   */
  @FunctionName("RivianPoll")
  public void run(
      @TimerTrigger(name = "timer", schedule = "%" + SCHEDULE_VARIABLE + "%") String timerInfo,
      ExecutionContext context)
      throws RivianException, IOException, SinkException {
    runs.run(context.getLogger());
  }

  /** One instance's polling state: the poller, the last poll and the backoff. */
  static final class Runs {
    private final Lazy<RivianPoller> poller;
    private final ScheduledPolls runs;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException when the interval is malformed or under the minimum
     */
    Runs(Map<String, String> env, TokenStoreFactory tokens, Clock clock) {
      this.runs = ScheduledPolls.fromEnvironment(env);
      this.clock = clock;
      this.poller =
          new Lazy<>(
              () ->
                  new RivianPoller(
                      RivianClient.fromEnvironment(env),
                      tokens.create(),
                      Sinks.fromEnvironment(env),
                      Catalog.standard(),
                      clock));
    }

    synchronized void run(Logger log) throws RivianException, IOException, SinkException {
      Instant now = clock.instant();
      ScheduledPolls.Admission admission = runs.admit(now);
      if (admission == ScheduledPolls.Admission.TOO_SOON) {
        log.warning(
            "Rivian poll skipped: runs come faster than the minimum of "
                + PollSchedule.MINIMUM_INTERVAL.toSeconds()
                + " s; slow down "
                + SCHEDULE_VARIABLE);
        return;
      }
      if (admission == ScheduledPolls.Admission.BACKING_OFF) {
        log.info("Rivian poll skipped: backing off after a failure until " + runs.notBefore());
        return;
      }
      try {
        RivianPoller.PollResult r = poller.get().poll(now.plus(DEADLINE));
        runs.succeeded();
        r.warnings().forEach(log::warning);
        if (r.partial()) {
          log.warning("Rivian poll " + r.partialNote());
        }
        log.info(
            "Rivian poll: "
                + r.vehicles()
                + " vehicles, "
                + r.written().rowsStored()
                + " snapshots stored, "
                + r.written().duplicatesSkipped()
                + " unchanged");
      } catch (RivianException e) {
        if (e.retry() != RivianException.Retry.LATER) {
          throw e;
        }
        backOff(now, log, e.getMessage());
      } catch (SinkException e) {
        if (!e.isTransient()) {
          throw e;
        }
        backOff(now, log, "storing failed: " + e.getMessage());
      }
    }

    private void backOff(Instant now, Logger log, String why) {
      Instant notBefore = runs.failedTransiently(now);
      log.warning("Rivian poll failed (" + why + "); backing off until " + notBefore);
    }
  }

  /** Opens the session store on first use. */
  @FunctionalInterface
  interface TokenStoreFactory {
    TokenStore create();
  }
}
