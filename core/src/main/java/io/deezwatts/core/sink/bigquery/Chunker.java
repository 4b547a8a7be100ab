package io.deezwatts.core.sink.bigquery;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a table's rows into {@code insertAll} requests of at most {@link #maxRows} rows and at
 * most {@link #maxBytes} estimated bytes each, keeping their order. A single row above the byte cap
 * gets a request of its own.
 */
final class Chunker {
  /** BigQuery recommends at most 500 rows per {@code insertAll} request. */
  static final int MAX_ROWS = 500;

  /**
   * BigQuery refuses {@code insertAll} requests above 10 MB; staying under 9 MB of estimated
   * (upper-bound) bytes leaves a margin for the envelope and estimation error.
   */
  static final long MAX_BYTES = 9_000_000L;

  /**
   * The request's envelope: {@code
   * {"ignoreUnknownValues":false,"rows":[],"skipInvalidRows":false}}.
   */
  static final long ENVELOPE_BYTES = 128;

  private final int maxRows;
  private final long maxBytes;

  Chunker(int maxRows, long maxBytes) {
    if (maxRows < 1 || maxBytes <= ENVELOPE_BYTES) {
      throw new IllegalArgumentException("maxRows " + maxRows + ", maxBytes " + maxBytes);
    }
    this.maxRows = maxRows;
    this.maxBytes = maxBytes;
  }

  static Chunker standard() {
    return new Chunker(MAX_ROWS, MAX_BYTES);
  }

  List<List<PendingRow>> split(List<PendingRow> rows) {
    List<List<PendingRow>> chunks = new ArrayList<>();
    List<PendingRow> current = new ArrayList<>();
    long bytes = ENVELOPE_BYTES;
    for (PendingRow r : rows) {
      if (!current.isEmpty()
          && (current.size() >= maxRows || bytes + r.estimatedBytes() > maxBytes)) {
        chunks.add(current);
        current = new ArrayList<>();
        bytes = ENVELOPE_BYTES;
      }
      current.add(r);
      bytes += r.estimatedBytes();
    }
    if (!current.isEmpty()) {
      chunks.add(current);
    }
    return chunks;
  }
}
