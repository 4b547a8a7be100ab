package io.deezwatts.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import java.io.IOException;
import java.util.List;

/** Writes rows and quarantine entries as one JSON object per line, snake_case, nulls left out. */
final class RowJson {
  static final JsonFactory JSON = JsonFactory.builder().build();

  private RowJson() {}

  static void writeRow(JsonGenerator g, Row row) throws IOException {
    g.writeStartObject();
    g.writeStringField("table", row.table().name());
    List<Column> columns = row.table().columns();
    for (int i = 0; i < columns.size(); i++) {
      Object v = row.value(i);
      if (v != null) {
        g.writeFieldName(columns.get(i).name());
        value(g, columns.get(i), v);
      }
    }
    g.writeEndObject();
  }

  static void writeQuarantined(JsonGenerator g, QuarantinedEvent q, Row context)
      throws IOException {
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

  @SuppressWarnings("unchecked")
  private static void value(JsonGenerator g, Column c, Object v) throws IOException {
    if (v instanceof RawJson raw) {
      g.writeRawValue(raw.toString());
    } else if (v instanceof Object[] record) {
      record(g, c, record);
    } else if (v instanceof List<?> items) {
      g.writeStartArray();
      for (Object item : items) {
        record(g, c, (Object[]) item);
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

  private static void record(JsonGenerator g, Column c, Object[] values) throws IOException {
    g.writeStartObject();
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        g.writeFieldName(c.fields().get(i).name());
        value(g, c.fields().get(i), values[i]);
      }
    }
    g.writeEndObject();
  }
}
