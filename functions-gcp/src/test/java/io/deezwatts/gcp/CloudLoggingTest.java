package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.log.RequestTrace;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Cloud Logging line format: what the function writes to standard output on Google Cloud. */
class CloudLoggingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CloudLogging format = new CloudLogging("my-project", "deezwatts-http");
  private final List<LogRecord> records = new ArrayList<>();
  private final Logger logger = Logger.getLogger("io.deezwatts.gcp.CloudLoggingTest");

  {
    logger.setUseParentHandlers(false);
    logger.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  @AfterEach
  void clearTrace() {
    RequestTrace.set(null);
  }

  private JsonNode line(LogRecord r) throws Exception {
    String text = format.format(r);
    assertTrue(text.endsWith("\n"));
    assertEquals(1, text.split("\n", -1).length - 1, "exactly one line: " + text);
    return JSON.readTree(text);
  }

  @Test
  void aBulkLineCarriesSeverityLabelsTraceAndItsFieldsAsJson() throws Exception {
    RequestTrace.set(RequestTrace.parse("4bf92f3577b34da6a3ce929d0e0e4736/1;o=1", null));
    LogFields.log(
        logger,
        Level.INFO,
        "bulk stored",
        "feed",
        "data-streams",
        "events",
        53,
        "reason",
        null,
        "request_id",
        "r \"7\"");

    JsonNode j = line(records.get(0));

    assertEquals("INFO", j.path("severity").asText());
    assertEquals(
        "bulk stored feed=data-streams events=53 request_id=\"r \\\"7\\\"\"",
        j.path("message").asText());
    assertEquals("data-streams", j.path("feed").asText());
    assertTrue(j.path("events").isIntegralNumber());
    assertEquals(53, j.path("events").asInt());
    assertFalse(j.has("reason"), "null fields are left out");
    assertEquals("r \"7\"", j.path("request_id").asText());
    assertEquals(
        "projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736",
        j.path("logging.googleapis.com/trace").asText());
    JsonNode labels = j.path("logging.googleapis.com/labels");
    assertEquals("deezwatts", labels.path("app").asText());
    assertEquals("deezwatts-http", labels.path("function").asText());
  }

  @Test
  void severitiesMapAndAStackTraceStaysInsideTheOneLine() throws Exception {
    logger.log(Level.SEVERE, "it broke", new IllegalStateException("boom\nsecond line"));
    logger.warning("careful");
    logger.fine("detail");

    JsonNode severe = line(records.get(0));
    assertEquals("ERROR", severe.path("severity").asText());
    assertTrue(severe.path("message").asText().contains("IllegalStateException: boom"));
    assertFalse(severe.has("logging.googleapis.com/trace"), "no request, no trace");
    assertEquals("WARNING", line(records.get(1)).path("severity").asText());
    assertEquals("DEBUG", CloudLogging.severity(Level.FINE));
  }

  @Test
  void traceIdsComeFromEitherHeader() {
    assertEquals(
        "4bf92f3577b34da6a3ce929d0e0e4736",
        RequestTrace.parse(null, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertEquals(null, RequestTrace.parse("not-a-trace", "garbage"));
  }
}
