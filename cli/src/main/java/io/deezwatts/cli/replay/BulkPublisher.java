package io.deezwatts.cli.replay;

/**
 * Publishes pieces to a cloud queue, each as one message carrying the {@code feed} attribute (and
 * {@code file}). Outcomes go to the {@link ReplayStats} given at creation: published, failed (after
 * the client's own retries), and an abort for failures every publish would get (no such topic or
 * hub, no permission).
 */
interface BulkPublisher extends AutoCloseable {
  /** Where messages go, without secrets. */
  String describe();

  /** The largest body one message may carry; the reader cuts pieces to fit. */
  int maxBodyBytes();

  /**
   * Starts publishing a piece; returns once it is handed over. Blocks while the number or bytes of
   * messages in flight are at their bound, so memory stays bounded however large the input.
   *
   * @throws InterruptedException when interrupted while blocked
   */
  void publish(Piece piece) throws InterruptedException;

  /**
   * Publishes what is still buffered and waits for every message's outcome, then releases the
   * client. Never throws for a failed message: that is in the stats.
   *
   * @return false when outcomes were still pending at the time limit (they are then unknown)
   * @throws InterruptedException when interrupted while waiting
   */
  boolean finish() throws InterruptedException;

  /** Releases the client without waiting (after {@link #finish}, or on an early error). */
  @Override
  void close();
}
