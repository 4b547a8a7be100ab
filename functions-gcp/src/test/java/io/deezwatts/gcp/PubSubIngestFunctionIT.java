package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PubSubIngestFunction} on the real Functions Framework invoker, given the CloudEvent
 * Eventarc delivers for a published message (structured mode), storing into a real DuckDB file. A
 * 2xx acknowledges the message; anything else makes Pub/Sub redeliver it. (The emulator has no
 * Eventarc: the envelope is built by {@link InvokedFunction#publish} as the one {@code deezwatts
 * serve}'s tests replay.)
 */
class PubSubIngestFunctionIT {
  @TempDir Path dir;
  private Map<String, String> settings;
  private InvokedFunction function;

  @BeforeEach
  void setUp() {
    settings = new HashMap<>();
    settings.put("DEEZWATTS_SINK", "duckdb:" + dir.resolve("pubsub.duckdb"));
    settings.put("DEEZWATTS_FEED", "data-streams");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (function != null) {
      function.close();
    }
  }

  private HttpResponse<String> publish(byte[] bulk, String messageId) throws Exception {
    return function.publish(bulk, Map.of("feed", "data-streams"), messageId);
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("pubsub.duckdb"));
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void aPublishedBulkIsStoredWithItsMessageIdThenAcknowledged() throws Exception {
    function = InvokedFunction.cloudEvents(PubSubIngestFunction.class, settings);

    HttpResponse<String> r =
        publish(Files.readAllBytes(Path.of("../samples/data-streams.json")), "m-1");

    assertEquals(2, r.statusCode() / 100, r.statusCode() + " " + r.body());
    assertEquals(47, count("SELECT count(*) FROM vehicle_events WHERE message_id = 'm-1'"));
  }

  @Test
  void aBodyThatIsNotABulkIsQuarantinedRawAndAcknowledged() throws Exception {
    function = InvokedFunction.cloudEvents(PubSubIngestFunction.class, settings);

    HttpResponse<String> r =
        publish("{\"not\":\"a bulk\"}".getBytes(StandardCharsets.UTF_8), "m-2");

    assertEquals(2, r.statusCode() / 100, r.statusCode() + " " + r.body());
    assertEquals(1, count("SELECT count(*) FROM quarantine WHERE message_id = 'm-2'"));
  }

  @Test
  void aSinkFailingTransientlyIsNeverAcknowledged() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    settings.put("DEEZWATTS_SINK", "bigquery:contract-project.contract_dataset");
    settings.put("DEEZWATTS_BIGQUERY_ENDPOINT", "http://127.0.0.1:" + closed);
    settings.put("DEEZWATTS_DEADLINE_SECONDS", "2");
    function = InvokedFunction.cloudEvents(PubSubIngestFunction.class, settings);

    HttpResponse<String> r =
        publish(Files.readAllBytes(Path.of("../samples/data-streams.json")), "m-3");

    assertFalse(r.statusCode() / 100 == 2, "Pub/Sub must redeliver: " + r.statusCode());
  }

  @Test
  void aSinkSettingNoRetryCanFixIsNeverAcknowledgedAndTheLogNamesIt() throws Exception {
    settings.put("DEEZWATTS_SINK", "nosuch:somewhere");
    function = InvokedFunction.cloudEvents(PubSubIngestFunction.class, settings);

    HttpResponse<String> r =
        publish(Files.readAllBytes(Path.of("../samples/data-streams.json")), "m-4");

    assertFalse(r.statusCode() / 100 == 2, "Pub/Sub must redeliver: " + r.statusCode());
    assertTrue(function.logs().contains("fix the setting DEEZWATTS_SINK"), function.logs());
  }
}
