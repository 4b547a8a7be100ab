package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queries from another process while the file is held, over the real loopback channel. */
class QueryServerTest {
  @TempDir Path dir;

  @Test
  void aSelectRunsInTheHoldingProcessAndPrintsAsATable() throws Exception {
    Path file = dir.resolve("q.duckdb");
    try (DuckDbSink sink = new DuckDbSink(file, Catalog.standard())) {
      sink.write(DuckDbStoreTest.bulk(25, 1, "2026-11-20"), Instant.now().plusSeconds(60));
      RunningStore running = RunningStore.find(file).orElseThrow();
      RunningStore.Answer a =
          running
              .query(
                  "SELECT type, count(*) AS n, min(event_key) AS k FROM vehicle_events GROUP BY"
                      + " type")
              .orElseThrow();
      assertTrue(a.ok(), a.text());
      String[] lines = a.text().split("\n");
      assertEquals("type         | n  | k", lines[0]);
      assertTrue(lines[2].matches("gps_position \\| 25 \\| [0-9a-f]{32}"), lines[2]);
      assertEquals("(1 row)", lines[3]);
    }
  }

  @Test
  void writesAreRefusedAndNothingChanges() throws Exception {
    Path file = dir.resolve("ro.duckdb");
    try (DuckDbSink sink = new DuckDbSink(file, Catalog.standard())) {
      sink.write(DuckDbStoreTest.bulk(5, 1, "2026-11-20"), Instant.now().plusSeconds(60));
      RunningStore running = RunningStore.find(file).orElseThrow();
      for (String sql :
          new String[] {
            "DELETE FROM vehicle_events",
            "DROP TABLE vehicle_events",
            "SELECT 1; DELETE FROM vehicle_events",
            "COPY vehicle_events TO '" + dir.resolve("out.csv") + "'",
            "CREATE TABLE x AS SELECT 1"
          }) {
        RunningStore.Answer a = running.query(sql).orElseThrow();
        assertFalse(a.ok(), sql);
        assertTrue(a.text().startsWith("read-only"), sql + ": " + a.text());
      }
      assertEquals(
          "n\n-\n5\n(1 row)\n",
          running.query("SELECT count(*) AS n FROM vehicle_events").orElseThrow().text());
      // While a write is in progress the writer's connection is inside a transaction.
      sink.connection().setAutoCommit(false);
      try {
        RunningStore.Answer during =
            running.query("SELECT count(*) AS n FROM vehicle_events").orElseThrow();
        assertTrue(during.ok(), during.text());
      } finally {
        sink.connection().setAutoCommit(true);
      }
      RunningStore.Answer bad = running.query("SELECT nope FROM vehicle_events").orElseThrow();
      assertFalse(bad.ok());
      assertTrue(bad.text().contains("nope"), bad.text());
    }
  }

  @Test
  void theChannelIsLoopbackOnlyOwnerOnlyAndNeedsTheToken() throws Exception {
    Path file = dir.resolve("auth.duckdb");
    Path endpoint = LocalFiles.endpointOf(file);
    try (DuckDbSink sink = new DuckDbSink(file, Catalog.standard())) {
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint)));
      Properties p = new Properties();
      try (var in = Files.newBufferedReader(endpoint)) {
        p.load(in);
      }
      assertEquals(String.valueOf(ProcessHandle.current().pid()), p.getProperty("pid"));
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + p.getProperty("port") + "/sql");
      for (String auth : new String[] {null, "Bearer wrong", "Basic " + p.getProperty("token")}) {
        HttpRequest.Builder r =
            HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("SELECT 1"));
        if (auth != null) {
          r.header("Authorization", auth);
        }
        HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, res.statusCode(), String.valueOf(auth));
        assertFalse(res.body().contains(p.getProperty("token")));
      }
      // Refused from the header alone, before any of the body is read.
      try (Socket socket =
          new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(p.getProperty("port")))) {
        socket
            .getOutputStream()
            .write(
                ("POST /sql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + p.getProperty("token")
                        + "\r\nContent-Length: "
                        + (QueryServer.MAX_QUERY_BYTES + 1)
                        + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        String status =
            new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
      }
    }
    assertFalse(Files.exists(endpoint), "removed at close");
    assertTrue(RunningStore.find(file).isEmpty());
  }
}
