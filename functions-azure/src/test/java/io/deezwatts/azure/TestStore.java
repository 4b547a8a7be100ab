package io.deezwatts.azure;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The real embedded DuckDB sink, behind a switch that makes the next writes fail the way a cloud
 * sink fails (transiently, or for good) before they reach the database. A real {@link Sink}, not a
 * mock: everything that is not made to fail is stored in DuckDB.
 */
final class TestStore implements Sink {
  private final DuckDbSink duckdb;
  private final Deque<Exception> failures = new ArrayDeque<>();
  private int writes;

  TestStore(Path file) {
    this.duckdb = new DuckDbSink(file, Catalog.standard());
  }

  /** The next write fails with this, before anything is stored. */
  synchronized TestStore failNext(SinkException failure) {
    failures.add(failure);
    return this;
  }

  /** Every write fails with this until {@link #recover()}. */
  synchronized TestStore failAlways(SinkException failure) {
    failures.clear();
    for (int i = 0; i < 1_000; i++) {
      failures.add(failure);
    }
    return this;
  }

  /** The next write throws this, as a bug below the sink port would, before anything is stored. */
  synchronized TestStore failNextUnexpectedly(RuntimeException failure) {
    failures.add(failure);
    return this;
  }

  synchronized void recover() {
    failures.clear();
  }

  synchronized int writes() {
    return writes;
  }

  @Override
  public synchronized WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    writes++;
    Exception failure = failures.poll();
    if (failure instanceof SinkException s) {
      throw s;
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    return duckdb.write(batch, deadline);
  }

  /** The single long value a query returns. */
  synchronized long count(String sql) throws SQLException {
    try (Statement s = duckdb.connection().createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** The single text value a query returns. */
  synchronized String text(String sql) throws SQLException {
    try (Statement s = duckdb.connection().createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  @Override
  public String describe() {
    return "test:" + duckdb.describe();
  }

  @Override
  public void close() {
    duckdb.close();
  }
}
