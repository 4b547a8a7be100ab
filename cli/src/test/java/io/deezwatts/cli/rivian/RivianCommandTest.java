package io.deezwatts.cli.rivian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.testing.rivian.FakeRivian;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code deezwatts rivian login|poll} against the fake Rivian, storing into a DuckDB file. */
class RivianCommandTest {
  @TempDir Path dir;
  FakeRivian rivian;
  Map<String, String> env;
  Path tokenFile;
  Path db;
  StringWriter err;

  @BeforeEach
  void setUp() {
    rivian = new FakeRivian();
    tokenFile = dir.resolve("data/rivian-session.json");
    db = dir.resolve("deezwatts.duckdb");
    env = new HashMap<>();
    env.put("DEEZWATTS_RIVIAN_ENDPOINT", rivian.endpoint());
    env.put("DEEZWATTS_RIVIAN_TOKEN_FILE", tokenFile.toString());
    env.put("DEEZWATTS_SINK", "duckdb:" + db);
    env.put("RIVIAN_USERNAME", "owner@example.com");
    env.put("RIVIAN_PASSWORD", "hunter2");
  }

  @AfterEach
  void stop() {
    rivian.close();
  }

  private int run(String... args) {
    err = new StringWriter();
    return new CommandLine(new RivianCommand(env))
        .setOut(new PrintWriter(new StringWriter()))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  @Test
  void loginWithoutMfaSavesTheSessionOwnerOnly() throws Exception {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "login-ok.json");

    assertEquals(0, run("login"));

    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
    String saved = Files.readString(tokenFile);
    assertTrue(saved.contains("usess-0a9b8c"));
    assertFalse(saved.contains("hunter2"));
    assertFalse(err.toString().contains("hunter2"));
    assertEquals(List.of("CreateCSRFToken", "Login"), rivian.operations());
    assertEquals("hunter2", rivian.requests().get(1).variables().path("password").asText());
  }

  @Test
  void loginWithMfaTakesTheCodeFromOtp() throws Exception {
    rivian
        .answer("CreateCSRFToken", "csrf.json")
        .answer("Login", "login-mfa.json")
        .answer("LoginWithOTP", "login-otp-ok.json");

    assertEquals(0, run("login", "--otp", "123456"));

    assertTrue(Files.readString(tokenFile).contains("usess-mfa-333"));
    FakeRivian.Request otp = rivian.requests().get(2);
    assertEquals("LoginWithOTP", otp.operationName());
    assertEquals("123456", otp.variables().path("otpCode").asText());
    assertEquals("otp-token-5e6f7a", otp.variables().path("otpToken").asText());
    assertEquals("owner@example.com", otp.variables().path("email").asText());
    assertEquals("asess-7d2e41", otp.header("A-Sess"));
  }

  @Test
  void aWrongOtpSavesNothing() {
    rivian
        .answer("CreateCSRFToken", "csrf.json")
        .answer("Login", "login-mfa.json")
        .answer("LoginWithOTP", "invalid-otp.json");

    assertEquals(1, run("login", "--otp", "000000"));

    assertFalse(Files.exists(tokenFile));
    assertTrue(err.toString().contains("INVALID_OTP"), err.toString());
  }

  @Test
  void loginWithoutCredentialsIsAUsageError() {
    env.remove("RIVIAN_PASSWORD");
    assertEquals(2, run("login"));
    assertTrue(rivian.requests().isEmpty());
  }

  @Test
  void pollOnceStoresOneRowPerVehicleAndAnUnchangedStateOnce() throws Exception {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "login-ok.json");
    assertEquals(0, run("login"));
    for (int i = 0; i < 2; i++) {
      rivian
          .answer("getUserInfo", "user-info-two-vehicles.json")
          .answer("GetVehicleState", "vehicle-state-r1t.json")
          .answer("GetVehicleState", "vehicle-state-r1s.json")
          .answer("getLiveSessionData", 400, "live-session-removed.json");
    }

    assertEquals(0, run("poll", "--once"));
    assertTrue(err.toString().contains("getLiveSessionData"), err.toString());
    assertEquals(0, run("poll", "--once"));

    List<String> rows = new ArrayList<>();
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard());
        Statement s = sink.connection().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT vehicle_id, vin, battery_level, distance_to_empty, charger_state,"
                    + " CAST(odometer AS BIGINT), gps.latitude, power_state, source, strftime(time,"
                    + " '%Y-%m-%dT%H:%M:%S.%gZ'), json_extract_string(payload,"
                    + " '$.vehicleState.data.vehicleState.gearStatus.value')"
                    + " FROM rivian_vehicle_states ORDER BY vehicle_id")) {
      while (rs.next()) {
        List<String> cols = new ArrayList<>();
        for (int c = 1; c <= 11; c++) {
          cols.add(rs.getString(c));
        }
        rows.add(String.join("|", cols));
      }
    }
    assertEquals(
        List.of(
            "01-226513452|7FCTGAAL1NN000123|53.400002|266.0|charging_ready|8928840|42.3601866"
                + "|sleep|rivian|2024-03-02T18:21:31.007Z|park",
            "01-229874561|7PDSGABA8PN004567|78.5|371.0|charging_active|15234012|37.7749295"
                + "|standby|rivian|2024-03-02T18:22:05.512Z|park"),
        rows);
  }

  @Test
  void aVehicleRivianKeepsRateLimitingMakesThePollPartial() throws Exception {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "login-ok.json");
    assertEquals(0, run("login"));
    // Retry-After beyond the poll's deadline: left for the next poll without a wait.
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json")
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "600"));

    assertEquals(3, run("poll", "--once"));

    assertTrue(
        err.toString().contains("partial: Rivian kept rate-limiting 01-229874561"), err.toString());
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard());
        Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT vehicle_id FROM rivian_vehicle_states")) {
      assertTrue(rs.next());
      assertEquals("01-226513452", rs.getString(1));
      assertFalse(rs.next());
    }
  }

  @Test
  void pollWithAnExpiredSessionSaysToLogInAgain() throws Exception {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "login-ok.json");
    assertEquals(0, run("login"));
    rivian.answer("getUserInfo", "unauthenticated.json");

    assertEquals(1, run("poll"));

    assertTrue(err.toString().contains("run `deezwatts rivian login` again"), err.toString());
    assertEquals(List.of("CreateCSRFToken", "Login", "getUserInfo"), rivian.operations());
  }

  @Test
  void pollWithoutASessionSaysToLogIn() {
    assertEquals(1, run("poll", "--once"));
    assertTrue(err.toString().contains("deezwatts rivian login"), err.toString());
    assertTrue(rivian.requests().isEmpty());
  }

  @Test
  void anIntervalUnderTheMinimumIsRefused() {
    assertEquals(2, run("poll", "--interval", "30"));
    assertTrue(err.toString().contains("minimum of 60 s"), err.toString());
    assertTrue(rivian.requests().isEmpty());
  }
}
