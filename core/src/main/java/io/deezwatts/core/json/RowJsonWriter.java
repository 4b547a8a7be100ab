package io.deezwatts.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import java.io.IOException;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Writes row values as a JSON object keyed by column name, nulls left out, by the {@link RowValues}
 * rules, with JSON values embedded as JSON: the lines of {@code decode --rows}, and the repeated
 * records DuckDB casts from JSON text.
 */
public final class RowJsonWriter implements RowValues.Writer<IOException> {
  private final JsonGenerator g;

  private RowJsonWriter(JsonGenerator g) {
    this.g = g;
  }

  /** Values in the order of {@code columns}, as one object; a leading {@code "table"} if given. */
  public static void writeObject(
      JsonGenerator g, String table, List<Column> columns, IntFunction<Object> values)
      throws IOException {
    new RowJsonWriter(g).object(table, columns, values);
  }

  /** A list of records as a JSON array of objects. */
  public static void writeArray(JsonGenerator g, List<Column> fields, List<Object[]> records)
      throws IOException {
    new RowJsonWriter(g).records(fields, records);
  }

  private void object(String table, List<Column> columns, IntFunction<Object> values)
      throws IOException {
    g.writeStartObject();
    if (table != null) {
      g.writeStringField("table", table);
    }
    for (int i = 0; i < columns.size(); i++) {
      Object v = values.apply(i);
      if (v != null) {
        g.writeFieldName(columns.get(i).name());
        RowValues.write(columns.get(i), v, this);
      }
    }
    g.writeEndObject();
  }

  @Override
  public void string(String s) throws IOException {
    g.writeString(s);
  }

  @Override
  public void number(long n) throws IOException {
    g.writeNumber(n);
  }

  @Override
  public void number(double d) throws IOException {
    g.writeNumber(d);
  }

  @Override
  public void bool(boolean b) throws IOException {
    g.writeBoolean(b);
  }

  @Override
  public void json(String text) throws IOException {
    g.writeRawValue(text);
  }

  @Override
  public void record(List<Column> fields, Object[] values) throws IOException {
    object(null, fields, i -> values[i]);
  }

  @Override
  public void records(List<Column> fields, List<Object[]> elements) throws IOException {
    g.writeStartArray();
    for (Object[] record : elements) {
      record(fields, record);
    }
    g.writeEndArray();
  }
}
