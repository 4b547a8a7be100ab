package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.testing.rivian.FakeRivian;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RivianPollFunction} as Cloud Scheduler reaches it: on the real Functions Framework
 * invoker, against {@link FakeRivian} and a real DuckDB file. The answers every cloud shares are in
 * the adapter contract ({@code GcpAdapterContractIT}); these are the Google Cloud details.
 */
class RivianPollFunctionIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private FakeRivian rivian;
  private Map<String, String> settings;
  private InvokedFunction function;

  @BeforeEach
  void setUp() throws Exception {
    rivian = new FakeRivian();
    settings = new HashMap<>();
    settings.put("DEEZWATTS_RIVIAN_ENDPOINT", rivian.endpoint());
    settings.put("DEEZWATTS_SINK", "duckdb:" + dir.resolve("rivian.duckdb"));
    settings.put("DEEZWATTS_RIVIAN_TOKEN_FILE", dir.resolve("session.json").toString());
    new FileTokenStore(dir.resolve("session.json"))
        .save(
            new RivianSession(
                "csrf-1", "asess-1", "usess-1", "access-1", "refresh-1", Instant.now()));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (function != null) {
      function.close();
    }
    rivian.close();
  }

  @Test
  void aStoredPollAnswersItsCountsAsJson() throws Exception {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
    function = InvokedFunction.http(RivianPollFunction.class, settings);

    HttpResponse<String> r = function.post();

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = JSON.readTree(r.body());
    assertEquals("stored", body.path("status").asText());
    assertEquals(2, body.path("vehicles").asInt());
    assertEquals(2, body.path("stored").asInt());
    assertEquals(0, body.path("unchanged").asInt());
    assertTrue(body.path("warnings").isArray(), r.body());
    assertFalse(r.body().contains("usess-1") || function.logs().contains("usess-1"));
  }

  @Test
  void aMalformedSecretNameAnswers500AndTheLogNamesTheSetting() throws Exception {
    settings.put("DEEZWATTS_RIVIAN_SECRET", "rivian-session");
    function = InvokedFunction.http(RivianPollFunction.class, settings);

    HttpResponse<String> r = function.post();

    assertEquals(500, r.statusCode(), r.body());
    assertEquals("not_configured", JSON.readTree(r.body()).path("status").asText());
    assertTrue(
        function.logs().contains("fix the setting DEEZWATTS_RIVIAN_SECRET"), function.logs());
    assertTrue(rivian.requests().isEmpty(), "Rivian is not asked");
  }
}
