package io.deezwatts.core.rivian;

import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Runs {@link RivianPoller#poll} on a fixed interval, backing off when Rivian asks it to. The
 * interval may not be shorter than {@link #MINIMUM_INTERVAL}; after a failure worth retrying
 * ({@code RATE_LIMIT}, {@code SESSION_MANAGER_ERROR}, a network failure or a transient sink
 * failure) the wait doubles with each failure in a row, from the interval up to {@link
 * #MAXIMUM_BACKOFF}, and returns to the interval after a success. A failure no retry can fix (an
 * expired session above all) ends the schedule: it never logs in by itself.
 */
public final class PollSchedule {
  /** The shortest interval between polls: Rivian rate-limits accounts that poll faster. */
  public static final Duration MINIMUM_INTERVAL = Duration.ofSeconds(60);

  /** The longest wait after failures in a row. */
  public static final Duration MAXIMUM_BACKOFF = Duration.ofMinutes(30);

  /** The default interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);

  /** Waits between polls; tests pass one that records instead of sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Hears what each poll did. */
  public interface Listener {
    /** A poll stored its rows. */
    void polled(RivianPoller.PollResult result);

    /** A poll failed in a way a later poll may not; the next one is in {@code wait}. */
    void backingOff(Exception failure, Duration wait);
  }

  private final RivianPoller poller;
  private final Duration interval;
  private final Sleeper sleeper;
  private final Listener listener;
  private final Supplier<Instant> deadline;

  /**
   * A schedule.
   *
   * @param deadline gives each poll's sink deadline when it starts
   * @throws IllegalArgumentException when {@code interval} is shorter than {@link
   *     #MINIMUM_INTERVAL}, with a message saying so
   */
  public PollSchedule(
      RivianPoller poller,
      Duration interval,
      Sleeper sleeper,
      Listener listener,
      Supplier<Instant> deadline) {
    checkInterval(interval);
    this.poller = poller;
    this.interval = interval;
    this.sleeper = sleeper;
    this.listener = listener;
    this.deadline = deadline;
  }

  /**
   * Refuses an interval shorter than {@link #MINIMUM_INTERVAL}.
   *
   * @throws IllegalArgumentException naming the interval and the minimum
   */
  public static void checkInterval(Duration interval) {
    if (interval.compareTo(MINIMUM_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "a poll every "
              + interval.toSeconds()
              + " s is faster than the minimum of "
              + MINIMUM_INTERVAL.toSeconds()
              + " s between Rivian polls (Rivian rate-limits accounts that poll faster);"
              + " choose an interval of at least "
              + MINIMUM_INTERVAL.toSeconds()
              + " s");
    }
  }

  /**
   * The wait after {@code failures} failures in a row: the interval doubled that many times, capped
   * at {@link #MAXIMUM_BACKOFF} and never below the interval.
   */
  public static Duration backoff(Duration interval, int failures) {
    Duration wait = interval;
    for (int i = 0; i < failures && wait.compareTo(MAXIMUM_BACKOFF) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    if (wait.compareTo(MAXIMUM_BACKOFF) > 0) {
      wait = MAXIMUM_BACKOFF;
    }
    return wait.compareTo(interval) < 0 ? interval : wait;
  }

  /**
   * Polls {@code polls} times (or forever when {@code polls <= 0}), waiting between polls.
   *
   * @throws RivianException when a failure no retry can fix occurs (expired session, schema or
   *     input errors); the schedule stops
   * @throws IOException when the token store cannot be read
   * @throws SinkException when the sink fails permanently
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  public void run(long polls)
      throws RivianException, IOException, SinkException, InterruptedException {
    int failures = 0;
    for (long n = 1; ; n++) {
      Duration wait;
      try {
        listener.polled(poller.poll(deadline.get()));
        failures = 0;
        wait = interval;
      } catch (RivianException e) {
        if (e.retry() != RivianException.Retry.LATER) {
          throw e;
        }
        failures++;
        wait = backoff(interval, failures);
        listener.backingOff(e, wait);
      } catch (SinkException e) {
        if (!e.isTransient()) {
          throw e;
        }
        failures++;
        wait = backoff(interval, failures);
        listener.backingOff(e, wait);
      }
      if (polls > 0 && n >= polls) {
        return;
      }
      sleeper.sleep(wait);
    }
  }
}
