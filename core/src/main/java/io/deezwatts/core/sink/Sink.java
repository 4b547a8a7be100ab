package io.deezwatts.core.sink;

import java.time.Instant;

/**
 * Where decoded bulks are stored: BigQuery in the cloud, an embedded DuckDB file locally. Chosen at
 * run time by URI scheme through {@link Sinks#open}; the functions never name one.
 *
 * <p>The contract every sink keeps: {@link #write} returns normally only when every row and every
 * quarantine entry of the batch is stored, and only then may the caller acknowledge the bulk.
 * Otherwise it throws, saying whether a retry can help. A retried bulk must not create duplicates
 * in what users query: sinks key rows by {@code event_key}. Implementations are thread-safe and are
 * created once per process or function instance.
 */
public interface Sink extends AutoCloseable {
  /**
   * Stores a batch, all of it.
   *
   * @param batch the rows and quarantine entries of one bulk
   * @param deadline when the caller must answer its sender; a sink gives up retrying before it and
   *     throws a transient failure
   * @return what was stored
   * @throws SinkException when anything of the batch may not be stored: {@link
   *     SinkException#isTransient()} says whether the sender should retry the bulk
   */
  WriteResult write(SinkBatch batch, Instant deadline) throws SinkException;

  /** A short description for logs, such as {@code duckdb:./data/deezwatts.duckdb}; no secrets. */
  String describe();

  /** Releases connections and clients; the sink is not used afterwards. */
  @Override
  void close();
}
