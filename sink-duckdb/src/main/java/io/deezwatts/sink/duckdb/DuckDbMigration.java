package io.deezwatts.sink.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Brings a file written by an earlier release to the current layout, on first open, keeping every
 * row:
 *
 * <ul>
 *   <li>tables keyed by {@code event_key VARCHAR PRIMARY KEY} (up to 0.1) are rebuilt without the
 *       key index, with {@code event_key} as a {@code UUID};
 *   <li>tables whose columns differ from the catalog's (a column added since) are rebuilt with the
 *       catalog's columns in its order, which the Appender relies on; old rows get NULL there.
 * </ul>
 *
 * Each table is migrated in its own transaction: an interrupted migration leaves every table either
 * old or new, and the next open carries on.
 */
final class DuckDbMigration {
  private static final Logger LOG = Logger.getLogger(DuckDbMigration.class.getName());

  private final Connection connection;
  private final Catalog catalog;

  DuckDbMigration(Connection connection, Catalog catalog) {
    this.connection = connection;
    this.catalog = catalog;
  }

  /**
   * @throws SQLException when a table cannot be migrated; that table is left as it was
   */
  void run() throws SQLException {
    for (TableSpec t : catalog.tables()) {
      Map<String, String> existing = columnsOf(t.name());
      if (existing.isEmpty()) {
        continue; // a new file, or a new table: created as it is now
      }
      List<String> wanted = t.columns().stream().map(Column::name).toList();
      if ("VARCHAR".equals(existing.get(DuckDbSchema.KEY))
          || !new ArrayList<>(existing.keySet()).equals(wanted)) {
        rebuild(t, existing);
      }
    }
  }

  private Map<String, String> columnsOf(String table) throws SQLException {
    Map<String, String> columns = new LinkedHashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT column_name, data_type FROM information_schema.columns"
                + " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return columns;
  }

  private void rebuild(TableSpec t, Map<String, String> existing) throws SQLException {
    long rows = count(t.name());
    LOG.info(
        "migrating "
            + t.name()
            + " ("
            + rows
            + " rows) to this release's layout: event_key a UUID, no key index, the catalog's"
            + " columns");
    StringBuilder select = new StringBuilder();
    for (int i = 0; i < t.columns().size(); i++) {
      Column c = t.columns().get(i);
      String name = DuckDbSchema.quote(c.name());
      select.append(i == 0 ? "" : ", ");
      if (!existing.containsKey(c.name())) {
        select.append("CAST(NULL AS ").append(DuckDbSchema.type(c)).append(')');
      } else if (c.name().equals(DuckDbSchema.KEY)) {
        select.append("CAST(").append(name).append(" AS UUID)");
      } else {
        select.append(name);
      }
    }
    String old = t.name() + "__keyed";
    boolean auto = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("DROP VIEW IF EXISTS " + t.name() + "_dedup");
      s.execute("ALTER TABLE " + t.name() + " RENAME TO " + old);
      s.execute(DuckDbSchema.createTable(t, false));
      long copied =
          s.executeUpdate(
              "INSERT INTO "
                  + t.name()
                  + " ("
                  + DuckDbStore.columnList(t)
                  + ") SELECT "
                  + select
                  + " FROM "
                  + old
                  + (DuckDbSchema.hasTime(t) ? " ORDER BY time" : ""));
      if (copied != rows) {
        throw new SQLException(
            "migrating "
                + t.name()
                + " copied "
                + copied
                + " of "
                + rows
                + " rows; left as it was");
      }
      s.execute("DROP TABLE " + old);
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(auto);
    }
  }

  private long count(String table) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
