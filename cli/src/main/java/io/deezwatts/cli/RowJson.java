package io.deezwatts.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.json.RowJsonWriter;
import java.io.IOException;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Writes rows as JSON objects keyed by snake_case column name, nulls left out: the lines of {@code
 * decode --rows}. The values follow core's {@link io.deezwatts.core.json.RowValues}, as every row
 * writer's do.
 */
public final class RowJson {
  public static final JsonFactory JSON = JsonFactory.builder().build();

  private RowJson() {}

  /** A row, with a leading {@code "table"} member when {@code withTable}. */
  public static void writeRow(JsonGenerator g, Row row, boolean withTable) throws IOException {
    writeObject(g, withTable ? row.table().name() : null, row.table().columns(), row::value);
  }

  /** Values in the order of {@code columns}, as one object, by the {@link RowJsonWriter} rules. */
  public static void writeObject(
      JsonGenerator g, String table, List<Column> columns, IntFunction<Object> values)
      throws IOException {
    RowJsonWriter.writeObject(g, table, columns, values);
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
}
