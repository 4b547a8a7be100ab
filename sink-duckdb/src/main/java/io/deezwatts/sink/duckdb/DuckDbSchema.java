package io.deezwatts.sink.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.sink.Resolution;
import java.util.ArrayList;
import java.util.List;

/**
 * DuckDB tables and {@code _dedup} views with the same names and columns as BigQuery's, generated
 * from the same catalog, so a query written for one runs on the other.
 *
 * <p>There is no primary key: DuckDB's key index is not buffer-managed, so it would grow with the
 * table without bound. {@code event_key} is stored as a 16-byte {@code UUID} (the key's 128 bits)
 * and the views show it as BigQuery does, 32 lowercase hex digits. Each bulk is appended to a
 * temporary table first ({@link #STAGED_KEYS}) to find those already stored; {@link DuckDbStore}
 * appends only the others.
 */
public final class DuckDbSchema {
  /** The column every table is keyed by. */
  static final String KEY = "event_key";

  /** The column whose min/max lets DuckDB skip row groups when it looks for a key. */
  static final String TIME = "time";

  private DuckDbSchema() {}

  /** Statements that create every table (if missing) and (re)create every view. */
  public static List<String> statements(Catalog catalog) {
    List<String> sql = new ArrayList<>();
    for (TableSpec t : catalog.tables()) {
      sql.add(createTable(t, false));
      sql.add(createDedupView(t));
    }
    if (catalog.tables().stream().anyMatch(t -> t.name().equals(Resolution.TABLE))) {
      sql.add(createOpenView());
    }
    return sql;
  }

  /** The view of quarantine entries that no resolution closes. */
  static final String OPEN_VIEW = "quarantine_open";

  /**
   * {@value #OPEN_VIEW}: quarantine rows (one per {@code event_key}, as the store keeps them)
   * without a resolution of the same {@code event_key} and {@code received_at} whose outcome closes
   * the entry. The same query as terraform's view.
   */
  static String createOpenView() {
    StringBuilder closing = new StringBuilder();
    for (Resolution.Outcome o : Resolution.Outcome.values()) {
      if (o.closes()) {
        closing.append(closing.length() == 0 ? "" : ", ").append('\'').append(o.wireName());
        closing.append('\'');
      }
    }
    return "CREATE OR REPLACE VIEW "
        + OPEN_VIEW
        + " AS SELECT q.* FROM quarantine_dedup q WHERE NOT EXISTS (SELECT 1 FROM "
        + Resolution.TABLE
        + " r WHERE r.entry_key = q.event_key AND r.received_at = q.received_at"
        + " AND r.outcome IN ("
        + closing
        + "))";
  }

  /** Whether lookups of a key in {@code t} can be narrowed to the bulk's time ranges. */
  static boolean hasTime(TableSpec t) {
    int i = t.columnIndex(TIME);
    return i >= 0
        && "TIMESTAMP".equals(t.columns().get(i).type())
        && "REQUIRED".equals(t.columns().get(i).mode());
  }

  /** {@code CREATE TABLE IF NOT EXISTS}, or for staging a {@code CREATE TEMP TABLE}. */
  static String createTable(TableSpec t, boolean staging) {
    StringBuilder sb =
        new StringBuilder(staging ? "CREATE OR REPLACE TEMP TABLE " : "CREATE TABLE IF NOT EXISTS ")
            .append(staging ? stagingName(t) : t.name())
            .append(" (");
    List<Column> columns = t.columns();
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      sb.append(i == 0 ? "" : ", ").append(quote(c.name())).append(' ');
      sb.append(staging && stagedAsJson(c) ? "VARCHAR" : type(c));
      if (!staging && "REQUIRED".equals(c.mode())) {
        sb.append(" NOT NULL");
      }
    }
    return sb.append(')').toString();
  }

  /** The temporary table a bulk's keys are appended to, to look them up in one query. */
  static final String STAGED_KEYS = "stage_keys";

  static String createStagedKeys() {
    return "CREATE OR REPLACE TEMP TABLE " + STAGED_KEYS + " (event_key UUID)";
  }

  /** Whether a table's new rows go through a staging table: it has a list of records. */
  static boolean needsStaging(TableSpec t) {
    return t.columns().stream().anyMatch(DuckDbSchema::stagedAsJson);
  }

  /** The temporary table a bulk's rows for {@code t} are appended to. */
  static String stagingName(TableSpec t) {
    return "stage_" + t.name();
  }

  /**
   * Columns the Appender cannot write directly (lists of structs) are staged as JSON text and cast
   * on insert.
   */
  static boolean stagedAsJson(Column c) {
    return c.isRecord() && c.isRepeated();
  }

  /** The select list that moves staged rows into {@code t}, in {@code t}'s column order. */
  static String stagedSelectList(TableSpec t, String alias) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < t.columns().size(); i++) {
      Column c = t.columns().get(i);
      String ref = alias + "." + quote(c.name());
      sb.append(i == 0 ? "" : ", ");
      if (stagedAsJson(c)) {
        sb.append("CAST(CAST(").append(ref).append(" AS JSON) AS ").append(type(c)).append(')');
      } else {
        sb.append(ref);
      }
    }
    return sb.toString();
  }

  /**
   * The view users query: the first copy of each event by {@code received_at}, as in BigQuery, with
   * {@code event_key} as BigQuery's 32 hex digits.
   */
  static String createDedupView(TableSpec t) {
    return "CREATE OR REPLACE VIEW "
        + t.name()
        + "_dedup AS SELECT * EXCLUDE (dedup_rank) REPLACE (replace(CAST(event_key AS VARCHAR),"
        + " '-', '') AS event_key) FROM (SELECT *, ROW_NUMBER() OVER "
        + "(PARTITION BY event_key ORDER BY received_at) AS dedup_rank FROM "
        + t.name()
        + ") WHERE dedup_rank = 1";
  }

  /** The DuckDB type of a column. */
  static String type(Column c) {
    if (c.name().equals(KEY)) {
      return "UUID";
    }
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

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
