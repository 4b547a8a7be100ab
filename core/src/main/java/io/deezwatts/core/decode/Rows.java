package io.deezwatts.core.decode;

import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import java.util.List;
import java.util.Map;

/** Builds rows from named values, for sources that are not decoded bulks (Rivian snapshots). */
public final class Rows {
  private Rows() {}

  /**
   * A row of {@code table} holding {@code values} by top-level column name; columns not named are
   * null. Values take the types {@link Row} documents; a RECORD is an {@code Object[]} in its
   * fields' order. Nothing is computed or validated beyond the names.
   *
   * @throws IllegalArgumentException when a name is not a column of the table, or a REQUIRED column
   *     is missing
   */
  public static Row of(TableSpec table, Map<String, Object> values) {
    List<Column> columns = table.columns();
    Object[] positional = new Object[columns.size()];
    for (Map.Entry<String, Object> e : values.entrySet()) {
      positional[table.requireColumn(e.getKey())] = e.getValue();
    }
    for (int i = 0; i < columns.size(); i++) {
      if (positional[i] == null && "REQUIRED".equals(columns.get(i).mode())) {
        throw new IllegalArgumentException(
            table.name() + ": required column " + columns.get(i).name() + " has no value");
      }
    }
    return new Row(table, positional);
  }
}
