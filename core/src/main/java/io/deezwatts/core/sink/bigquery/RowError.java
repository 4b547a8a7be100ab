package io.deezwatts.core.sink.bigquery;

/**
 * One error BigQuery reports, for a row in an {@code insertAll} response's {@code insertErrors} or
 * for a whole request in an error response's {@code error.errors}.
 *
 * @param reason BigQuery's reason, such as {@code invalid}, {@code stopped} or {@code
 *     backendError}; null when absent
 * @param location the field at fault, or empty
 * @param message BigQuery's message, which may quote a value; empty when absent
 */
record RowError(String reason, String location, String message) {
  RowError {
    location = location == null ? "" : location;
    message = message == null ? "" : message;
  }
}
