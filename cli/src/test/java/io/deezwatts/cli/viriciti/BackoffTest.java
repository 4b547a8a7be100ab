package io.deezwatts.cli.viriciti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesUpToTheCapWithTheHighestJitter() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), () -> 1.0);
    long[] expected = {100, 200, 400, 800, 1000, 1000};
    for (long e : expected) {
      assertEquals(e, b.next().toMillis());
    }
    assertEquals(6, b.attempts());
  }

  @Test
  void jitterStaysBetweenHalfAndAll() {
    Random r = new Random(7);
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(60), r::nextDouble);
    long bound = 100;
    for (int i = 0; i < 30; i++) {
      long d = b.next().toMillis();
      assertTrue(
          d >= bound / 2 && d <= bound,
          "attempt " + i + ": " + d + " not in [" + bound / 2 + ", " + bound + "]");
      bound = Math.min(60_000, bound * 2);
    }
  }

  @Test
  void lowestJitterIsHalfAndResetStartsAgain() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), () -> 0.0);
    assertEquals(50, b.next().toMillis());
    assertEquals(100, b.next().toMillis());
    b.reset();
    assertEquals(50, b.next().toMillis());
  }

  @Test
  void neverOverflowsAfterManyAttempts() {
    Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofHours(1), () -> 1.0);
    Duration last = Duration.ZERO;
    for (int i = 0; i < 200; i++) {
      last = b.next();
    }
    assertEquals(Duration.ofHours(1), last);
  }

  @Test
  void rejectsBadBounds() {
    assertThrows(
        IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
