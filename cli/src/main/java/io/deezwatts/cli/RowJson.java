package io.deezwatts.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import java.io.IOException;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Writes rows as JSON objects keyed by snake_case column name, nulls left out: the lines of {@code
 * decode --rows}, and the newline-delimited files the DuckDB sink loads.
 */
public final class RowJson {
  public static final JsonFactory JSON = JsonFactory.builder().build();

  private RowJson() {}

  /** A row, with a leading {@code "table"} member when {@code withTable}. */
  public static void writeRow(JsonGenerator g, Row row, boolean withTable) throws IOException {
    writeObject(g, withTable ? row.table().name() : null, row.table().columns(), row::value);
  }

  /** Values in the order of {@code columns}, as one object. */
  public static void writeObject(
      JsonGenerator g, String table, List<Column> columns, IntFunction<Object> values)
      throws IOException {
    g.writeStartObject();
    if (table != null) {
      g.writeStringField("table", table);
    }
    for (int i = 0; i < columns.size(); i++) {
      Object v = values.apply(i);
      if (v != null) {
        g.writeFieldName(columns.get(i).name());
        value(g, columns.get(i), v);
      }
    }
    g.writeEndObject();
  }

  static void writeQuarantined(JsonGenerator g, QuarantinedEvent q) throws IOException {
    g.writeStartObject();
    g.writeStringField("table", "quarantine");
    g.writeStringField("event_key", q.eventKey());
    g.writeStringField("feed", q.feed());
    if (q.type() != null) {
      g.writeStringField("type", q.type());
    }
    g.writeNumberField("event_index", q.index());
    g.writeStringField("reason", q.reason());
    g.writeStringField("raw", q.raw().toString());
    g.writeNumberField("raw_length", q.raw().receivedLength());
    g.writeEndObject();
  }

  private static void value(JsonGenerator g, Column c, Object v) throws IOException {
    if (v instanceof RawJson raw) {
      g.writeRawValue(raw.toString());
    } else if (v instanceof String s && "JSON".equals(c.type())) {
      g.writeRawValue(s); // JSON text, such as ingest metadata
    } else if (v instanceof Object[] record) {
      writeObject(g, null, c.fields(), i -> record[i]);
    } else if (v instanceof List<?> items) {
      g.writeStartArray();
      for (Object item : items) {
        Object[] record = (Object[]) item;
        writeObject(g, null, c.fields(), i -> record[i]);
      }
      g.writeEndArray();
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else if (v instanceof Double d) {
      g.writeNumber(d);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else {
      g.writeString(v.toString()); // String, Instant (ISO-8601 UTC), LocalDate
    }
  }
}
