package io.deezwatts.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Exponential backoff with full jitter between retries: the one rule for every retry. */
class BackoffTest {
  @Test
  void ceilingDoublesUpToTheCap() {
    Backoff b = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10));
    assertEquals(Duration.ofMillis(250), b.ceiling(1));
    assertEquals(Duration.ofMillis(500), b.ceiling(2));
    assertEquals(Duration.ofSeconds(1), b.ceiling(3));
    assertEquals(Duration.ofSeconds(8), b.ceiling(6));
    assertEquals(Duration.ofSeconds(10), b.ceiling(7));
    assertEquals(Duration.ofSeconds(10), b.ceiling(1_000));
  }

  @Test
  void fullJitterStaysBetweenZeroAndTheCeiling() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    long distinct = 0;
    Duration previous = null;
    for (int i = 0; i < 200; i++) {
      Duration d = b.delay(3);
      assertTrue(!d.isNegative() && d.compareTo(Duration.ofMillis(400)) <= 0, d.toString());
      if (!d.equals(previous)) {
        distinct++;
      }
      previous = d;
    }
    assertTrue(distinct > 100, "jittered, not fixed");
  }

  @Test
  void chosenJitterIsClampedToTheCeiling() {
    assertEquals(
        Duration.ofMillis(200),
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), c -> c * 5).delay(2));
    assertEquals(
        Duration.ZERO,
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), c -> -1).delay(1));
    assertEquals(Duration.ZERO, new Backoff(Duration.ZERO, Duration.ZERO).delay(4));
  }

  @Test
  void refusesNonsense() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofMillis(2));
    assertThrows(IllegalArgumentException.class, () -> b.ceiling(0));
  }

  @Test
  void aSequenceDoublesUpToTheCapAndStartsAgainAfterAReset() {
    Backoff.Sequence s =
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), c -> c).sequence();
    long[] expected = {100, 200, 400, 800, 1000, 1000};
    for (long e : expected) {
      assertEquals(e, s.next().toMillis());
    }
    assertEquals(6, s.attempts());
    s.reset();
    assertEquals(0, s.attempts());
    assertEquals(100, s.next().toMillis());
  }

  @Test
  void aSequenceNeverOverflowsAfterManyRetries() {
    Backoff.Sequence s = new Backoff(Duration.ofMillis(1), Duration.ofHours(1), c -> c).sequence();
    Duration last = Duration.ZERO;
    for (int i = 0; i < 200; i++) {
      last = s.next();
    }
    assertEquals(Duration.ofHours(1), last);
    Backoff huge = new Backoff(Duration.ofSeconds(1), Duration.ofNanos(Long.MAX_VALUE), c -> c);
    assertEquals(Duration.ofNanos(Long.MAX_VALUE), huge.ceiling(200));
  }
}
