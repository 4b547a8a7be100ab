package io.deezwatts.cli.duckdb;

import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.cli.RowJson;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local default sink: an embedded DuckDB file with the same tables as BigQuery. {@code
 * event_key} is each table's primary key and rows are inserted with {@code INSERT OR IGNORE}, so a
 * re-sent bulk adds nothing: exactly once, locally. Each bulk is one transaction, loaded in bulk
 * through DuckDB's JSON reader rather than row by row.
 */
public final class DuckDbSink implements Sink {
  private final Path file;
  private final Path spool;
  private final Catalog catalog;
  private final Connection connection;

  /**
   * Checkpoints the file when the JVM exits without {@link #close()} (say {@code serve} stopped by
   * Ctrl-C or SIGTERM), so that DuckDB leaves no write-ahead log to replay at the next open. A
   * write in progress finishes first (both are synchronised). It does not close the connection:
   * other shutdown hooks, which run at the same time, may still store what they hold (the ViriCiti
   * bridge does); such a late write lands in the log and is just as durable.
   */
  private final Thread checkpointAtExit =
      new Thread(this::checkpointAtExit, "deezwatts-duckdb-exit");

  /**
   * Opens (creating if needed) the database file and its tables and views.
   *
   * @throws IllegalStateException when the file cannot be opened, for instance because another
   *     process holds it (DuckDB allows one writer process)
   */
  public DuckDbSink(Path file, Catalog catalog) {
    this.file = file.toAbsolutePath().normalize();
    this.catalog = catalog;
    try {
      Path dir = this.file.getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      this.spool = Files.createTempDirectory(dir == null ? Path.of(".") : dir, ".deezwatts-load-");
      this.spool.toFile().deleteOnExit();
      this.connection = DriverManager.getConnection("jdbc:duckdb:" + this.file);
      try (Statement s = connection.createStatement()) {
        s.execute("SET TimeZone = 'UTC'");
        // Fewer checkpoints while loading bulk after bulk: about 20 % faster ingest, measured.
        s.execute("SET checkpoint_threshold = '256MB'");
        for (String ddl : DuckDbSchema.statements(catalog)) {
          s.execute(ddl);
        }
      }
      Runtime.getRuntime().addShutdownHook(checkpointAtExit);
    } catch (SQLException | IOException e) {
      String hint =
          String.valueOf(e.getMessage()).contains("lock")
              ? " (DuckDB lets one process use a file: stop the other deezwatts process first)"
              : "";
      throw new IllegalStateException(
          "cannot open DuckDB file " + this.file + ": " + firstLine(e.getMessage()) + hint, e);
    }
  }

  /** The open connection, for queries such as {@code deezwatts sql}. */
  public Connection connection() {
    return connection;
  }

  @Override
  public String describe() {
    return "duckdb:" + file;
  }

  /**
   * Stores the batch in one transaction.
   *
   * @throws SinkException transient when the file is locked or an I/O error occurs; permanent for
   *     any other database error. Nothing of the batch is stored then.
   */
  @Override
  public synchronized WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    Map<TableSpec, List<Row>> byTable = new LinkedHashMap<>();
    for (Row row : batch.rows()) {
      byTable.computeIfAbsent(row.table(), t -> new ArrayList<>()).add(row);
    }
    List<Path> files = new ArrayList<>();
    long stored = 0;
    long attempted = 0;
    long quarantined = 0;
    try {
      connection.setAutoCommit(false);
      for (Map.Entry<TableSpec, List<Row>> e : byTable.entrySet()) {
        Path f = spoolRows(e.getValue());
        files.add(f);
        attempted += e.getValue().size();
        stored += load(e.getKey(), f);
      }
      if (!batch.quarantine().isEmpty()) {
        Path f = spoolQuarantine(batch);
        files.add(f);
        quarantined = load(catalog.quarantineTable(), f);
      }
      connection.commit();
      return new WriteResult(stored, attempted - stored, quarantined, 0);
    } catch (SQLException e) {
      rollback();
      String m = String.valueOf(e.getMessage());
      boolean transientFailure = m.contains("lock") || m.contains("IO Error");
      String message = "DuckDB write to " + file + " failed: " + firstLine(m);
      throw transientFailure
          ? SinkException.transientFailure(message, e)
          : SinkException.permanent(message, e);
    } catch (IOException e) {
      rollback();
      throw SinkException.transientFailure("cannot spool rows for DuckDB: " + e.getMessage(), e);
    } finally {
      for (Path f : files) {
        try {
          Files.deleteIfExists(f);
        } catch (IOException ignored) {
          // A leftover spool file is harmless and is removed with the folder at exit.
        }
      }
      try {
        connection.setAutoCommit(true);
      } catch (SQLException ignored) {
        // The connection is broken; the next write reports it.
      }
    }
  }

  private long load(TableSpec table, Path rows) throws SQLException {
    String sql =
        "INSERT OR IGNORE INTO "
            + table.name()
            + " BY NAME SELECT * FROM read_json('"
            + rows.toString().replace("'", "''")
            + "', format = 'newline_delimited', maximum_object_size = 67108864, columns = "
            + DuckDbSchema.readJsonColumns(table)
            + ")";
    try (Statement s = connection.createStatement()) {
      return s.executeUpdate(sql);
    }
  }

  private Path spoolRows(List<Row> rows) throws IOException {
    Path f = Files.createTempFile(spool, "rows-", ".ndjson");
    try (OutputStream out = Files.newOutputStream(f);
        JsonGenerator g = RowJson.JSON.createGenerator(out)) {
      g.setRootValueSeparator(null);
      for (Row row : rows) {
        RowJson.writeRow(g, row, false);
        g.writeRaw('\n');
      }
    }
    return f;
  }

  private Path spoolQuarantine(SinkBatch batch) throws IOException {
    Path f = Files.createTempFile(spool, "quarantine-", ".ndjson");
    TableSpec q = catalog.quarantineTable();
    try (OutputStream out = Files.newOutputStream(f);
        JsonGenerator g = RowJson.JSON.createGenerator(out)) {
      g.setRootValueSeparator(null);
      for (QuarantineEntry e : batch.quarantine()) {
        Object[] values = batch.quarantineValues(e);
        RowJson.writeObject(g, null, q.columns(), i -> values[i]);
        g.writeRaw('\n');
      }
    }
    return f;
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // Nothing was committed; DuckDB discards the transaction with the connection.
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private synchronized void checkpointAtExit() {
    try (Statement s = connection.createStatement()) {
      s.execute("CHECKPOINT");
    } catch (SQLException ignored) {
      // Closed already, or the file is unwritable: DuckDB replays its log at the next open.
    }
  }

  @Override
  public synchronized void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(checkpointAtExit);
    } catch (IllegalStateException exiting) {
      // The JVM is exiting: the hook runs anyway and finds the connection closed.
    }
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing; nothing more to do.
    }
    try (var left = Files.list(spool)) {
      for (Path p : left.toList()) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(spool);
    } catch (IOException ignored) {
      // A leftover spool folder is harmless.
    }
  }
}
