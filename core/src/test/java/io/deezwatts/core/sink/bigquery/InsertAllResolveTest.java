package io.deezwatts.core.sink.bigquery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import io.deezwatts.testing.bigquery.TableReads.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requeue's resolutions through {@code insertAll}, against {@link BigQueryStandIn}: one row per
 * resolution in {@code quarantine_resolutions}, its key the insert id; listing against a REST
 * endpoint that has no such table fails permanently, naming it, and while BigQuery answers 503
 * transiently (run again).
 */
class InsertAllResolveTest {
  private static final BigQuerySink.Options FAST =
      BigQuerySink.Options.DEFAULTS
          .withBackoff(Duration.ZERO, Duration.ofMillis(1))
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

  private static BigQueryStandIn bigQuery;

  @BeforeAll
  static void start() {
    bigQuery = new BigQueryStandIn();
  }

  @AfterAll
  static void stop() {
    bigQuery.close();
  }

  @BeforeEach
  void reset() {
    bigQuery.reset();
  }

  @Test
  void eachResolutionIsARowKeyedByItsKey() throws Exception {
    Instant received = Instant.parse("2026-11-21T10:00:00.123456Z");
    Resolution stored =
        new Resolution(
            "0123456789abcdef0123456789abcdef",
            received,
            Instant.parse("2026-12-04T08:00:00Z"),
            Resolution.Outcome.STILL_QUARANTINED,
            "event 3 (gps): field 'lat' is missing",
            0,
            "run-1");
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      sink.resolve(List.of(stored), Instant.now().plusSeconds(30));
    }
    assertEquals(List.of(stored.key()), bigQuery.stored("quarantine_resolutions"));
    JsonNode row = bigQuery.calls("quarantine_resolutions").get(0).row(stored.key());
    assertEquals("0123456789abcdef0123456789abcdef", row.path("entry_key").asText());
    assertEquals("still_quarantined", row.path("outcome").asText());
    assertEquals("event 3 (gps): field 'lat' is missing", row.path("reason").asText());
    assertEquals("run-1", row.path("run_id").asText());
  }

  @Test
  void listingWhileBigQueryIsUnavailableIsTransient() {
    bigQuery.table("quarantine_resolutions", List.of(new Field("outcome", "STRING", "NULLABLE")));
    bigQuery
        .server()
        .stubFor(
            get(urlPathMatching(".*/tables/quarantine_resolutions/data"))
                .atPriority(1)
                .willReturn(
                    aResponse()
                        .withStatus(503)
                        .withBody(BigQueryStandIn.fixture("error-503-backend-error.json"))));
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      QuarantineStore store = sink;
      SinkException e =
          assertThrows(SinkException.class, () -> store.openEntries(null, null, 10, page -> {}));
      assertTrue(e.isTransient(), e.getMessage());
      assertTrue(e.getMessage().contains("503"), e.getMessage());
    }
  }

  @Test
  void listingWithoutTheTablesIsPermanentAndSaysWhere() {
    // The stand-in answers insertAll only: tables.get finds nothing, as before terraform ran.
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      QuarantineStore store = sink;
      SinkException e =
          assertThrows(SinkException.class, () -> store.openEntries(null, null, 10, page -> {}));
      assertTrue(!e.isTransient(), e.getMessage());
      assertTrue(e.getMessage().contains("/tables/quarantine_resolutions"), e.getMessage());
    }
  }
}
