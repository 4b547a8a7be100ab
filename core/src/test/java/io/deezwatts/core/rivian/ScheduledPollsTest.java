package io.deezwatts.core.rivian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.rivian.ScheduledPolls.Admission;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduledPollsTest {
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  @Test
  void runsCloserThanTheMinimumLessJitterAreRefused() {
    ScheduledPolls runs = ScheduledPolls.fromEnvironment(Map.of());
    assertEquals(Admission.POLL, runs.admit(T0));
    assertEquals(Admission.TOO_SOON, runs.admit(T0.plusSeconds(49)));
    // 50 s is the minimum (60 s) less 10 s of scheduler jitter.
    assertEquals(Admission.POLL, runs.admit(T0.plusSeconds(50)));
  }

  @Test
  void afterAFailureRunsAreSkippedUntilHalfAnIntervalBeforeTheBackoffEnds() {
    ScheduledPolls runs =
        ScheduledPolls.fromEnvironment(Map.of("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "300"));
    assertEquals(Admission.POLL, runs.admit(T0));

    Instant notBefore = runs.failedTransiently(T0);

    // One failure: twice the interval (600 s), less half an interval (150 s).
    assertEquals(T0.plusSeconds(450), notBefore);
    assertEquals(Admission.BACKING_OFF, runs.admit(T0.plusSeconds(300)));
    assertEquals(Admission.POLL, runs.admit(T0.plusSeconds(450)));
    assertEquals(T0.plusSeconds(450 + 1200 - 150), runs.failedTransiently(T0.plusSeconds(450)));

    runs.succeeded();
    assertEquals(Instant.MIN, runs.notBefore());
    assertEquals(Admission.POLL, runs.admit(T0.plusSeconds(1000)));
  }

  @Test
  void aMalformedOrTooShortIntervalNamesTheSetting() {
    IllegalArgumentException text =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ScheduledPolls.fromEnvironment(Map.of("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "5m")));
    assertTrue(text.getMessage().contains("DEEZWATTS_RIVIAN_INTERVAL_SECONDS"));
    assertThrows(
        IllegalArgumentException.class,
        () -> ScheduledPolls.fromEnvironment(Map.of("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "30")));
  }
}
