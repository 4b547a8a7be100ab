package io.deezwatts.core.sink.bigquery;

import com.google.protobuf.ByteString;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.Row;
import java.util.List;

/**
 * One row on its way to a table, as the positional values the decoder built: the request body is
 * written from them directly.
 *
 * @param insertId BigQuery's best-effort dedup id: the row's {@code event_key}
 * @param columns the table's columns, which {@code values} follow
 * @param values the row's values, checked to fit {@code columns}
 * @param estimatedBytes an upper bound of what the row adds to a request body
 * @param source the decoded row it came from, to quarantine it if BigQuery refuses it; null for a
 *     quarantine entry
 * @param proto the row encoded for the Storage Write API, or null on the {@code insertAll} path
 */
record PendingRow(
    String insertId,
    List<Column> columns,
    Object[] values,
    long estimatedBytes,
    Row source,
    Proto proto) {

  /**
   * A row's protobuf encoding and the schema it was encoded for (re-encoded when the schema
   * changes).
   */
  record Proto(ProtoTableSchema schema, ByteString bytes) {}

  /** A row for {@code insertAll}. */
  PendingRow(
      String insertId, List<Column> columns, Object[] values, long estimatedBytes, Row source) {
    this(insertId, columns, values, estimatedBytes, source, null);
  }

  /**
   * Rows whose {@link RowContent#quickBound} is at most this many bytes fit a full request of
   * {@link Chunker#MAX_ROWS} rows under {@link Chunker#MAX_BYTES} whatever their exact size, so
   * that bound serves them: most rows are never scanned character by character.
   */
  static final long SMALL_ROW_BYTES =
      (Chunker.MAX_BYTES - Chunker.ENVELOPE_BYTES) / Chunker.MAX_ROWS;

  /**
   * A row with an upper bound of its size: the quick one for a small row, else the exact one.
   *
   * @throws IllegalArgumentException when the values do not fit the columns (see {@link
   *     RowContent#estimateBytes})
   */
  static PendingRow of(String insertId, List<Column> columns, Object[] values, Row source) {
    long quick = RowContent.quickBound(insertId, columns, values);
    long bytes =
        quick <= SMALL_ROW_BYTES ? quick : RowContent.estimateBytes(insertId, columns, values);
    return new PendingRow(insertId, columns, values, bytes, source);
  }
}
