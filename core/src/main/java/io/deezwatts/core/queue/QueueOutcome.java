package io.deezwatts.core.queue;

import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.sink.SinkException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a batch of queue messages came to ({@link QueueEndpoint#handle}), for the adapter to map to
 * its platform.
 *
 * <ul>
 *   <li>{@link Decision#ACK}: every bulk is stored (rows and quarantine); acknowledge the batch.
 *   <li>{@link Decision#RETRY}: throw {@link #retry()}, so that the queue or the retry policy runs
 *       the batch again. Nothing is parked: a retry may store every bulk, and bulks stored already
 *       are stored again harmlessly (same {@code event_key}, one row in the {@code _dedup} views).
 *   <li>{@link Decision#PARK}: {@link #park} the bulks that could not be stored ({@link #toPark()},
 *       raw bytes and reason) on the platform's dead letter, then acknowledge; throw only if
 *       parking failed.
 * </ul>
 */
public final class QueueOutcome {
  /** What the adapter does with the batch. */
  public enum Decision {
    ACK,
    RETRY,
    PARK
  }

  /**
   * A bulk that could not be stored.
   *
   * @param index its position in the batch, for the adapter to find its platform facts
   * @param message the message, its body exactly as it arrived
   * @param feed the feed it was read as (null when the settings could not be read)
   * @param error why; {@link SinkException#isTransient()} says whether a retry could have helped
   * @param attempts how many times the function ran for it, the first run included
   */
  public record Failed(
      int index, QueueMessage message, String feed, SinkException error, int attempts) {
    /** Why it failed, safe to log and to put beside the dead letter. */
    public String reason() {
      return error.getMessage();
    }

    /** Whether the failure was transient (the retries ran out) rather than permanent. */
    public boolean transientFailure() {
      return error.isTransient();
    }
  }

  /** Writes one dead letter: the adapter's client. */
  @FunctionalInterface
  public interface DeadLetter {
    /**
     * Parks the bulk, returning only once the dead letter holds it.
     *
     * @throws Exception when it does not; the bulk is then stored nowhere
     */
    void park(Failed bulk) throws Exception;
  }

  private final Decision decision;
  private final QueueDelivery delivery;
  private final int messages;
  private final int stored;
  private final int rejected;
  private final List<Failed> failed;
  private final SinkException retry;

  QueueOutcome(
      Decision decision,
      QueueDelivery delivery,
      int messages,
      int stored,
      int rejected,
      List<Failed> failed,
      SinkException retry) {
    this.decision = decision;
    this.delivery = delivery;
    this.messages = messages;
    this.stored = stored;
    this.rejected = rejected;
    this.failed = List.copyOf(failed);
    this.retry = retry;
  }

  public Decision decision() {
    return decision;
  }

  /** The failure to throw for {@link Decision#RETRY}, else null. */
  public SinkException retry() {
    return retry;
  }

  /** The bulks to park for {@link Decision#PARK}, in batch order; else empty. */
  public List<Failed> toPark() {
    return decision == Decision.PARK ? failed : List.of();
  }

  /** Bulks stored (decoded, or with some events quarantined). */
  public int stored() {
    return stored;
  }

  /** Bulks rejected whole and quarantined raw (acknowledged: no retry can fix them). */
  public int rejected() {
    return rejected;
  }

  /**
   * Parks every bulk of {@link #toPark()} through {@code deadLetter}, each logged as parked or,
   * when parking fails too, as {@code LOST unless replayed from} the source. Never throws.
   *
   * @return the first parking failure, or null when every bulk was parked: the adapter must then
   *     fail the invocation, as those bulks are stored nowhere
   */
  public Exception park(DeadLetter deadLetter, Logger log) {
    Exception first = null;
    for (Failed f : toPark()) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("outcome", "parked");
      fields.put("feed", f.feed());
      fields.put("source", delivery.source().wireName());
      fields.put("message_id", f.message().messageId());
      try {
        deadLetter.park(f);
        fields.put("bytes", f.message().body().length);
        fields.put("reason", f.reason());
        LogFields.log(
            log,
            Level.SEVERE,
            "parked bulk " + f.message().where() + " on " + delivery.deadLetter(),
            null,
            fields);
      } catch (Exception e) { // the client's own, or a bug: either way the bulk is not parked
        fields.put("outcome", "lost");
        fields.put("reason", f.reason());
        fields.put("parking_error", e.getMessage());
        LogFields.log(
            log,
            Level.SEVERE,
            "LOST unless replayed from "
                + delivery.replayFrom()
                + ": bulk "
                + f.message().where()
                + " could be neither stored nor parked",
            null,
            fields);
        if (first == null) {
          first = e;
        }
      }
    }
    return first;
  }

  /** One line for the batch: how many bulks were stored, quarantined raw and parked. */
  public String summary() {
    return "batch of "
        + messages
        + ": "
        + stored
        + " stored, "
        + rejected
        + " quarantined raw, "
        + toPark().size()
        + " parked";
  }
}
