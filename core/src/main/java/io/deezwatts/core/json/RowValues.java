package io.deezwatts.core.json;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The value rules every row writer follows (BigQuery's insertAll JSON, the {@code decode} lines,
 * DuckDB's staged JSON of repeated records), so that they cannot drift: which kind each row value
 * is, and the text of timestamps and dates. A writer says only how it writes each kind ({@link
 * Writer}).
 *
 * <ul>
 *   <li>strings, longs (and ints), booleans as they are;
 *   <li>a double as a number; NaN and the infinities as their names in a string (JSON has none);
 *   <li>an {@link Instant} as an RFC 3339 string in UTC with at most microseconds ({@link
 *       #timestamp}); a {@link LocalDate} as {@code YYYY-MM-DD};
 *   <li>JSON ({@link RawJson}, or a string in a JSON column): its text, as {@link Writer#json};
 *   <li>a RECORD ({@code Object[]}) as an object of its sub-columns; a REPEATED RECORD ({@code
 *       List} of them) as an array of such objects.
 * </ul>
 *
 * Null values are left out by the writers; anything else is a value its column cannot hold.
 */
public final class RowValues {
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_10000 = 253_402_300_800L;

  private RowValues() {}

  /**
   * How one row writer writes each kind of value.
   *
   * @param <X> what its target throws
   */
  public interface Writer<X extends Exception> {
    void string(String s) throws X;

    void number(long n) throws X;

    /** A finite double. */
    void number(double d) throws X;

    void bool(boolean b) throws X;

    /** JSON text, to be written as JSON or as a string as the target takes it. */
    void json(String text) throws X;

    /** A RECORD's values, following {@code fields}. */
    void record(List<Column> fields, Object[] values) throws X;

    /** A REPEATED RECORD: each element's values follow {@code fields}. */
    void records(List<Column> fields, List<Object[]> elements) throws X;
  }

  /**
   * Writes non-null {@code v} of {@code column} by the rules.
   *
   * @throws IllegalArgumentException when the column cannot hold the value ({@link #unexpected})
   */
  public static <X extends Exception> void write(Column column, Object v, Writer<X> w) throws X {
    if (v instanceof String s) {
      if ("JSON".equals(column.type())) {
        w.json(s); // JSON text, such as ingest metadata
      } else {
        w.string(s);
      }
    } else if (v instanceof Long l) {
      w.number(l.longValue());
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        w.string(d.toString());
      } else {
        w.number(d.doubleValue());
      }
    } else if (v instanceof Boolean b) {
      w.bool(b);
    } else if (v instanceof Instant t) {
      w.string(timestamp(t));
    } else if (v instanceof Integer i) {
      w.number(i.longValue());
    } else if (v instanceof LocalDate d) {
      w.string(d.toString());
    } else if (v instanceof RawJson j) {
      w.json(j.toString());
    } else if (v instanceof Object[] record && column.isRecord()) {
      w.record(column.fields(), record);
    } else if (v instanceof List<?> list && column.isRecord() && column.isRepeated()) {
      for (Object element : list) {
        if (!(element instanceof Object[])) {
          throw unexpected(column, element);
        }
      }
      @SuppressWarnings("unchecked")
      List<Object[]> records = (List<Object[]>) list;
      w.records(column.fields(), records);
    } else {
      throw unexpected(column, v);
    }
  }

  /** A value its column cannot hold, naming the column (every write path says it alike). */
  public static IllegalArgumentException unexpected(Column column, Object v) {
    return new IllegalArgumentException(
        "column "
            + column.name()
            + " ("
            + column.mode()
            + " "
            + column.type()
            + ") cannot hold a "
            + (v == null ? "null" : v.getClass().getSimpleName()));
  }

  /**
   * What {@code t.truncatedTo(MICROS).toString()} gives (RFC 3339, UTC, fraction in groups of three
   * digits, none when zero), without the formatter machinery for years 0000 to 9999: two of these
   * per row, on the first request of a cold JVM.
   */
  public static String timestamp(Instant t) {
    long seconds = t.getEpochSecond();
    if (seconds < YEAR_0 || seconds >= YEAR_10000) {
      return t.truncatedTo(ChronoUnit.MICROS).toString();
    }
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    int year = date.getYear();
    int micros = t.getNano() / 1000;
    char[] c = new char[27];
    digits(c, 0, year, 4);
    c[4] = '-';
    digits(c, 5, date.getMonthValue(), 2);
    c[7] = '-';
    digits(c, 8, date.getDayOfMonth(), 2);
    c[10] = 'T';
    digits(c, 11, secondOfDay / 3600, 2);
    c[13] = ':';
    digits(c, 14, secondOfDay / 60 % 60, 2);
    c[16] = ':';
    digits(c, 17, secondOfDay % 60, 2);
    int end = 19;
    if (micros != 0) {
      c[end++] = '.';
      if (micros % 1000 == 0) {
        digits(c, end, micros / 1000, 3);
        end += 3;
      } else {
        digits(c, end, micros, 6);
        end += 6;
      }
    }
    c[end++] = 'Z';
    return new String(c, 0, end);
  }

  /**
   * A TIMESTAMP's microseconds since the epoch, rounded down (BigQuery and DuckDB keep
   * microseconds): what the binary row writers store.
   *
   * @throws ArithmeticException when {@code t} is beyond a long of microseconds
   */
  public static long epochMicros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
