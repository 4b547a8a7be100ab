package io.deezwatts.core.sink.bigquery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: before retry {@code n} (from 1) wait a random time between
 * zero and {@code min(cap, base * 2^(n-1))}, so that many senders retrying at once spread out.
 */
final class Backoff {
  private final long baseNanos;
  private final long capNanos;
  private final LongUnaryOperator jitter;

  Backoff(Duration base, Duration cap) {
    this(base, cap, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
  }

  /**
   * With a chosen jitter, for tests.
   *
   * @param jitter given a ceiling in nanoseconds, a wait between zero and it
   */
  Backoff(Duration base, Duration cap, LongUnaryOperator jitter) {
    if (base.isNegative() || cap.isNegative() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff base " + base + ", cap " + cap);
    }
    this.baseNanos = base.toNanos();
    this.capNanos = cap.toNanos();
    this.jitter = jitter;
  }

  /** The longest wait before retry {@code n}. */
  Duration ceiling(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry " + retry);
    }
    long ceiling = baseNanos;
    for (int i = 1; i < retry && ceiling < capNanos; i++) {
      ceiling = ceiling > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : ceiling * 2;
    }
    return Duration.ofNanos(Math.min(ceiling, capNanos));
  }

  /** A random wait before retry {@code n}, between zero and {@link #ceiling}. */
  Duration delay(int retry) {
    long ceiling = ceiling(retry).toNanos();
    return Duration.ofNanos(
        ceiling == 0 ? 0 : Math.max(0, Math.min(ceiling, jitter.applyAsLong(ceiling))));
  }
}
