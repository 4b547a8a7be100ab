package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns positional row values into the {@code json} object of an {@code insertAll} row, and
 * estimates how many bytes that object takes in the request.
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

  private RowContent() {}

  /** The {@code json} object of a row whose values follow {@code columns}. */
  static Map<String, Object> of(List<Column> columns, Object[] values) {
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + columns.size() + " columns");
    }
    Map<String, Object> content = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        content.put(c.name(), convert(c, v));
      }
    }
    return content;
  }

  private static Object convert(Column column, Object v) {
    if (v instanceof String || v instanceof Long || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Double d) {
      // JSON has no NaN or infinities; BigQuery takes them as strings for FLOAT64.
      return d.isNaN() || d.isInfinite() ? d.toString() : d;
    }
    if (v instanceof Integer i) {
      return i.longValue();
    }
    if (v instanceof Instant t) {
      return t.truncatedTo(ChronoUnit.MICROS).toString();
    }
    if (v instanceof LocalDate d) {
      return d.toString();
    }
    if (v instanceof RawJson j) {
      return j.toString();
    }
    if (v instanceof Object[] record && column.isRecord()) {
      return of(column.fields(), record);
    }
    if (v instanceof List<?> list && column.isRecord() && column.isRepeated()) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object element : list) {
        if (element instanceof Object[] record) {
          out.add(of(column.fields(), record));
        } else {
          throw unexpected(column, element);
        }
      }
      return out;
    }
    throw unexpected(column, v);
  }

  private static IllegalArgumentException unexpected(Column column, Object v) {
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
   * An upper bound of the bytes this row takes in an {@code insertAll} request body: every string
   * is counted as if each character needed its longest escape, except plain ASCII.
   */
  static long estimateBytes(String insertId, Map<String, Object> content) {
    return ROW_OVERHEAD + stringBytes(insertId) + valueBytes(content);
  }

  private static long valueBytes(Object v) {
    if (v instanceof String s) {
      return stringBytes(s);
    }
    if (v instanceof Map<?, ?> map) {
      long n = 2; // {}
      for (Map.Entry<?, ?> e : map.entrySet()) {
        n += stringBytes((String) e.getKey()) + 2 + valueBytes(e.getValue()); // "k":v,
      }
      return n;
    }
    if (v instanceof List<?> list) {
      long n = 2; // []
      for (Object element : list) {
        n += valueBytes(element) + 1;
      }
      return n;
    }
    if (v instanceof Double) {
      return 26; // the longest double text, -4.9E-324-like with 17 significant digits
    }
    if (v instanceof Long) {
      return 20;
    }
    if (v instanceof Boolean) {
      return 5;
    }
    return 4; // null
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
   * ASCII one, and any other character three (UTF-8; a surrogate pair's four bytes fit in six).
   */
  static long stringBytes(String s) {
    long n = 2;
    for (int i = 0; i < s.length(); i++) {
      n += charBytes(s.charAt(i));
    }
    return n;
  }

  private static int charBytes(char c) {
    if (c == '"' || c == '\\') {
      return 2;
    }
    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '=' || c == '\'' || c == 0x7f) {
      return 6;
    }
    if (c < 0x80) {
      return 1;
    }
    return c == '\u2028' || c == '\u2029' ? 6 : 3;
  }
}
