package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores rows with {@code tabledata.insertAll} ({@link InsertAllClient}), each row with its {@code
 * event_key} as {@code insertId}, in requests of at most 500 rows and under 9 MB ({@link Chunker}).
 * Reads every response's {@code insertErrors} with {@link BigQueryErrors}: {@code invalid} is
 * {@link Verdict#INVALID}, {@code stopped} {@link Verdict#STOPPED}, other transient reasons {@link
 * Verdict#RETRY}, anything else {@link Verdict#PERMANENT}. Chosen with {@code
 * DEEZWATTS_BIGQUERY_API=insertall}, for networks that block gRPC.
 */
final class InsertAllAppender implements TableAppender {
  private final InsertAllClient client;
  private final Chunker chunker;

  InsertAllAppender(InsertAllClient client, Chunker chunker) {
    this.client = client;
    this.chunker = chunker;
  }

  @Override
  public PendingRow prepare(String insertId, TableSpec table, Object[] values, Row source) {
    return PendingRow.of(insertId, table.columns(), values, source);
  }

  @Override
  public List<List<PendingRow>> split(List<PendingRow> rows) {
    return chunker.split(rows);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Transient: HTTP 429 and 5xx with a transient reason, I/O failures and read timeouts (see
   * {@link BigQueryErrors#isTransient}); permanent: other 4xx, and an answer naming a row the
   * request did not have.
   */
  @Override
  public Map<Integer, NotStored> append(TableSpec table, List<PendingRow> rows, Instant deadline)
      throws AppendFailure, SinkException {
    Map<Long, List<RowError>> errors;
    try {
      errors = client.insertAll(table.name(), rows);
    } catch (InsertAllException e) {
      throw new AppendFailure(BigQueryErrors.isTransient(e), BigQueryErrors.describe(e), e);
    }
    Map<Integer, NotStored> notStored = new HashMap<>();
    for (Map.Entry<Long, List<RowError>> e : errors.entrySet()) {
      Long index = e.getKey();
      if (index == null || index < 0 || index >= rows.size()) {
        throw new AppendFailure(
            false,
            "answered with errors for row " + index + " of a request of " + rows.size(),
            null);
      }
      List<RowError> rowErrors = e.getValue();
      if (rowErrors == null || rowErrors.isEmpty()) {
        continue; // stored
      }
      NotStored verdict;
      if (BigQueryErrors.isInvalidRow(rowErrors)) {
        verdict = new NotStored(Verdict.INVALID, BigQueryErrors.describeRowErrors(rowErrors));
      } else if (BigQueryErrors.isStopped(rowErrors)) {
        verdict = new NotStored(Verdict.STOPPED, "stopped");
      } else if (BigQueryErrors.isTransientRowError(rowErrors)) {
        verdict = new NotStored(Verdict.RETRY, BigQueryErrors.reasonsOnly(rowErrors));
      } else {
        verdict = new NotStored(Verdict.PERMANENT, BigQueryErrors.reasonsOnly(rowErrors));
      }
      notStored.put(index.intValue(), verdict);
    }
    return notStored;
  }

  @Override
  public String api() {
    return "insertAll";
  }

  /** The client holds no connection between calls: nothing to release. */
  @Override
  public void close() {}
}
