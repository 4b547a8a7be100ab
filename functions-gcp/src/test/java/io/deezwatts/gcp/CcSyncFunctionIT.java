package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CcSyncFunction} as Cloud Scheduler reaches it: on the real Functions Framework invoker,
 * configured by its settings, against {@link FakeConnectedCars}. The answers every cloud shares are
 * in the adapter contract ({@code GcpAdapterContractIT}); these are the Google Cloud details.
 */
class CcSyncFunctionIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  FakeConnectedCars cc;
  InvokedFunction function;

  @AfterEach
  void stop() throws Exception {
    if (function != null) {
      function.close();
    }
    if (cc != null) {
      cc.close();
    }
  }

  private InvokedFunction start(String topics) throws Exception {
    Map<String, String> settings = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
    settings.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", topics);
    function = InvokedFunction.http(CcSyncFunction.class, settings);
    return function;
  }

  @Test
  void aScheduledPostAddsTheMissingStreamsThenAnOutageAnswers503() throws Exception {
    cc = new FakeConnectedCars();
    cc.consentRange(1, 3).topics(87, 88);
    cc.stream(2, 87);
    start("87,88");

    HttpResponse<String> r = function.post();

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = JSON.readTree(r.body());
    assertEquals("reconciled", body.get("status").asText());
    assertEquals(3, body.get("consented").asInt());
    assertEquals(1, body.get("existing").asInt());
    assertEquals(5, body.get("added").asInt());
    assertEquals(5, body.get("streams").size(), "each added stream, with its id");
    assertEquals(0, body.get("refused").size());
    assertEquals(6, cc.streams().size());
    assertEquals(
        Set.of(
            List.of(1L, 87L),
            List.of(1L, 88L),
            List.of(2L, 87L),
            List.of(2L, 88L),
            List.of(3L, 87L),
            List.of(3L, 88L)),
        cc.streamPairs());

    cc.down(true);
    HttpResponse<String> down = function.post();
    assertEquals(503, down.statusCode(), down.body());
    assertTrue(JSON.readTree(down.body()).get("retryable").asBoolean());
    String key = Files.readString(dir.resolve("cc-service-account.pem"));
    String keyLine = key.split("\n")[6];
    assertFalse(function.logs().contains(keyLine), "the key never reaches the log");
    assertFalse(down.body().contains(keyLine), "nor the answer");
    assertFalse(function.logs().contains("tok-1"), "nor a token");
  }

  @Test
  void onlyAPostReconciles() throws Exception {
    cc = new FakeConnectedCars();
    cc.consentRange(1, 2).topics(87);
    start("87");

    HttpResponse<String> r = function.send("GET", "/", Map.of(), null);

    assertEquals(405, r.statusCode(), r.body());
    assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
    assertTrue(cc.requests().isEmpty(), "Connected Cars is not asked");
  }

  @Test
  void aMalformedSettingAnswers500AndOnlyTheLogNamesIt() throws Exception {
    cc = new FakeConnectedCars();
    cc.consentRange(1, 2).topics(87);
    start("87,eighty-eight");

    HttpResponse<String> r = function.post();

    assertEquals(500, r.statusCode(), r.body());
    assertEquals("not_configured", JSON.readTree(r.body()).get("status").asText());
    assertFalse(r.body().contains("DEEZWATTS_CC"), "the setting is for the log: " + r.body());
    assertTrue(function.logs().contains("DEEZWATTS_CC_AUTO_STREAM_TOPICS"), function.logs());
  }
}
