package io.deezwatts.sink.duckdb;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The spans of {@code time} a bulk covers, as a filter DuckDB can answer from each row group's
 * min/max. A bulk is usually minutes of one fleet; one that also carries old events (a vehicle that
 * was offline) gets a second span rather than one that covers everything in between.
 */
final class TimeRanges {
  /** Times further apart than this start a new span. */
  static final long GAP_MICROS = 6L * 3_600 * 1_000_000;

  /** At most this many spans: past it, the closest spans are joined. */
  static final int MAX_SPANS = 8;

  private final long[] from;
  private final long[] to;

  private TimeRanges(long[] from, long[] to) {
    this.from = from;
    this.to = to;
  }

  /** The spans of rows' {@code time}: column 2 of every feed table, never null in a row. */
  static TimeRanges of(Collection<IntFunction<Object>> rows) {
    long[] t = new long[rows.size()];
    int i = 0;
    for (IntFunction<Object> values : rows) {
      t[i++] = RowAppender.micros((Instant) values.apply(2));
    }
    return of(t);
  }

  static TimeRanges of(long[] micros) {
    long[] t = micros.clone();
    Arrays.sort(t);
    long gap = GAP_MICROS;
    while (true) {
      List<long[]> spans = new ArrayList<>();
      for (long v : t) {
        long[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
        if (last != null && v - last[1] <= gap) {
          last[1] = v;
        } else {
          spans.add(new long[] {v, v});
        }
      }
      if (spans.size() <= MAX_SPANS) {
        long[] from = new long[spans.size()];
        long[] to = new long[spans.size()];
        for (int i = 0; i < from.length; i++) {
          from[i] = spans.get(i)[0];
          to[i] = spans.get(i)[1];
        }
        return new TimeRanges(from, to);
      }
      gap = gap > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : gap * 4;
    }
  }

  int spans() {
    return from.length;
  }

  /** A SQL predicate on {@code column}; FALSE for no rows. */
  String predicate(String column) {
    if (from.length == 0) {
      return "FALSE";
    }
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < from.length; i++) {
      sb.append(i == 0 ? "" : " OR ")
          .append(column)
          .append(" BETWEEN ")
          .append(literal(from[i]))
          .append(" AND ")
          .append(literal(to[i]));
    }
    return sb.append(')').toString();
  }

  private static String literal(long micros) {
    Instant t =
        Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1_000L);
    return "TIMESTAMPTZ '" + t + "'";
  }
}
