package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bigquery:PROJECT.DATASET} through {@link Sinks#open} and {@link java.util.ServiceLoader}.
 * Where a sink writes, WireMock ({@link BigQueryStandIn}) stands in for BigQuery's REST API, since
 * BigQuery has no local emulator here.
 */
class BigQuerySinkProviderTest {
  @Test
  void serviceLoaderFindsTheProviderAndTheSinkWritesToTheNamedDataset() throws Exception {
    try (BigQueryStandIn bigQuery = new BigQueryStandIn();
        Sink sink = Sinks.open("bigquery:proj.ds", bigQuery.environment())) {
      assertInstanceOf(BigQuerySink.class, sink);
      assertTrue(sink.describe().startsWith("bigquery:proj.ds via http://127.0.0.1:"));

      WriteResult r =
          sink.write(
              TestBulks.examples("data-streams", "car_ignition"), Instant.now().plusSeconds(30));

      assertEquals(1, r.rowsStored());
      // The stand-in only answers under /projects/proj/datasets/ds/; anything else is a 404.
      assertEquals(1, bigQuery.calls("vehicle_events").size());
      assertNull(bigQuery.calls().get(0).authorization());
    }
  }

  @Test
  void acceptsADomainScopedProject() {
    // No server needed: opening a sink makes no call.
    try (Sink sink =
        new BigQuerySinkProvider()
            .open(
                "example.com:my-project.deez_watts",
                Map.of(BigQuerySink.ENDPOINT_VARIABLE, "http://localhost:9050/"))) {
      assertEquals(
          "bigquery:example.com:my-project.deez_watts via http://localhost:9050 (no credentials)",
          sink.describe());
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bigquery:proj",
        "bigquery:proj.",
        "bigquery:.ds",
        "bigquery:proj.my-dataset",
        "bigquery:proj.ds.extra-",
        "bigquery:My Project.ds",
        "bigquery:"
      })
  void aMalformedLocationSaysWhatFormItTakes(String uri) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Sinks.open(uri, Map.of(BigQuerySink.ENDPOINT_VARIABLE, "http://localhost:1")));
    assertTrue(e.getMessage().contains("PROJECT.DATASET"), e.getMessage());
    assertTrue(e.getMessage().contains("bigquery:my-project.deezwatts"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:9050", "ftp://localhost:9050", "http://", "not a url"})
  void aMalformedEndpointIsRefused(String endpoint) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Sinks.open("bigquery:proj.ds", Map.of(BigQuerySink.ENDPOINT_VARIABLE, endpoint)));
    assertTrue(e.getMessage().contains(BigQuerySink.ENDPOINT_VARIABLE), e.getMessage());
  }

  @Test
  void endpointIsOptionalAndLosesTrailingSlashes() {
    assertNull(BigQueryEnvironment.endpoint(Map.of()));
    assertNull(BigQueryEnvironment.endpoint(Map.of(BigQuerySink.ENDPOINT_VARIABLE, "  ")));
    assertEquals(
        URI.create("http://localhost:9050"),
        BigQueryEnvironment.endpoint(
            Map.of(BigQuerySink.ENDPOINT_VARIABLE, "http://localhost:9050//")));
  }

  @Test
  void credentialsConfiguredBesideAnEndpointAreUsed() {
    // With GOOGLE_APPLICATION_CREDENTIALS set, the sink does not force anonymous access.
    try (Sink sink =
        new BigQuerySinkProvider()
            .open(
                "proj.ds",
                Map.of(
                    BigQuerySink.ENDPOINT_VARIABLE,
                    "http://localhost:9050",
                    BigQuerySink.CREDENTIALS_VARIABLE,
                    "/nonexistent/key.json"))) {
      assertEquals("bigquery:proj.ds via http://localhost:9050", sink.describe());
    }
  }

  @Test
  void optionsRefuseNonsense() {
    BigQuerySink.Options d = BigQuerySink.Options.DEFAULTS;
    assertEquals(5, d.maxAttempts());
    assertThrows(IllegalArgumentException.class, () -> d.withMaxAttempts(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> d.withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> d.withBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class, () -> d.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> d.withTimeouts(Duration.ofSeconds(1), Duration.ofDays(30)));
  }
}
