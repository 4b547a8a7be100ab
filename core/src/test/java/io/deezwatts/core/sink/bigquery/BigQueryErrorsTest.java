package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParseException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How each BigQuery error is classified; the HTTP round trips are in {@link BigQuerySinkTest}. */
class BigQueryErrorsTest {
  private static RowError error(String reason) {
    return new RowError(reason, "", "message of " + reason);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"backendError", "internalError", "rateLimitExceeded", "quotaExceeded", "timeout"})
  void transientReasonsAreTransientAtRequestAndRowLevel(String reason) {
    assertTrue(
        BigQueryErrors.isTransient(InsertAllException.http(403, "x", List.of(error(reason)))));
    assertTrue(
        BigQueryErrors.isTransient(InsertAllException.http(400, "x", List.of(error(reason)))));
    assertTrue(BigQueryErrors.isTransientRowError(List.of(error(reason))));
    assertFalse(BigQueryErrors.isInvalidRow(List.of(error(reason))));
    assertFalse(BigQueryErrors.isStopped(List.of(error(reason))));
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 502, 503, 504})
  void http429And5xxAreTransient(int code) {
    assertTrue(BigQueryErrors.isTransient(InsertAllException.http(code, "x", List.of())));
  }

  @ParameterizedTest
  @ValueSource(strings = {"notFound", "accessDenied", "invalid", "badRequest", "duplicate"})
  void otherClientErrorsArePermanent(String reason) {
    assertFalse(
        BigQueryErrors.isTransient(InsertAllException.http(400, "x", List.of(error(reason)))));
    assertFalse(
        BigQueryErrors.isTransient(InsertAllException.http(404, "x", List.of(error(reason)))));
    assertFalse(
        BigQueryErrors.isTransient(InsertAllException.http(403, "x", List.of(error(reason)))));
    assertFalse(BigQueryErrors.isTransient(InsertAllException.http(401, "x", List.of())));
  }

  @Test
  void ioFailuresAreTransientSocketTimeoutsIncluded() {
    assertTrue(BigQueryErrors.isTransient(InsertAllException.io(new ConnectException("refused"))));
    assertTrue(
        BigQueryErrors.isTransient(InsertAllException.io(new SocketTimeoutException("read"))));
    // An answer that is not BigQuery's JSON, say cut short by a proxy.
    assertTrue(
        BigQueryErrors.isTransient(
            InsertAllException.io(new JsonParseException(null, "Unexpected end-of-input"))));
    assertFalse(BigQueryErrors.isIoFailure(new IllegalStateException("no I/O here")));
    assertTrue(BigQueryErrors.isIoFailure(new RuntimeException(new IOException("x"))));
  }

  @Test
  void rowErrors() {
    List<RowError> invalid = List.of(new RowError("invalid", "gps.hdop", "no such field"));
    List<RowError> stopped = List.of(error("stopped"));
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
                new RowError("invalid", "gps.hdop", "no such field: gps.hdop."),
                error("stopped"))));
    assertEquals(
        "invalid at value_int",
        BigQueryErrors.reasonsOnly(
            List.of(new RowError("invalid", "value_int", "Cannot convert 'secret' to int"))));
    assertEquals(
        "HTTP 404 notFound: Not found",
        BigQueryErrors.describe(
            InsertAllException.http(404, "Not found", List.of(error("notFound")))));
    assertEquals(
        "I/O error (timed out)",
        BigQueryErrors.describe(
            InsertAllException.io(new SocketTimeoutException("Read timed out"))));
    assertEquals(
        "I/O error (ConnectException)",
        BigQueryErrors.describe(InsertAllException.io(new ConnectException("refused"))));
  }
}
