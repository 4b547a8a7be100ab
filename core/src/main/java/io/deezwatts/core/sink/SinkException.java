package io.deezwatts.core.sink;

/**
 * A sink could not store a whole bulk. {@link #isTransient()} tells the caller whether the same
 * bulk may succeed later (answer HTTP 503, let Pub/Sub or Event Hubs redeliver) or never will
 * (answer 500, park it). Either way nothing of the bulk may be acknowledged; rows that did get
 * written are harmless, as a replay carries the same event keys.
 */
public final class SinkException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean transientFailure;

  private SinkException(String message, Throwable cause, boolean transientFailure) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  /** A failure that retrying may cure: a 5xx, a rate limit, an I/O error, a deadline. */
  public static SinkException transientFailure(String message, Throwable cause) {
    return new SinkException(message, cause, true);
  }

  /** A failure that retrying cannot cure: a missing table, a permission, a schema mismatch. */
  public static SinkException permanent(String message, Throwable cause) {
    return new SinkException(message, cause, false);
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
