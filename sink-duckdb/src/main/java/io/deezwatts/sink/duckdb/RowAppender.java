package io.deezwatts.sink.duckdb;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.json.RowJsonWriter;
import io.deezwatts.core.json.RowValues;
import java.io.IOException;
import java.io.StringWriter;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Appends rows to a table through DuckDB's Appender: values go straight into DuckDB's column
 * vectors, with no text format in between. Values are positional, in the catalog's column order, as
 * core's {@code Row} holds them (see {@link io.deezwatts.core.decode.Row}); the table's columns
 * must be in that order ({@link DuckDbMigration} keeps them so).
 */
final class RowAppender implements AutoCloseable {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private final TableSpec table;
  private final List<Column> columns;
  private final DuckDBAppender appender;
  private final boolean staging;

  /**
   * Appends to {@code table} itself ({@code staging} false), or to its temporary staging table,
   * where lists of records are JSON text ({@link DuckDbSchema#stagedAsJson}).
   *
   * @throws SQLException when the table does not exist or the connection is closed
   */
  RowAppender(DuckDBConnection connection, TableSpec table, boolean staging) throws SQLException {
    this.table = table;
    this.columns = table.columns();
    this.staging = staging;
    this.appender =
        staging
            ? connection.createAppender("temp", "main", DuckDbSchema.stagingName(table))
            : connection.createAppender("main", table.name());
  }

  /**
   * Appends one row whose {@code event_key} (column 0) is {@code key}, already parsed by the
   * caller.
   *
   * @throws SQLException when a value does not fit its column
   */
  void append(UUID key, IntFunction<Object> values) throws SQLException {
    appender.beginRow();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      Object v = values.apply(i);
      if (i == 0 && c.name().equals(DuckDbSchema.KEY)) {
        appender.appendUUID(key.getMostSignificantBits(), key.getLeastSignificantBits());
      } else if (staging && DuckDbSchema.stagedAsJson(c)) {
        appendString(v == null ? null : json(c, v));
      } else {
        appendValue(c, v);
      }
    }
    appender.endRow();
  }

  /**
   * An {@code event_key} (32 hex digits, 128 bits) as the UUID DuckDB stores.
   *
   * @throws IllegalArgumentException when it is not 32 hex digits
   */
  static UUID key(String hex) {
    if (hex == null || hex.length() != 32) {
      throw new IllegalArgumentException("event_key must be 32 hex digits, got " + hex);
    }
    return new UUID(
        Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
  }

  private void appendValue(Column c, Object v) throws SQLException {
    if (v == null) {
      appender.appendNull();
      return;
    }
    switch (c.type()) {
      case "STRING", "JSON" -> appender.append(v.toString()); // RawJson and JSON text alike
      case "INT64" -> appender.append(((Number) v).longValue());
      case "FLOAT64" -> appender.append(((Number) v).doubleValue());
      case "BOOL" -> appender.append((boolean) (Boolean) v);
      case "DATE" -> appender.append((LocalDate) v);
      case "TIMESTAMP" -> appender.appendEpochMicros(micros((Instant) v));
      case "RECORD" -> {
        Object[] fields = (Object[]) v;
        appender.beginStruct();
        for (int f = 0; f < c.fields().size(); f++) {
          appendValue(c.fields().get(f), fields[f]);
        }
        appender.endStruct();
      }
      default -> throw new IllegalArgumentException("no DuckDB value for " + c.type());
    }
  }

  private void appendString(String s) throws SQLException {
    if (s == null) {
      appender.appendNull();
    } else {
      appender.append(s);
    }
  }

  static long micros(Instant t) {
    return RowValues.epochMicros(t);
  }

  /** A list of records as JSON text, for the cast on insert (values by {@link RowJsonWriter}). */
  @SuppressWarnings("unchecked")
  private static String json(Column c, Object v) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      RowJsonWriter.writeArray(g, c.fields(), (List<Object[]>) v);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write JSON to a string", e);
    }
    return out.toString();
  }

  /** Flushes what was appended into the staging table. */
  @Override
  public void close() throws SQLException {
    appender.close();
  }
}
