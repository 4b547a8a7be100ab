package io.deezwatts.cli.viriciti;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter: the n-th delay is drawn uniformly from {@code [d/2, d]}
 * where {@code d = min(max, initial * 2^n)}, so that many clients that lost the server at once do
 * not all come back at the same moment. Thread-safe.
 */
final class Backoff {
  private final long initialNanos;
  private final long maxNanos;
  private final DoubleSupplier random;
  private int attempt;

  /**
   * @param initial the first delay's upper bound; positive
   * @param max the cap; at least {@code initial}
   * @param random values in {@code [0, 1)}; tests pass a fixed one
   * @throws IllegalArgumentException when the bounds are not positive or out of order
   */
  Backoff(Duration initial, Duration max, DoubleSupplier random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got " + initial + " and " + max);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  Backoff(Duration initial, Duration max) {
    this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The next delay; each call doubles the bound until the cap. */
  synchronized Duration next() {
    long bound = initialNanos;
    for (int i = 0; i < attempt && bound < maxNanos; i++) {
      bound = bound > maxNanos / 2 ? maxNanos : bound * 2;
    }
    bound = Math.min(bound, maxNanos);
    if (attempt < Integer.MAX_VALUE) {
      attempt++;
    }
    double r = Math.min(Math.max(random.getAsDouble(), 0.0), 1.0);
    return Duration.ofNanos(bound / 2 + (long) (r * (bound - bound / 2)));
  }

  /** How many delays were handed out since the last {@link #reset()}. */
  synchronized int attempts() {
    return attempt;
  }

  /** Starts again from the initial delay, after a success. */
  synchronized void reset() {
    attempt = 0;
  }
}
