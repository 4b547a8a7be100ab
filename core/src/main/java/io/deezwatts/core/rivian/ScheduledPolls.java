package io.deezwatts.core.rivian;

import io.deezwatts.core.ingest.SettingException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Whether a scheduler's run may poll Rivian now: what a function instance remembers between runs
 * (Cloud Scheduler → HTTP on Google Cloud, a timer on Azure). Runs that come closer together than
 * {@link PollSchedule#MINIMUM_INTERVAL} (less {@link #JITTER} of scheduler jitter) are refused;
 * after a failure a retry may fix, runs are skipped for {@link PollSchedule#backoff}, ending half
 * an interval early so that the run due when it ends is not skipped. Thread-safe.
 */
public final class ScheduledPolls {
  /** The schedule's interval in seconds, checked against the minimum. */
  public static final String INTERVAL_VARIABLE = "DEEZWATTS_RIVIAN_INTERVAL_SECONDS";

  /** How early a scheduled run may come without being refused as too frequent. */
  public static final Duration JITTER = Duration.ofSeconds(10);

  /** What a run may do. */
  public enum Admission {
    /** Poll now; the run is recorded as the last poll. */
    POLL,
    /** Refused: too soon after the last poll. */
    TOO_SOON,
    /** Skipped: backing off after a failure until {@link #notBefore()}. */
    BACKING_OFF
  }

  private final Duration interval;
  private Instant lastPoll;
  private Instant notBefore = Instant.MIN;
  private int failures;

  /**
   * @throws IllegalArgumentException when {@code interval} is under the minimum
   */
  public ScheduledPolls(Duration interval) {
    PollSchedule.checkInterval(interval);
    this.interval = interval;
  }

  /**
   * The state for the interval {@code DEEZWATTS_RIVIAN_INTERVAL_SECONDS} names (default {@link
   * PollSchedule#DEFAULT_INTERVAL}).
   *
   * @throws SettingException naming the variable when it is not a number, or under the minimum
   */
  public static ScheduledPolls fromEnvironment(Map<String, String> env) {
    String seconds = env.get(INTERVAL_VARIABLE);
    Duration interval;
    try {
      interval =
          seconds == null || seconds.isBlank()
              ? PollSchedule.DEFAULT_INTERVAL
              : Duration.ofSeconds(Long.parseLong(seconds.trim()));
    } catch (NumberFormatException e) {
      throw new SettingException(
          INTERVAL_VARIABLE, INTERVAL_VARIABLE + " must be a number of seconds", e);
    }
    try {
      return new ScheduledPolls(interval);
    } catch (IllegalArgumentException e) {
      throw new SettingException(INTERVAL_VARIABLE, INTERVAL_VARIABLE + ": " + e.getMessage(), e);
    }
  }

  /** Decides a run at {@code now}; a run allowed to poll is recorded as the last poll. */
  public synchronized Admission admit(Instant now) {
    if (lastPoll != null
        && Duration.between(lastPoll, now).compareTo(PollSchedule.MINIMUM_INTERVAL.minus(JITTER))
            < 0) {
      return Admission.TOO_SOON;
    }
    if (now.isBefore(notBefore)) {
      return Admission.BACKING_OFF;
    }
    lastPoll = now;
    return Admission.POLL;
  }

  /** The poll stored its rows: the backoff ends. */
  public synchronized void succeeded() {
    failures = 0;
    notBefore = Instant.MIN;
  }

  /**
   * The poll failed in a way a later one may not: runs are skipped for a growing backoff.
   *
   * @return when runs may poll again
   */
  public synchronized Instant failedTransiently(Instant now) {
    failures++;
    // Half an interval early, so that the run due when the backoff ends is not skipped.
    notBefore = now.plus(PollSchedule.backoff(interval, failures)).minus(interval.dividedBy(2));
    return notBefore;
  }

  /** Until when runs are skipped; {@link Instant#MIN} when not backing off. */
  public synchronized Instant notBefore() {
    return notBefore;
  }
}
