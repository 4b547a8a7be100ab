package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.sink.bigquery.BigQueryEnvironment.Api;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which API and endpoint the environment chooses; no network call is made. */
class BigQueryEnvironmentTest {
  private static final String API = BigQuerySink.API_VARIABLE;
  private static final String WRITE = BigQuerySink.WRITE_ENDPOINT_VARIABLE;
  private static final String REST = BigQuerySink.ENDPOINT_VARIABLE;

  @Test
  void storageWriteIsTheDefaultAndInsertAllIsSelectable() {
    assertEquals(Api.STORAGE_WRITE, BigQueryEnvironment.api(Map.of()));
    assertEquals(Api.STORAGE_WRITE, BigQueryEnvironment.api(Map.of(API, " Storage-Write ")));
    assertEquals(Api.INSERT_ALL, BigQueryEnvironment.api(Map.of(API, "insertall")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> BigQueryEnvironment.api(Map.of(API, "grpc")));
    assertTrue(e.getMessage().contains(API) && e.getMessage().contains("'grpc'"), e.getMessage());
  }

  @Test
  void aRestEndpointAloneMeansInsertAllSoAStandInIsNeverBypassed() {
    assertEquals(Api.INSERT_ALL, BigQueryEnvironment.api(Map.of(REST, "http://127.0.0.1:9050")));
    assertEquals(
        Api.STORAGE_WRITE,
        BigQueryEnvironment.api(Map.of(REST, "http://127.0.0.1:9050", WRITE, "127.0.0.1:9060")));
    assertEquals(
        Api.STORAGE_WRITE,
        BigQueryEnvironment.api(Map.of(REST, "http://127.0.0.1:9050", API, "storage-write")));
  }

  @Test
  void theWriteEndpointIsHostAndPort() {
    assertNull(BigQueryEnvironment.writeEndpoint(Map.of()));
    assertEquals(
        "127.0.0.1:9060", BigQueryEnvironment.writeEndpoint(Map.of(WRITE, " 127.0.0.1:9060")));
    assertEquals("[::1]:9060", BigQueryEnvironment.writeEndpoint(Map.of(WRITE, "[::1]:9060")));
    assertEquals("localhost:1", BigQueryEnvironment.writeEndpoint(Map.of(WRITE, "localhost:1")));
    for (String bad : new String[] {"http://127.0.0.1:9060", "127.0.0.1", "host:99999", "a b:1"}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> BigQueryEnvironment.writeEndpoint(Map.of(WRITE, bad)),
              bad);
      assertTrue(e.getMessage().contains(WRITE), e.getMessage());
    }
  }

  @Test
  void theSinkSaysWhereItWritesWithoutNetworkCalls() {
    try (Sink sink = Sinks.open("bigquery:proj.ds", Map.of(WRITE, "127.0.0.1:9"))) {
      assertEquals(
          "bigquery:proj.ds via grpc://127.0.0.1:9 (no credentials) (Storage Write API)",
          sink.describe());
    }
    try (Sink sink =
        Sinks.open("bigquery:proj.ds", Map.of(API, "insertall", REST, "http://127.0.0.1:9"))) {
      assertEquals("bigquery:proj.ds via http://127.0.0.1:9 (no credentials)", sink.describe());
    }
  }

  @Test
  void theStandInsSetTheVariablesTheSinkReads() {
    // The testing module knows nothing of core, so it spells the names out.
    assertEquals(REST, BigQueryStandIn.ENDPOINT_VARIABLE);
    assertEquals(WRITE, StorageWriteStandIn.WRITE_ENDPOINT_VARIABLE);
  }
}
