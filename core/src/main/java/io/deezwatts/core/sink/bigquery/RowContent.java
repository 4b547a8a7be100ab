package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.json.RowValues;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Writes positional row values as the {@code json} object of an {@code insertAll} row, straight to
 * a {@link JsonBodyWriter} (no per-row map), and estimates how many bytes that object takes.
 *
 * <p>Values follow {@link RowValues}, as every row writer does; JSON (a {@link RawJson}, or a
 * string for a JSON column) goes as a string holding its text, as insertAll takes it. Null values
 * are left out.
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
          throw RowValues.unexpected(column, element);
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
          throw RowValues.unexpected(column, element);
        }
      }
      return n;
    }
    throw RowValues.unexpected(column, v);
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
    BodyValues out = new BodyValues(w);
    boolean first = true;
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        w.name(names, columns, i, first);
        first = false;
        RowValues.write(c, v, out);
      }
    }
    w.raw('}');
  }

  /** Writes values as insertAll bodies take them, through {@link RowValues}' one set of rules. */
  private record BodyValues(JsonBodyWriter w) implements RowValues.Writer<IOException> {
    @Override
    public void string(String s) throws IOException {
      w.string(s);
    }

    @Override
    public void number(long n) throws IOException {
      w.number(n);
    }

    @Override
    public void number(double d) throws IOException {
      w.number(d);
    }

    @Override
    public void bool(boolean b) throws IOException {
      w.bool(b);
    }

    @Override
    public void json(String text) throws IOException {
      w.string(text); // insertAll takes a JSON column's value as a string
    }

    @Override
    public void record(List<Column> fields, Object[] values) throws IOException {
      write(w, fields, values);
    }

    @Override
    public void records(List<Column> fields, List<Object[]> elements) throws IOException {
      w.raw('[');
      boolean first = true;
      for (Object[] record : elements) {
        if (!first) {
          w.raw(',');
        }
        first = false;
        write(w, fields, record);
      }
      w.raw(']');
    }
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
