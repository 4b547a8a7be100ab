package io.deezwatts.core.util;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Capped exponential backoff with full jitter, the one rule for every retry in deezwatts (the
 * BigQuery sink's appends, the ViriCiti bridge's reconnects and writes): before retry {@code n}
 * (from 1) wait a random time between zero and {@code min(cap, base * 2^(n-1))}, so that many
 * clients retrying at once spread out instead of coming back together. Immutable; {@link
 * #sequence()} counts retries for callers that retry until a success.
 */
public final class Backoff {
  private final long baseNanos;
  private final long capNanos;
  private final LongUnaryOperator jitter;

  /**
   * @throws IllegalArgumentException unless {@code 0 <= base <= cap}
   */
  public Backoff(Duration base, Duration cap) {
    this(base, cap, ceiling -> ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  /**
   * With a chosen jitter, for tests.
   *
   * @param jitter given a ceiling in nanoseconds, a wait between zero and it (clamped to that)
   * @throws IllegalArgumentException unless {@code 0 <= base <= cap}
   */
  public Backoff(Duration base, Duration cap, LongUnaryOperator jitter) {
    if (base.isNegative() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 <= initial <= max, got " + base + " and " + cap);
    }
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.jitter = jitter;
  }

  /**
   * The longest wait before retry {@code n}.
   *
   * @throws IllegalArgumentException when {@code retry < 1}
   */
  public Duration ceiling(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry " + retry);
    }
    long ceiling = baseNanos;
    for (int i = 1; i < retry && ceiling > 0 && ceiling < capNanos; i++) {
      ceiling = ceiling > capNanos / 2 ? capNanos : ceiling * 2;
    }
    return Duration.ofNanos(Math.min(ceiling, capNanos));
  }

  /** A random wait before retry {@code n}, between zero and {@link #ceiling}. */
  public Duration delay(int retry) {
    long ceiling = ceiling(retry).toNanos();
    return Duration.ofNanos(
        ceiling == 0 ? 0 : Math.max(0, Math.min(ceiling, jitter.applyAsLong(ceiling))));
  }

  /** A counter of retries on this backoff, starting at none. */
  public Sequence sequence() {
    return new Sequence();
  }

  /** Retries counted since the last success. Thread-safe. */
  public final class Sequence {
    private int retries;

    private Sequence() {}

    /** The wait before the next retry; each call moves one retry on. */
    public synchronized Duration next() {
      if (retries < Integer.MAX_VALUE) {
        retries++;
      }
      return delay(retries);
    }

    /** How many waits were handed out since the last {@link #reset()}. */
    public synchronized int attempts() {
      return retries;
    }

    /** Starts again from the first retry, after a success. */
    public synchronized void reset() {
      retries = 0;
    }
  }
}
