package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * One way of storing rows in a BigQuery table, one request at a time: {@code tabledata.insertAll}
 * ({@link InsertAllAppender}) or the Storage Write API ({@link StorageWriteAppender}). The request
 * that {@link AppendPolicy} retries and whose refused rows {@link BigQuerySink} quarantines, so
 * that both paths share one retry and quarantine policy. Implementations are thread-safe.
 */
interface TableAppender extends AutoCloseable {

  /** What became of a row that a request did not store. */
  enum Verdict {
    /** BigQuery refused the row itself: quarantine it (or fail, for a quarantine entry). */
    INVALID,
    /** Not stored for a reason that may pass: send it again after a backoff. */
    RETRY,
    /** Not stored only because another row of the request was refused: send it again at once. */
    STOPPED,
    /** Refused for a reason that a retry cannot cure: the bulk fails as permanent. */
    PERMANENT
  }

  /**
   * A row the request did not store.
   *
   * @param verdict what to do with it
   * @param reason BigQuery's words, for the quarantine entry or the exception; no row contents
   */
  record NotStored(Verdict verdict, String reason) {}

  /** A whole request failed; none of its rows is stored. */
  final class AppendFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean transientFailure;

    AppendFailure(boolean transientFailure, String message, Throwable cause) {
      super(message, cause);
      this.transientFailure = transientFailure;
    }

    /** Whether the same request may succeed later. */
    boolean isTransient() {
      return transientFailure;
    }
  }

  /**
   * A row ready to send, sized for {@link #split}.
   *
   * @throws IllegalArgumentException when the values do not fit the table's columns; the message
   *     names the column
   */
  PendingRow prepare(String insertId, TableSpec table, Object[] values, Row source);

  /**
   * Gets ready to append to these tables, in the background where that takes long (opening a
   * connection), so that it overlaps with preparing the rows. Never fails: a failure shows again at
   * the append.
   */
  default void open(Collection<TableSpec> tables) {}

  /** A table's rows cut into requests, in order. */
  List<List<PendingRow>> split(List<PendingRow> rows);

  /**
   * Sends one request for rows of one table.
   *
   * @param deadline when the caller must have an answer: a request still under way then fails as
   *     transient
   * @return the rows not stored, by their index in {@code rows}; empty when all are stored
   * @throws AppendFailure when none of the rows is stored, transient when a later attempt may
   *     succeed (an unavailable service, a rate limit, a timeout, an interrupt)
   * @throws SinkException permanent when no credentials are configured at all
   */
  Map<Integer, NotStored> append(TableSpec table, List<PendingRow> rows, Instant deadline)
      throws AppendFailure, SinkException;

  /** The API's name for messages, such as {@code insertAll}. */
  String api();

  /** Releases clients, channels and threads; never fails. */
  @Override
  void close();
}
