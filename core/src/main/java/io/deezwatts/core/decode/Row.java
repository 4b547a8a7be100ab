package io.deezwatts.core.decode;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One event as a row of its table. Values are positional, in {@link TableSpec#columns()} order:
 * {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code Instant} (TIMESTAMP),
 * {@code LocalDate} (DATE), {@link RawJson} (JSON), {@code Object[]} (RECORD, in its fields'
 * order), {@code List<Object[]>} (REPEATED RECORD), or null.
 */
public final class Row {
  private final TableSpec table;
  private final Object[] values;

  Row(TableSpec table, Object[] values) {
    this.table = table;
    this.values = values;
  }

  public TableSpec table() {
    return table;
  }

  /** The value of a top-level column by position. */
  public Object value(int column) {
    return values[column];
  }

  /** The value of a column by name, {@code record.field} for a RECORD's field. */
  public Object get(String columnPath) {
    int dot = columnPath.indexOf('.');
    if (dot < 0) {
      return values[table.requireColumn(columnPath)];
    }
    int idx = table.requireColumn(columnPath.substring(0, dot));
    Column record = table.columns().get(idx);
    int sub = record.fieldIndex(columnPath.substring(dot + 1));
    if (sub < 0) {
      throw new IllegalArgumentException(table + " has no column " + columnPath);
    }
    Object rec = values[idx];
    return rec instanceof Object[] fields ? fields[sub] : null;
  }

  public String eventKey() {
    return (String) values[0];
  }

  public String type() {
    return (String) values[1];
  }

  public Instant time() {
    return (Instant) values[2];
  }

  public RawJson payload() {
    return (RawJson) get("payload");
  }

  /** A copy of the positional values (RECORD values are shared, not copied). */
  public List<Object> values() {
    return Arrays.asList(values.clone());
  }

  @Override
  public String toString() {
    return table.name() + "[" + type() + " " + eventKey() + "]";
  }
}
