package io.deezwatts.core.sink.bigquery;

import java.io.IOException;
import java.util.List;

/**
 * An {@code insertAll} request that failed as a whole: BigQuery answered with an HTTP error, or no
 * usable answer came (I/O failure, timeout, a malformed body). {@link BigQueryErrors} decides
 * whether sending it again may help.
 */
final class InsertAllException extends Exception {
  private static final long serialVersionUID = 1L;

  /** {@link #status()} when no HTTP answer was read. */
  static final int NO_STATUS = 0;

  private final int status;
  private final String reason;
  private final transient List<RowError> errors;

  private InsertAllException(
      int status, String reason, String message, List<RowError> errors, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.reason = reason;
    this.errors = List.copyOf(errors);
  }

  /**
   * BigQuery's error answer.
   *
   * @param status the HTTP status
   * @param message {@code error.message}, or the status line's text
   * @param errors {@code error.errors}; the first one's reason is {@link #reason()}
   */
  static InsertAllException http(int status, String message, List<RowError> errors) {
    String reason = errors.isEmpty() ? null : errors.get(0).reason();
    return new InsertAllException(status, reason, message, errors, null);
  }

  /** No usable answer: the request or its answer failed below HTTP, or made no sense. */
  static InsertAllException io(IOException cause) {
    return new InsertAllException(NO_STATUS, null, cause.getMessage(), List.of(), cause);
  }

  /** The HTTP status, or {@link #NO_STATUS}. */
  int status() {
    return status;
  }

  /** The first error's reason, or null. */
  String reason() {
    return reason;
  }

  /** BigQuery's errors for the request, maybe empty. */
  List<RowError> errors() {
    return errors == null ? List.of() : errors;
  }
}
