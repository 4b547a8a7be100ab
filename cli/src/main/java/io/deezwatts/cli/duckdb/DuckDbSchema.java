package io.deezwatts.cli.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB tables and {@code _dedup} views with the same names, columns and types as BigQuery's,
 * generated from the same catalog, so a query written for one runs on the other.
 */
public final class DuckDbSchema {
  private DuckDbSchema() {}

  /** Statements that create every table (if missing) and (re)create every view. */
  public static List<String> statements(Catalog catalog) {
    List<String> sql = new ArrayList<>();
    for (TableSpec t : catalog.tables()) {
      sql.add(createTable(t));
      if (t.name().equals(catalog.quarantineTable().name())) {
        // Files from before quarantine schema version 2 lack its nullable columns (raw_encoding).
        for (Column c : t.columns()) {
          if (!"REQUIRED".equals(c.mode())) {
            sql.add(
                "ALTER TABLE "
                    + t.name()
                    + " ADD COLUMN IF NOT EXISTS "
                    + quote(c.name())
                    + ' '
                    + type(c));
          }
        }
      }
      sql.add(createDedupView(t));
    }
    return sql;
  }

  static String createTable(TableSpec t) {
    StringBuilder sb =
        new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(t.name()).append(" (");
    List<Column> columns = t.columns();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      sb.append(i == 0 ? "" : ", ").append(quote(c.name())).append(' ').append(type(c));
      if (c.name().equals("event_key")) {
        sb.append(" PRIMARY KEY");
      } else if ("REQUIRED".equals(c.mode())) {
        sb.append(" NOT NULL");
      }
    }
    return sb.append(')').toString();
  }

  /** The view users query: the first copy of each event by {@code received_at}, as in BigQuery. */
  static String createDedupView(TableSpec t) {
    return "CREATE OR REPLACE VIEW "
        + t.name()
        + "_dedup AS SELECT * EXCLUDE (dedup_rank) FROM (SELECT *, ROW_NUMBER() OVER "
        + "(PARTITION BY event_key ORDER BY received_at) AS dedup_rank FROM "
        + t.name()
        + ") WHERE dedup_rank = 1";
  }

  /** The DuckDB type of a column, as {@code read_json}'s {@code columns} parameter takes it too. */
  static String type(Column c) {
    String base =
        switch (c.type()) {
          case "STRING" -> "VARCHAR";
          case "INT64" -> "BIGINT";
          case "FLOAT64" -> "DOUBLE";
          case "BOOL" -> "BOOLEAN";
          case "DATE" -> "DATE";
          case "TIMESTAMP" -> "TIMESTAMPTZ";
          case "JSON" -> "JSON";
          case "RECORD" -> record(c);
          default -> throw new IllegalArgumentException("no DuckDB type for " + c.type());
        };
    return c.isRepeated() ? base + "[]" : base;
  }

  private static String record(Column c) {
    StringBuilder sb = new StringBuilder("STRUCT(");
    for (int i = 0; i < c.fields().size(); i++) {
      Column f = c.fields().get(i);
      sb.append(i == 0 ? "" : ", ").append(quote(f.name())).append(' ').append(type(f));
    }
    return sb.append(')').toString();
  }

  /** The {@code columns} argument of {@code read_json} for a table. */
  static String readJsonColumns(TableSpec t) {
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < t.columns().size(); i++) {
      Column c = t.columns().get(i);
      sb.append(i == 0 ? "" : ", ")
          .append('\'')
          .append(c.name())
          .append("': '")
          .append(type(c).replace("'", "''"))
          .append('\'');
    }
    return sb.append('}').toString();
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
