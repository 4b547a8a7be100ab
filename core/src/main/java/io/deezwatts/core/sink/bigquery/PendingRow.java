package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.decode.Row;
import java.util.Map;

/**
 * One row on its way to a table.
 *
 * @param insertId BigQuery's best-effort dedup id: the row's {@code event_key}
 * @param content the {@code json} object of the {@code insertAll} row
 * @param estimatedBytes an upper bound of what the row adds to a request body
 * @param source the decoded row it came from, to quarantine it if BigQuery refuses it; null for a
 *     quarantine entry
 */
record PendingRow(String insertId, Map<String, Object> content, long estimatedBytes, Row source) {
  static PendingRow of(String insertId, Map<String, Object> content, Row source) {
    return new PendingRow(insertId, content, RowContent.estimateBytes(insertId, content), source);
  }
}
