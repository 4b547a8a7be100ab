package io.deezwatts.sink.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.OpenEntry;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * The one writer of a DuckDB file in this process. Every {@link DuckDbSink} on the same file (the
 * HTTP and Pub/Sub functions of {@code serve}, the bridge, {@code ingest}) shares it, so its writes
 * are serialised: two identical bulks arriving at once still store each event once. Another process
 * cannot open the file at all (DuckDB's lock); {@code deezwatts sql} reaches it through the {@link
 * QueryServer} this store runs.
 */
final class DuckDbStore {
  private static final Logger LOG = Logger.getLogger(DuckDbStore.class.getName());
  private static final Map<Path, DuckDbStore> OPEN = new HashMap<>();

  private final Path file;
  private final Catalog catalog;
  private final DuckDBConnection connection;
  private final QuarantineReader quarantine;
  private final Thread checkpointAtExit;
  private QueryServer queries;
  private int handles;

  private DuckDbStore(Path file, Catalog catalog, DuckDbSettings settings) {
    this.file = file;
    this.catalog = catalog;
    try {
      LocalFiles.prepare(file);
      this.connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:" + file);
    } catch (SQLException | IOException e) {
      throw openFailure(e);
    }
    this.quarantine = new QuarantineReader(connection, file);
    try {
      LocalFiles.restrict(file);
      try (Statement s = connection.createStatement()) {
        for (String setting : settings.statements(file)) {
          s.execute(setting);
        }
      }
      new DuckDbMigration(connection, catalog).run();
      try (Statement s = connection.createStatement()) {
        for (String ddl : DuckDbSchema.statements(catalog)) {
          s.execute(ddl);
        }
        s.execute(DuckDbSchema.createStagedKeys());
        for (TableSpec t : catalog.tables()) {
          if (DuckDbSchema.needsStaging(t)) {
            s.execute(DuckDbSchema.createTable(t, true));
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      closeQuietly();
      throw openFailure(e);
    }
    this.checkpointAtExit = new Thread(this::checkpointAtExit, "deezwatts-duckdb-exit");
    Runtime.getRuntime().addShutdownHook(checkpointAtExit);
  }

  private IllegalStateException openFailure(Exception e) {
    String m = String.valueOf(e.getMessage());
    String hint =
        m.contains("lock")
            ? " (another process holds it: DuckDB lets one process use a file. While deezwatts"
                + " serve, the bridge or ingest runs, 'deezwatts sql' queries through it.)"
            : "";
    return new IllegalStateException(
        "cannot open DuckDB file " + file + ": " + firstLine(m) + hint, e);
  }

  /**
   * The store of {@code file}, opened on first use and shared by every caller in this process.
   *
   * @param serveQueries whether to answer {@code deezwatts sql} from other processes while open
   * @throws IllegalStateException when the file cannot be opened (another process holds it, it is
   *     not a DuckDB file, it is of a newer DuckDB version)
   */
  static DuckDbStore acquire(Path file, Catalog catalog, boolean serveQueries) {
    Path key = file.toAbsolutePath().normalize();
    synchronized (OPEN) {
      DuckDbStore store = OPEN.get(key);
      if (store == null) {
        store = new DuckDbStore(key, catalog, DuckDbSettings.fromEnvironment(System.getenv()));
        OPEN.put(key, store);
      }
      synchronized (store) {
        store.handles++;
        if (serveQueries && store.queries == null) {
          store.queries = QueryServer.start(store, LocalFiles.endpointOf(key));
        }
      }
      return store;
    }
  }

  /**
   * One more handle on this store, for the requeue channel: never a reopen of the file.
   *
   * @throws IllegalStateException when the store is closing (its last handle is being given back)
   */
  DuckDbStore share() {
    synchronized (OPEN) {
      synchronized (this) {
        if (OPEN.get(file) != this) {
          throw new IllegalStateException("the process holding " + file + " is stopping");
        }
        handles++;
        return this;
      }
    }
  }

  /**
   * Gives back one handle: checkpoints, so that no write-ahead log is left after a clean stop, and
   * closes the file with the last handle.
   */
  void release() {
    synchronized (OPEN) {
      synchronized (this) {
        checkpoint();
        if (--handles > 0) {
          return;
        }
        OPEN.remove(file);
        try {
          Runtime.getRuntime().removeShutdownHook(checkpointAtExit);
        } catch (IllegalStateException exiting) {
          // The JVM is exiting: the hook runs anyway and finds the connection closed.
        }
        if (queries != null) {
          queries.close();
          queries = null;
        }
        closeQuietly();
      }
    }
  }

  Path file() {
    return file;
  }

  DuckDBConnection connection() {
    return connection;
  }

  /**
   * Stores a batch in one transaction: per table, the bulk's own duplicates are dropped, its keys
   * are looked up in the table ({@link #present}), and only the rows whose key is not there are
   * appended.
   *
   * @throws SinkException transient when the file is locked or an I/O error occurs; permanent for
   *     any other database error. Nothing of the batch is stored then.
   */
  synchronized WriteResult write(SinkBatch batch) throws SinkException {
    Map<TableSpec, Map<UUID, IntFunction<Object>>> byTable = new LinkedHashMap<>();
    long rows = batch.rows().size();
    for (Row row : batch.rows()) {
      byTable
          .computeIfAbsent(row.table(), t -> new LinkedHashMap<>())
          .putIfAbsent(RowAppender.key(row.eventKey()), row::value);
    }
    Map<UUID, IntFunction<Object>> quarantine = new LinkedHashMap<>();
    for (QuarantineEntry entry : batch.quarantine()) {
      Object[] values = batch.quarantineValues(entry);
      quarantine.putIfAbsent(RowAppender.key(entry.eventKey()), i -> values[i]);
    }
    TableSpec q = quarantine.isEmpty() ? null : catalog.quarantineTable();
    if (q != null) {
      byTable.put(q, quarantine);
    }
    List<TableSpec> staged = new ArrayList<>();
    boolean committed = false;
    long stored = 0;
    long quarantined = 0;
    try {
      connection.setAutoCommit(false);
      for (Map.Entry<TableSpec, Map<UUID, IntFunction<Object>>> e : byTable.entrySet()) {
        TableSpec t = e.getKey();
        Map<UUID, IntFunction<Object>> fresh = e.getValue();
        TimeRanges ranges = t.equals(q) ? null : TimeRanges.of(fresh.values());
        fresh.keySet().removeAll(present(t, fresh.keySet(), ranges));
        if (DuckDbSchema.needsStaging(t)) {
          staged.add(t);
        }
        land(t, fresh);
        if (t.equals(q)) {
          quarantined = fresh.size();
        } else {
          stored += fresh.size();
        }
      }
      connection.commit();
      committed = true;
      // The log is made anew after each checkpoint, with the process's umask: keep it private.
      LocalFiles.restrict(file);
      return new WriteResult(stored, rows - stored, quarantined, 0);
    } catch (SQLException e) {
      rollback();
      String m = String.valueOf(e.getMessage());
      boolean transientFailure = isTransient(m);
      String message = "DuckDB write to " + file + " failed: " + firstLine(m);
      throw transientFailure
          ? SinkException.transientFailure(message, e)
          : SinkException.permanent(message, e);
    } catch (RuntimeException e) {
      rollback();
      throw SinkException.permanent("DuckDB write to " + file + " failed: " + e.getMessage(), e);
    } finally {
      clear(staged, !committed);
    }
  }

  /**
   * Counts the open quarantine entries {@link #openPage} would list from the start; serialised with
   * writes on the one connection.
   *
   * @throws SinkException as {@link QuarantineReader#count} does
   */
  synchronized long countOpen(Instant since, String reasonContains) throws SinkException {
    return quarantine.count(since, reasonContains);
  }

  Catalog catalog() {
    return catalog;
  }

  /**
   * One page of open quarantine entries; serialised with writes on the one connection.
   *
   * @throws SinkException as {@link QuarantineReader#page} does
   */
  synchronized List<OpenEntry> openPage(
      Instant since, String reasonContains, OpenEntry after, int limit) throws SinkException {
    return quarantine.page(since, reasonContains, after, limit);
  }

  /**
   * Appends resolutions in one transaction, leaving out those whose key is stored already (a
   * retried call).
   *
   * @throws SinkException as {@link #write} does; nothing is stored then
   */
  synchronized void resolve(List<Resolution> resolutions) throws SinkException {
    TableSpec t = catalog.table(Resolution.TABLE);
    Map<UUID, IntFunction<Object>> fresh = new LinkedHashMap<>();
    for (Resolution r : resolutions) {
      Object[] values = r.values();
      fresh.putIfAbsent(RowAppender.key(r.key()), i -> values[i]);
    }
    boolean committed = false;
    try {
      connection.setAutoCommit(false);
      fresh.keySet().removeAll(present(t, fresh.keySet(), null));
      land(t, fresh);
      connection.commit();
      committed = true;
      LocalFiles.restrict(file);
    } catch (SQLException e) {
      rollback();
      throw failure("DuckDB write to " + file, e);
    } finally {
      clear(List.of(), !committed);
    }
  }

  static SinkException failure(String what, SQLException e) {
    String m = String.valueOf(e.getMessage());
    String message = what + " failed: " + firstLine(m);
    return isTransient(m)
        ? SinkException.transientFailure(message, e)
        : SinkException.permanent(message, e);
  }

  /**
   * Whether a retry of the bulk can succeed: the file is locked or unreadable for a moment, or
   * DuckDB ran out of its memory limit (other work holds it: a checkpoint, a query).
   */
  static boolean isTransient(String message) {
    return message.contains("Could not set lock")
        || message.contains("IO Error")
        || message.contains("Out of Memory Error");
  }

  /**
   * The keys of {@code keys} already in {@code t}. The lookup reads only the row groups whose
   * {@code time} min/max overlaps the bulk's spans (all of a table without {@code time}) and builds
   * its hash table on the bulk's keys, so its memory does not grow with the table.
   */
  private Set<UUID> present(TableSpec t, Set<UUID> keys, TimeRanges ranges) throws SQLException {
    Set<UUID> found = new HashSet<>();
    if (keys.isEmpty()) {
      return found;
    }
    try (DuckDBAppender a = connection.createAppender("temp", "main", DuckDbSchema.STAGED_KEYS)) {
      for (UUID k : keys) {
        a.beginRow().appendUUID(k.getMostSignificantBits(), k.getLeastSignificantBits()).endRow();
      }
    }
    String sql =
        "SELECT k.event_key FROM "
            + t.name()
            + " k WHERE "
            + (ranges == null ? "TRUE" : ranges.predicate("k.time"))
            + " AND k.event_key IN (SELECT event_key FROM "
            + DuckDbSchema.STAGED_KEYS
            + ")";
    try (Statement s = connection.createStatement()) {
      try (ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          found.add(rs.getObject(1, UUID.class));
        }
      }
      s.execute("DELETE FROM " + DuckDbSchema.STAGED_KEYS);
    }
    return found;
  }

  /** Appends rows to {@code t}: straight in, or through its staging table and a cast. */
  private void land(TableSpec t, Map<UUID, IntFunction<Object>> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    boolean staging = DuckDbSchema.needsStaging(t);
    try (RowAppender a = new RowAppender(connection, t, staging)) {
      for (Map.Entry<UUID, IntFunction<Object>> row : rows.entrySet()) {
        a.append(row.getKey(), row.getValue());
      }
    }
    if (staging) {
      try (Statement s = connection.createStatement()) {
        s.executeUpdate(
            "INSERT INTO "
                + t.name()
                + " ("
                + columnList(t)
                + ") SELECT "
                + DuckDbSchema.stagedSelectList(t, "s")
                + " FROM "
                + DuckDbSchema.stagingName(t)
                + " s");
      }
    }
  }

  static String columnList(TableSpec t) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < t.columns().size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(DuckDbSchema.quote(t.columns().get(i).name()));
    }
    return sb.toString();
  }

  /**
   * Empties the staging tables a write used. The staged keys are deleted by {@link #present} after
   * its query; only a write that failed between the two may have left some.
   */
  private void clear(List<TableSpec> staged, boolean failed) {
    try {
      connection.setAutoCommit(true);
      try (Statement s = connection.createStatement()) {
        if (failed) {
          s.execute("DELETE FROM " + DuckDbSchema.STAGED_KEYS);
        }
        for (TableSpec t : staged) {
          s.execute("DELETE FROM " + DuckDbSchema.stagingName(t));
        }
      }
    } catch (SQLException e) {
      // The connection is broken; the next write reports it.
      LOG.log(Level.FINE, "clearing staging tables", e);
    }
  }

  /** Writes everything to the file itself, so that no write-ahead log is left to replay. */
  synchronized void checkpoint() {
    try (Statement s = connection.createStatement()) {
      s.execute("CHECKPOINT");
    } catch (SQLException e) {
      // Closed already, or unwritable: DuckDB replays its log at the next open.
      LOG.log(Level.FINE, "checkpoint of " + file, e);
    }
  }

  /**
   * At JVM exit without a release (say {@code ingest} interrupted): checkpoints after any write in
   * progress. It leaves the connection open: another shutdown hook (the bridge's flush) may still
   * write, and such a late write lands in the log, just as durable.
   */
  private void checkpointAtExit() {
    checkpoint();
    QueryServer q;
    synchronized (this) {
      q = queries;
    }
    if (q != null) {
      q.close();
    }
  }

  private void rollback() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // Nothing was committed; DuckDB discards the transaction with the connection.
    }
  }

  private void closeQuietly() {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // Closing; nothing more to do.
    }
  }

  static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
