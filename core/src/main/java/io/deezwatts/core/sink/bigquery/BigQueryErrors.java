package io.deezwatts.core.sink.bigquery;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;

/**
 * The one place that decides what a BigQuery error means for a bulk: retry the rows (transient),
 * move the row to quarantine (invalid), or fail the bulk for good (permanent).
 *
 * <ul>
 *   <li>Transient: the reasons {@code backendError}, {@code internalError}, {@code
 *       rateLimitExceeded}, {@code quotaExceeded}, {@code timeout} and, for a row, {@code stopped}
 *       (BigQuery stopped it because another row of the request failed); HTTP 429 and 5xx; I/O
 *       errors, socket timeouts included.
 *   <li>Invalid row: a row error with reason {@code invalid}, such as a field the table's schema
 *       lacks. Resending it cannot help, so it goes to quarantine.
 *   <li>Permanent: every other 4xx ({@code notFound}, {@code accessDenied}, an invalid request) and
 *       any row error with a reason not listed here.
 * </ul>
 */
final class BigQueryErrors {
  /** Reasons that say "try again later", at request or at row level. */
  private static final Set<String> TRANSIENT_REASONS =
      Set.of("backendError", "internalError", "rateLimitExceeded", "quotaExceeded", "timeout");

  private static final String STOPPED = "stopped";
  private static final String INVALID = "invalid";

  private BigQueryErrors() {}

  /** Whether BigQuery refused this row itself: one of its errors has reason {@code invalid}. */
  static boolean isInvalidRow(List<RowError> rowErrors) {
    return rowErrors.stream().anyMatch(e -> INVALID.equals(e.reason()));
  }

  /**
   * Whether BigQuery only stopped this row because another row of the same request failed; sending
   * it again without that row stores it.
   */
  static boolean isStopped(List<RowError> rowErrors) {
    return !rowErrors.isEmpty() && rowErrors.stream().allMatch(e -> STOPPED.equals(e.reason()));
  }

  /** Whether every error of this row is one that resending may cure ({@code stopped} included). */
  static boolean isTransientRowError(List<RowError> rowErrors) {
    return !rowErrors.isEmpty()
        && rowErrors.stream()
            .allMatch(e -> STOPPED.equals(e.reason()) || isTransientReason(e.reason()));
  }

  /**
   * Whether a failed {@code insertAll} call may succeed if repeated: a transient reason, HTTP 429
   * or 5xx, or an I/O failure (no HTTP status at all). Every other 4xx is permanent.
   */
  static boolean isTransient(InsertAllException e) {
    if (isTransientReason(e.reason())) {
      return true;
    }
    if (e.errors().stream().anyMatch(err -> isTransientReason(err.reason()))) {
      return true;
    }
    int code = e.status();
    if (code == 429 || code >= 500) {
      return true;
    }
    if (code == InsertAllException.NO_STATUS) {
      return isIoFailure(e);
    }
    return false;
  }

  /** Whether a reason, at request or row level, says "try again later". */
  static boolean isTransientReason(String reason) {
    return reason != null && TRANSIENT_REASONS.contains(reason);
  }

  /**
   * Whether the call failed below HTTP: a connection refused or reset, a socket timeout, an answer
   * cut short or not JSON.
   */
  static boolean isIoFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * A row's errors as text for the quarantine {@code reason}: BigQuery's reason, location and
   * message, which name the offending field.
   */
  static String describeRowErrors(List<RowError> rowErrors) {
    StringBuilder sb = new StringBuilder();
    for (RowError e : rowErrors) {
      if (STOPPED.equals(e.reason())) {
        continue;
      }
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(e.reason());
      if (!e.location().isEmpty()) {
        sb.append(" at ").append(e.location());
      }
      if (!e.message().isEmpty()) {
        sb.append(": ").append(e.message());
      }
    }
    return sb.toString();
  }

  /**
   * A row's error reasons and locations only, without BigQuery's messages (which may quote values),
   * for exception messages and logs.
   */
  static String reasonsOnly(List<RowError> rowErrors) {
    StringBuilder sb = new StringBuilder();
    for (RowError e : rowErrors) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(e.reason());
      if (!e.location().isEmpty()) {
        sb.append(" at ").append(e.location());
      }
    }
    return sb.toString();
  }

  /** A failed call in a few words for exception messages and logs: status, reason, message. */
  static String describe(InsertAllException e) {
    StringBuilder sb = new StringBuilder();
    if (e.status() == InsertAllException.NO_STATUS) {
      Throwable io = e.getCause() != null ? e.getCause() : e;
      sb.append("I/O error (")
          .append(
              io instanceof SocketTimeoutException ? "timed out" : io.getClass().getSimpleName())
          .append(')');
    } else {
      sb.append("HTTP ").append(e.status());
    }
    if (e.reason() != null) {
      sb.append(' ').append(e.reason());
    }
    if (e.status() != InsertAllException.NO_STATUS && e.getMessage() != null) {
      sb.append(": ").append(e.getMessage());
    }
    return sb.toString();
  }
}
