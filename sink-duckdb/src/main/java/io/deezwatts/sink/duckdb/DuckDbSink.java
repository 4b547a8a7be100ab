package io.deezwatts.sink.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.OpenEntry;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The local default sink: an embedded DuckDB file with the same tables as BigQuery. Exactly once
 * without a key index: each bulk is staged, then only the events whose {@code event_key} is not
 * stored yet are inserted, in one transaction (see {@link DuckDbStore}).
 *
 * <p>A handle on the process's one writer of the file: every sink opened on the same file in this
 * process shares it. {@link #close()} checkpoints the file and gives the handle back; the file is
 * closed with the last handle.
 */
public final class DuckDbSink implements Sink, QuarantineStore {
  private final DuckDbStore store;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Opens (creating if needed, migrating if older) the database file, and answers {@code deezwatts
   * sql} from other processes while it is open.
   *
   * @throws IllegalStateException when the file cannot be opened, for instance because another
   *     process holds it (DuckDB allows one process per file)
   */
  public DuckDbSink(Path file, Catalog catalog) {
    this(file, catalog, true);
  }

  private DuckDbSink(Path file, Catalog catalog, boolean serveQueries) {
    this.store = DuckDbStore.acquire(file, catalog, serveQueries);
  }

  /**
   * Opens the file for this process's own queries only (as {@code deezwatts sql} does when nothing
   * else holds it): no query endpoint for other processes.
   */
  public static DuckDbSink forQueries(Path file, Catalog catalog) {
    return new DuckDbSink(file, catalog, false);
  }

  private DuckDbSink(DuckDbStore store) {
    this.store = store;
  }

  /**
   * Another handle on a store this process holds: the requeue channel's sink.
   *
   * @throws IllegalStateException when the store is closing
   */
  static DuckDbSink sharing(DuckDbStore store) {
    return new DuckDbSink(store.share());
  }

  /** The open connection, for queries such as {@code deezwatts sql}; not for concurrent writes. */
  public Connection connection() {
    return store.connection();
  }

  @Override
  public String describe() {
    return "duckdb:" + store.file();
  }

  /**
   * Stores the batch in one transaction.
   *
   * @throws SinkException transient when the file is locked or an I/O error occurs; permanent for
   *     any other database error. Nothing of the batch is stored then.
   */
  @Override
  public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    if (closed.get()) {
      throw SinkException.transientFailure(
          "the DuckDB sink on " + store.file() + " is closed", null);
    }
    return store.write(batch);
  }

  /**
   * Reads {@code quarantine_open} a page at a time (the store's lock is held for each read, not
   * between pages, so other writers of this process go on).
   *
   * @throws SinkException transient when the file is locked or an I/O error occurs; permanent for
   *     another database error or a malformed row
   */
  @Override
  public void openEntries(Instant since, String reasonContains, int pageSize, PageConsumer consumer)
      throws SinkException {
    OpenEntry after = null;
    while (true) {
      ensureOpen();
      List<OpenEntry> page = store.openPage(since, reasonContains, after, pageSize);
      if (page.isEmpty()) {
        return;
      }
      consumer.accept(page);
      after = page.get(page.size() - 1);
    }
  }

  /**
   * Appends resolutions in one transaction; a retried call stores nothing twice.
   *
   * @throws SinkException as {@link #write} does
   */
  @Override
  public void resolve(List<Resolution> resolutions, Instant deadline) throws SinkException {
    ensureOpen();
    store.resolve(resolutions);
  }

  /**
   * Counts the open entries exactly (cheap: one aggregate over {@code quarantine_open}).
   *
   * @throws SinkException as {@link #openEntries} does
   */
  @Override
  public OpenCount countOpen(Instant since, String reasonContains) throws SinkException {
    ensureOpen();
    return new OpenCount(store.countOpen(since, reasonContains), true);
  }

  private void ensureOpen() throws SinkException {
    if (closed.get()) {
      throw SinkException.transientFailure(
          "the DuckDB sink on " + store.file() + " is closed", null);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.release();
    }
  }
}
