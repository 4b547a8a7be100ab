package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigquery.BigQueryError;
import com.google.cloud.bigquery.BigQueryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How each BigQuery error is classified; the HTTP round trips are in {@link BigQuerySinkTest}. */
class BigQueryErrorsTest {
  private static BigQueryError error(String reason) {
    return new BigQueryError(reason, "", "message of " + reason);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"backendError", "internalError", "rateLimitExceeded", "quotaExceeded", "timeout"})
  void transientReasonsAreTransientAtRequestAndRowLevel(String reason) {
    assertTrue(BigQueryErrors.isTransient(new BigQueryException(403, "x", error(reason))));
    assertTrue(BigQueryErrors.isTransient(new BigQueryException(400, "x", error(reason))));
    assertTrue(BigQueryErrors.isTransientRowError(List.of(error(reason))));
    assertFalse(BigQueryErrors.isInvalidRow(List.of(error(reason))));
    assertFalse(BigQueryErrors.isStopped(List.of(error(reason))));
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 502, 503, 504})
  void http429And5xxAreTransient(int code) {
    assertTrue(BigQueryErrors.isTransient(new BigQueryException(code, "x")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"notFound", "accessDenied", "invalid", "badRequest", "duplicate"})
  void otherClientErrorsArePermanent(String reason) {
    assertFalse(BigQueryErrors.isTransient(new BigQueryException(400, "x", error(reason))));
    assertFalse(BigQueryErrors.isTransient(new BigQueryException(404, "x", error(reason))));
    assertFalse(BigQueryErrors.isTransient(new BigQueryException(403, "x", error(reason))));
    assertFalse(BigQueryErrors.isTransient(new BigQueryException(401, "x")));
  }

  @Test
  void ioFailuresAreTransientSocketTimeoutsIncluded() {
    assertTrue(BigQueryErrors.isTransient(new BigQueryException(new ConnectException("refused"))));
    assertTrue(
        BigQueryErrors.isTransient(new BigQueryException(new SocketTimeoutException("read"))));
    // What gax makes of a socket timeout: an InterruptedException cause, no status.
    assertTrue(
        BigQueryErrors.isTransient(
            new BigQueryException(
                0, "java.lang.InterruptedException", new InterruptedException())));
    assertFalse(
        BigQueryErrors.isTransient(
            new BigQueryException(0, "bad", new IllegalStateException("no I/O here"))));
    assertTrue(BigQueryErrors.isIoFailure(new RuntimeException(new IOException("x"))));
  }

  @Test
  void rowErrors() {
    List<BigQueryError> invalid =
        List.of(new BigQueryError("invalid", "gps.hdop", "no such field"));
    List<BigQueryError> stopped = List.of(error("stopped"));
    assertTrue(BigQueryErrors.isInvalidRow(invalid));
    assertFalse(BigQueryErrors.isTransientRowError(invalid));
    assertTrue(BigQueryErrors.isStopped(stopped));
    assertTrue(BigQueryErrors.isTransientRowError(stopped));
    assertFalse(BigQueryErrors.isInvalidRow(stopped));
    assertTrue(BigQueryErrors.isInvalidRow(List.of(error("stopped"), invalid.get(0))));
    assertFalse(BigQueryErrors.isTransientRowError(List.of(error("accessDenied"))));
    assertFalse(BigQueryErrors.isTransientRowError(List.of()));
    assertFalse(BigQueryErrors.isStopped(List.of(error("stopped"), error("backendError"))));
    assertTrue(BigQueryErrors.isTransientRowError(List.of(error("stopped"), error("timeout"))));
  }

  @Test
  void descriptions() {
    assertEquals(
        "invalid at gps.hdop: no such field: gps.hdop.",
        BigQueryErrors.describeRowErrors(
            List.of(
                new BigQueryError("invalid", "gps.hdop", "no such field: gps.hdop."),
                error("stopped"))));
    assertEquals(
        "invalid at value_int",
        BigQueryErrors.reasonsOnly(
            List.of(new BigQueryError("invalid", "value_int", "Cannot convert 'secret' to int"))));
    assertEquals(
        "HTTP 404 notFound: Not found",
        BigQueryErrors.describe(new BigQueryException(404, "Not found", error("notFound"))));
    assertEquals(
        "I/O error (timed out or interrupted)",
        BigQueryErrors.describe(
            new BigQueryException(
                0, "java.lang.InterruptedException", new InterruptedException())));
    assertEquals(
        "I/O error (ConnectException)",
        BigQueryErrors.describe(new BigQueryException(new ConnectException("refused"))));
  }
}
