package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.testing.rivian.FakeRivian;
import io.deezwatts.testing.secretmanager.SecretManagerStandIn;
import io.grpc.Status;
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
 * invoker, against {@link FakeRivian} and a real DuckDB file, with the session in a file or in
 * {@link SecretManagerStandIn} (Secret Manager's gRPC service, reached by the real client). The
 * answers every cloud shares are in the adapter contract ({@code GcpAdapterContractIT}); these are
 * the Google Cloud details.
 */
class RivianPollFunctionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "projects/deezwatts-test/secrets/rivian-session";

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
  void aPollReadsTheSessionFromSecretManagerAndWritesNothingBack() throws Exception {
    try (SecretManagerStandIn secretManager = new SecretManagerStandIn()) {
      RivianSession session =
          new RivianSession(
              "csrf-sm", "asess-sm", "usess-sm", "access-sm", "refresh-sm", Instant.now());
      secretManager.addVersion(SECRET, SessionJson.write(session));
      rivian
          .answer("getUserInfo", "user-info-two-vehicles.json")
          .answer("GetVehicleState", "vehicle-state-r1t.json")
          .answer("GetVehicleState", "vehicle-state-r1s.json")
          .answer("getLiveSessionData", 400, "live-session-removed.json");
      function = InvokedFunction.http(RivianPollFunction.class, secretManager(secretManager));

      HttpResponse<String> r = function.post();

      assertEquals(200, r.statusCode(), r.body());
      assertEquals(2, JSON.readTree(r.body()).path("stored").asInt(), r.body());
      assertEquals("usess-sm", rivian.requests().get(0).header("U-Sess"), "the secret's session");
      assertEquals("asess-sm", rivian.requests().get(0).header("A-Sess"));
      // Read once; Rivian publishes no refresh flow, so a poll has nothing to save back.
      assertEquals(1, secretManager.accesses());
      assertEquals(0, secretManager.adds());
      assertEquals(1, secretManager.versions(SECRET).size());
      for (String token : new String[] {"csrf-sm", "asess-sm", "usess-sm", "access-sm"}) {
        assertFalse(r.body().contains(token) || function.logs().contains(token), token);
      }
    }
  }

  @Test
  void noSecretYetAnswers500AskingForALogin() throws Exception {
    try (SecretManagerStandIn secretManager = new SecretManagerStandIn()) {
      function = InvokedFunction.http(RivianPollFunction.class, secretManager(secretManager));

      HttpResponse<String> r = function.post();

      assertEquals(500, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      assertEquals("session_expired", body.path("status").asText());
      assertEquals(
          "no Rivian session is stored in " + SECRET + "; run `deezwatts rivian login` first",
          body.path("message").asText());
      assertEquals(1, secretManager.accesses());
      assertTrue(rivian.requests().isEmpty(), "Rivian is not asked");
    }
  }

  @Test
  void aSecretManagerRefusalAnswers500NamingTheSecretNeverTheToken() throws Exception {
    try (SecretManagerStandIn secretManager = new SecretManagerStandIn()) {
      secretManager.addVersion(
          SECRET,
          SessionJson.write(
              new RivianSession("csrf-sm", "asess-sm", "usess-sm", null, null, Instant.now())));
      secretManager.failWith(Status.Code.PERMISSION_DENIED);
      function = InvokedFunction.http(RivianPollFunction.class, secretManager(secretManager));

      HttpResponse<String> r = function.post();

      assertEquals(500, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      assertEquals("failed", body.path("status").asText());
      assertEquals(
          "cannot read the Rivian session: Secret Manager refused to read "
              + SECRET
              + ": PERMISSION_DENIED",
          body.path("message").asText());
      assertTrue(function.logs().contains("PERMISSION_DENIED"), function.logs());
      assertFalse(r.body().contains("usess-sm") || function.logs().contains("usess-sm"));
      assertTrue(rivian.requests().isEmpty(), "Rivian is not asked");
    }
  }

  /** The settings with the session in {@code secretManager} instead of the file. */
  private Map<String, String> secretManager(SecretManagerStandIn secretManager) {
    Map<String, String> s = new HashMap<>(settings);
    s.remove("DEEZWATTS_RIVIAN_TOKEN_FILE");
    s.put(RivianPollFunction.SECRET_VARIABLE, SECRET);
    s.putAll(secretManager.environment());
    return s;
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
