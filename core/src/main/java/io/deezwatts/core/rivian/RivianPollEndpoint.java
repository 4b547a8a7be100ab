package io.deezwatts.core.rivian;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.rivian.RivianPollOutcome.Status;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.util.Lazy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One scheduled Rivian poll, independent of the platform: Cloud Scheduler's request on Google Cloud
 * and the timer on Azure both call {@link #run} and translate its {@link RivianPollOutcome}. It
 * reuses the session {@code deezwatts rivian login} saved in the token store; it never logs in
 * itself, as MFA needs a person.
 *
 * <p>Runs closer together than {@link PollSchedule#MINIMUM_INTERVAL} (less {@link
 * ScheduledPolls#JITTER}) are refused ({@code TOO_SOON}). After a failure a retry may fix (Rivian's
 * {@code RATE_LIMIT}, Rivian or a sink failing transiently: {@code RETRY_LATER}) runs are skipped
 * for a growing backoff ({@code SKIPPED}). An expired session ({@code SESSION_EXPIRED}) and every
 * other failure ({@code FAILED}) need a person. Settings are read on the first run: a malformed one
 * is {@code NOT_CONFIGURED}, a sink or session store that cannot be opened {@code NOT_READY} (the
 * next run tries again). Never throws.
 */
public final class RivianPollEndpoint {
  /** How long a poll may take, storing included: under the platforms' request and timer limits. */
  public static final Duration DEADLINE = Duration.ofSeconds(50);

  private final Lazy<ScheduledPolls> runs;
  private final Lazy<RivianPoller> poller;
  private final Clock clock;

  /**
   * @param runs the scheduling state, made on the first run (reads the interval setting)
   * @param poller the poller, made on the first run that polls
   */
  public RivianPollEndpoint(
      Supplier<ScheduledPolls> runs, Supplier<RivianPoller> poller, Clock clock) {
    this.runs = new Lazy<>(runs);
    this.poller = new Lazy<>(poller);
    this.clock = clock;
  }

  /**
   * The endpoint the environment configures ({@code DEEZWATTS_RIVIAN_INTERVAL_SECONDS}, {@code
   * DEEZWATTS_RIVIAN_ENDPOINT}), storing into {@code sink} with the session in {@code tokens};
   * reads and opens nothing yet.
   */
  public static RivianPollEndpoint configured(
      Map<String, String> env, Supplier<TokenStore> tokens, Supplier<Sink> sink, Clock clock) {
    return new RivianPollEndpoint(
        () -> ScheduledPolls.fromEnvironment(env),
        () ->
            new RivianPoller(
                RivianClient.fromEnvironment(env),
                tokens.get(),
                sink.get(),
                Catalog.standard(),
                clock),
        clock);
  }

  /** Runs now, with {@link #DEADLINE}; see {@link #run(Instant, Instant, Logger)}. */
  public RivianPollOutcome run(Logger log) {
    Instant now = clock.instant();
    return run(now, now.plus(DEADLINE), log);
  }

  /**
   * Polls once, unless too soon or backing off, and logs one line with the outcome's fields (plus
   * one per warning). One run at a time per instance.
   *
   * @param now when the run started
   * @param deadline when the poll must have stored its rows
   * @param log where the outcome is logged (Azure passes its invocation's logger)
   */
  public synchronized RivianPollOutcome run(Instant now, Instant deadline, Logger log) {
    RivianPollOutcome outcome = decide(now, deadline);
    outcome.warnings().forEach(w -> log.warning("Rivian poll: " + w));
    // The outcome's own fields (what the Google Cloud function answers), plus what a log needs.
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", outcome.status().label());
    fields.putAll(outcome.fields());
    fields.remove("warnings");
    fields.remove("message");
    if (outcome.startup() != null) {
      fields.put("setting", outcome.startup().setting());
    }
    LogFields.log(
        log,
        level(outcome.status()),
        "Rivian poll " + outcome.status().label() + ": " + logMessage(outcome),
        // A stack trace only for the unexpected: the others' messages say it all.
        outcome.status() == Status.FAILED && outcome.cause() instanceof RuntimeException
            ? outcome.cause()
            : null,
        fields);
    return outcome;
  }

  private RivianPollOutcome decide(Instant now, Instant deadline) {
    ScheduledPolls schedule;
    RivianPoller ready;
    try {
      schedule = runs.get();
      // Ready before admitted: a run that cannot get ready does not count as the last poll.
      ready = poller.get();
      ScheduledPolls.Admission admission = schedule.admit(now);
      if (admission == ScheduledPolls.Admission.TOO_SOON) {
        return RivianPollOutcome.of(
            Status.TOO_SOON,
            "polls come faster than the minimum of "
                + PollSchedule.MINIMUM_INTERVAL.toSeconds()
                + " s between Rivian polls; slow down the schedule",
            null,
            null);
      }
      if (admission == ScheduledPolls.Admission.BACKING_OFF) {
        return RivianPollOutcome.of(
            Status.SKIPPED,
            "backing off after a failure until " + schedule.notBefore(),
            schedule.notBefore(),
            null);
      }
    } catch (RuntimeException e) {
      return RivianPollOutcome.notReady(StartupFailure.of(e), e);
    }
    try {
      RivianPoller.PollResult r = ready.poll(deadline);
      schedule.succeeded();
      return new RivianPollOutcome(
          r.partial() ? Status.PARTIAL : Status.STORED,
          r.vehicles(),
          r.written().rowsStored(),
          r.written().duplicatesSkipped(),
          r.rateLimited(),
          r.warnings(),
          r.partial()
              ? r.partialNote().substring("partial: ".length())
              : r.vehicles()
                  + " vehicles, "
                  + r.written().rowsStored()
                  + " snapshots stored, "
                  + r.written().duplicatesSkipped()
                  + " unchanged",
          null,
          null,
          null);
    } catch (RivianException.SessionExpired e) {
      return RivianPollOutcome.of(Status.SESSION_EXPIRED, e.getMessage(), null, e);
    } catch (RivianException e) {
      return e.retry() == RivianException.Retry.LATER
          ? backOff(schedule, now, e.getMessage(), e)
          : RivianPollOutcome.of(Status.FAILED, e.getMessage(), null, e);
    } catch (SinkException e) {
      String message = "storing failed: " + e.getMessage();
      return e.isTransient()
          ? backOff(schedule, now, message, e)
          : RivianPollOutcome.of(Status.FAILED, message, null, e);
    } catch (TokenStore.Unavailable e) {
      return backOff(schedule, now, "cannot read the Rivian session for now: " + e.getMessage(), e);
    } catch (IOException e) {
      return RivianPollOutcome.of(
          Status.FAILED, "cannot read the Rivian session: " + e.getMessage(), null, e);
    } catch (RuntimeException e) {
      return RivianPollOutcome.of(
          Status.FAILED,
          "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          null,
          e);
    }
  }

  private static RivianPollOutcome backOff(
      ScheduledPolls schedule, Instant now, String why, Exception cause) {
    // The schedule comes back every interval; runs are skipped until the backoff has passed.
    Instant notBefore = schedule.failedTransiently(now);
    return RivianPollOutcome.of(
        Status.RETRY_LATER, why + "; backing off until " + notBefore, notBefore, cause);
  }

  private static String logMessage(RivianPollOutcome o) {
    return o.startup() == null ? o.message() : o.startup().logLine();
  }

  private static Level level(Status status) {
    return switch (status) {
      case STORED, SKIPPED -> Level.INFO;
      case PARTIAL, TOO_SOON, RETRY_LATER -> Level.WARNING;
      default -> Level.SEVERE;
    };
  }
}
