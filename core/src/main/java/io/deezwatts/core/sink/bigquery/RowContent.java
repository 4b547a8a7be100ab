package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Writes positional row values as the {@code json} object of an {@code insertAll} row, straight to
 * a {@link JsonBodyWriter} (no per-row map), and estimates how many bytes that object takes.
 *
 * <p>Values: strings, longs, doubles and booleans as they are; an {@link Instant} as an RFC 3339
 * string in UTC with at most microseconds; a {@link LocalDate} as {@code YYYY-MM-DD}; JSON ({@link
 * RawJson}, or a string for a JSON column) as its text; a RECORD as an object of its sub-columns; a
 * REPEATED RECORD as an array of such objects. Null values are left out.
 */
final class RowContent {
  /**
   * Bytes an {@code insertAll} row adds besides its insert id and content: {@code
   * {"insertId":"","json":},}.
   */
  private static final int ROW_OVERHEAD = 32;

  /** The longest timestamp text, quoted: {@code "+1000000000-12-31T23:59:59.999999Z"}. */
  private static final int INSTANT_BYTES = 40;

  /** The longest date text, quoted: {@code "+999999999-12-31"}. */
  private static final int DATE_BYTES = 20;

  /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds. */
  private static final long YEAR_0 = -62_167_219_200L;

  private static final long YEAR_10000 = 253_402_300_800L;

  private RowContent() {}

  /**
   * An upper bound of the bytes a row takes in an {@code insertAll} request body, checking on the
   * way that every value fits its column.
   *
   * @throws IllegalArgumentException when there are not as many values as columns, or a value is of
   *     a type its column cannot hold; the message names the column
   */
  static long estimateBytes(String insertId, List<Column> columns, Object[] values) {
    return ROW_OVERHEAD + stringBytes(insertId) + objectBytes(columns, values);
  }

  /**
   * A quicker, looser upper bound than {@link #estimateBytes}: six bytes for every character of
   * every string (the most one can take, escaped), without reading them; a JSON value counts the
   * bytes it was received in (its compact text has no more characters). Checks the values as {@link
   * #estimateBytes} does.
   *
   * @throws IllegalArgumentException as {@link #estimateBytes}
   */
  static long quickBound(String insertId, List<Column> columns, Object[] values) {
    return ROW_OVERHEAD + 6L * insertId.length() + 2 + quickObjectBytes(columns, values);
  }

  private static long quickObjectBytes(List<Column> columns, Object[] values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + columns.size() + " columns");
    }
    long n = 2;
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        n += 6L * c.name().length() + 4 + quickValueBytes(c, v);
      }
    }
    return n;
  }

  private static long quickValueBytes(Column column, Object v) {
    if (v instanceof String s) {
      return 6L * s.length() + 2;
    }
    if (v instanceof RawJson j) {
      return 6L * j.receivedLength() + 2;
    }
    if (v instanceof Object[] record && column.isRecord()) {
      return quickObjectBytes(column.fields(), record);
    }
    if (v instanceof List<?> list && column.isRecord() && column.isRepeated()) {
      long n = 2;
      for (Object element : list) {
        if (element instanceof Object[] record) {
          n += quickObjectBytes(column.fields(), record) + 1;
        } else {
          throw unexpected(column, element);
        }
      }
      return n;
    }
    return valueBytes(column, v); // fixed-size values, or a type the column cannot hold
  }

  private static long objectBytes(List<Column> columns, Object[] values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + columns.size() + " columns");
    }
    long n = 2; // {}
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        n += stringBytes(c.name()) + 2 + valueBytes(c, v); // "k":v,
      }
    }
    return n;
  }

  private static long valueBytes(Column column, Object v) {
    if (v instanceof String s) {
      return stringBytes(s);
    }
    if (v instanceof Long || v instanceof Integer) {
      return 20;
    }
    if (v instanceof Double d) {
      // 26: the longest double text, -4.9E-324-like with 17 significant digits; NaN and the
      // infinities go as strings (JSON has none), at most "-Infinity".
      return 26;
    }
    if (v instanceof Boolean) {
      return 5;
    }
    if (v instanceof Instant) {
      return INSTANT_BYTES;
    }
    if (v instanceof LocalDate) {
      return DATE_BYTES;
    }
    if (v instanceof RawJson j) {
      return stringBytes(j.toString());
    }
    if (v instanceof Object[] record && column.isRecord()) {
      return objectBytes(column.fields(), record);
    }
    if (v instanceof List<?> list && column.isRecord() && column.isRepeated()) {
      long n = 2; // []
      for (Object element : list) {
        if (element instanceof Object[] record) {
          n += objectBytes(column.fields(), record) + 1;
        } else {
          throw unexpected(column, element);
        }
      }
      return n;
    }
    throw unexpected(column, v);
  }

  /**
   * Writes the {@code json} object of a row whose values follow {@code columns} and passed {@link
   * #estimateBytes}.
   *
   * @throws IOException when the writer's target fails
   * @throws IllegalArgumentException when a value fits no column (not after {@link #estimateBytes})
   */
  static void write(JsonBodyWriter w, List<Column> columns, Object[] values) throws IOException {
    w.raw('{');
    byte[][] names = w.names(columns);
    boolean first = true;
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        w.name(names, columns, i, first);
        first = false;
        writeValue(w, c, v);
      }
    }
    w.raw('}');
  }

  private static void writeValue(JsonBodyWriter w, Column column, Object v) throws IOException {
    if (v instanceof String s) {
      w.string(s);
    } else if (v instanceof Long l) {
      w.number(l.longValue());
    } else if (v instanceof Double d) {
      // JSON has no NaN or infinities; BigQuery takes them as strings for FLOAT64.
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
      w.string(j.toString());
    } else if (v instanceof Object[] record && column.isRecord()) {
      write(w, column.fields(), record);
    } else if (v instanceof List<?> list && column.isRecord() && column.isRepeated()) {
      w.raw('[');
      boolean first = true;
      for (Object element : list) {
        if (element instanceof Object[] record) {
          if (!first) {
            w.raw(',');
          }
          first = false;
          write(w, column.fields(), record);
        } else {
          throw unexpected(column, element);
        }
      }
      w.raw(']');
    } else {
      throw unexpected(column, v);
    }
  }

  /**
   * What {@code t.truncatedTo(MICROS).toString()} gives (RFC 3339, UTC, fraction in groups of three
   * digits, none when zero), without the formatter machinery for years 0000 to 9999: two of these
   * per row, on the first request of a cold JVM.
   */
  static String timestamp(Instant t) {
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

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  /** A value its column cannot hold, naming the column (both write paths say it alike). */
  static IllegalArgumentException unexpected(Column column, Object v) {
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
   * The longest prefix of {@code s} whose {@link #stringBytes} is at most {@code maxBytes}, never
   * splitting a surrogate pair.
   */
  static String prefixWithin(String s, long maxBytes) {
    long n = 2;
    int end = 0;
    while (end < s.length()) {
      boolean pair = Character.isHighSurrogate(s.charAt(end)) && end + 1 < s.length();
      long cost = charBytes(s.charAt(end)) + (pair ? charBytes(s.charAt(end + 1)) : 0);
      if (n + cost > maxBytes) {
        break;
      }
      n += cost;
      end += pair ? 2 : 1;
    }
    return s.substring(0, end);
  }

  /**
   * Bytes of a JSON string literal, quotes included: a quote or backslash takes two, a control or
   * HTML-sensitive character six (in case the encoder writes it as {@code \}{@code uXXXX}), other
   * ASCII one, each half of a surrogate pair six (Jackson's UTF-8 generator writes each as {@code
   * \}{@code uXXXX}), and any other character three (UTF-8).
   */
  static long stringBytes(String s) {
    long n = 2;
    for (int i = 0; i < s.length(); i++) {
      n += charBytes(s.charAt(i));
    }
    return n;
  }

  private static int charBytes(char c) {
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        return 2;
      }
      if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '=' || c == '\'' || c == 0x7f) {
        return 6;
      }
      return 1;
    }
    return Character.isSurrogate(c) || c == '\u2028' || c == '\u2029' ? 6 : 3;
  }
}
