package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeRangesTest {
  private static long us(String t) {
    return RowAppender.micros(Instant.parse(t));
  }

  @Test
  void nearbyTimesMakeOneSpanAndDistantOnesAnother() {
    TimeRanges r =
        TimeRanges.of(
            new long[] {
              us("2026-11-20T06:00:00Z"),
              us("2026-11-20T06:30:00.123456Z"),
              us("2026-11-20T05:59:00Z"),
              us("2025-01-01T00:00:00Z")
            });
    assertEquals(2, r.spans());
    assertEquals(
        "(t BETWEEN TIMESTAMPTZ '2025-01-01T00:00:00Z' AND TIMESTAMPTZ '2025-01-01T00:00:00Z'"
            + " OR t BETWEEN TIMESTAMPTZ '2026-11-20T05:59:00Z'"
            + " AND TIMESTAMPTZ '2026-11-20T06:30:00.123456Z')",
        r.predicate("t"));
  }

  @Test
  void manyScatteredTimesAreJoinedIntoAtMostEightSpans() {
    long[] t = new long[100];
    for (int i = 0; i < t.length; i++) {
      t[i] = us("2020-01-01T00:00:00Z") + i * 86_400L * 1_000_000 * 3; // every third day
    }
    TimeRanges r = TimeRanges.of(t);
    assertEquals(true, r.spans() <= TimeRanges.MAX_SPANS, "spans: " + r.spans());
    assertEquals("FALSE", TimeRanges.of(new long[0]).predicate("t"));
  }
}
