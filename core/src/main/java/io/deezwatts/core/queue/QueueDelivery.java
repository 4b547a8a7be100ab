package io.deezwatts.core.queue;

import io.deezwatts.core.decode.IngestContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * How a platform delivers a batch of messages, which decides what a failure becomes.
 *
 * <ul>
 *   <li>{@link #redelivered}: the queue itself redelivers a message the function fails, and
 *       dead-letters it after its own attempts (Pub/Sub's subscription). Every failure is {@link
 *       QueueOutcome.Decision#RETRY}: nothing is parked by the function.
 *   <li>{@link #parkedAfter}: the trigger moves on past a failed batch (Event Hubs checkpoints), so
 *       the function retries through its policy and then parks. A transient failure is {@link
 *       QueueOutcome.Decision#RETRY} while retries remain; a permanent one, or any on the last
 *       attempt, is {@link QueueOutcome.Decision#PARK}.
 * </ul>
 *
 * @param source recorded on every row and log line
 * @param parksInFunction true when the function must park what it cannot store
 * @param attempt this attempt, from 0 (0 when the platform does not say)
 * @param maxRetries the retries after the first attempt (0 when the platform does not say)
 * @param deadLetter where parked bulks go, for the log lines ("the dead-letter hub")
 * @param replayFrom where a bulk that could be neither stored nor parked can still be read, for the
 *     log line that says so ("the source hub")
 * @param fields names and values, in pairs, added to the line a failure to get ready writes
 */
public record QueueDelivery(
    IngestContext.Source source,
    boolean parksInFunction,
    int attempt,
    int maxRetries,
    String deadLetter,
    String replayFrom,
    List<Object> fields) {

  public QueueDelivery {
    Objects.requireNonNull(source, "source");
    // Values may be null (LogFields leaves them out); List.copyOf would refuse them.
    fields = Collections.unmodifiableList(new ArrayList<>(fields));
  }

  /**
   * A queue that redelivers what fails and dead-letters it itself.
   *
   * @param fields names and values, in pairs, for the line a failure to get ready writes
   */
  public static QueueDelivery redelivered(IngestContext.Source source, Object... fields) {
    return new QueueDelivery(source, false, 0, 0, null, null, Arrays.asList(fields));
  }

  /**
   * A trigger that moves on after a failed batch: retried {@code maxRetries} times by the
   * function's policy, then parked.
   *
   * @param attempt this attempt, from 0
   * @param deadLetter where parked bulks go ("the dead-letter hub")
   * @param replayFrom where a bulk neither stored nor parked can be read again ("the source hub")
   */
  public static QueueDelivery parkedAfter(
      IngestContext.Source source,
      int attempt,
      int maxRetries,
      String deadLetter,
      String replayFrom,
      Object... fields) {
    return new QueueDelivery(
        source, true, attempt, maxRetries, deadLetter, replayFrom, Arrays.asList(fields));
  }

  /** True when no retry remains after this attempt. */
  public boolean lastAttempt() {
    return attempt >= maxRetries;
  }
}
