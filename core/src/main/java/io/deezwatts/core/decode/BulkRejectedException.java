package io.deezwatts.core.decode;

/**
 * The bulk as a whole cannot be decoded: it is not JSON, not a JSON array, or breaks a limit.
 * Retrying the same bytes cannot help, so callers answer HTTP 400 (or acknowledge a message) after
 * storing the raw bulk in quarantine. The message is short, safe to show to the sender, and names
 * the event index and position where it applies.
 */
public final class BulkRejectedException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int eventIndex;

  BulkRejectedException(String message, int eventIndex) {
    super(message, null, false, false);
    this.eventIndex = eventIndex;
  }

  /** Index of the event at which decoding stopped, or -1 when it applies to the whole body. */
  public int eventIndex() {
    return eventIndex;
  }
}
