package io.deezwatts.core.rivian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.testing.rivian.FakeRivian;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RivianClientTest {
  static final Instant NOW = Instant.parse("2024-03-02T18:30:00Z");
  static final String EMAIL = "owner@example.com";
  static final String PASSWORD = "hunter2";

  private final FakeRivian rivian = new FakeRivian();
  private final RivianClient client =
      new RivianClient(rivian.endpoint(), Duration.ofSeconds(5), Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterEach
  void stop() {
    rivian.close();
  }

  /** The headers every request carries. */
  static void assertBaseHeaders(FakeRivian.Request r) {
    assertEquals(RivianClient.USER_AGENT, r.header("User-Agent"));
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("com.rivian.ios.consumer-apollo-ios", r.header("Apollographql-Client-Name"));
    assertTrue(
        r.header("dc-cid")
            .matches("m-ios-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
        r.header("dc-cid"));
  }

  @Test
  void logsInWithoutMfa() throws Exception {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "login-ok.json");

    LoginStep step = client.login(EMAIL, PASSWORD);

    RivianSession s = assertInstanceOf(LoginStep.LoggedIn.class, step).session();
    assertEquals("csrf-3f1c9a", s.csrfToken());
    assertEquals("asess-7d2e41", s.appSessionToken());
    assertEquals("usess-0a9b8c", s.userSessionToken());
    assertEquals("access-a1b2c3", s.accessToken());
    assertEquals("refresh-d4e5f6", s.refreshToken());
    assertEquals(NOW, s.createdAt());
    assertFalse(s.toString().contains("usess"));

    List<FakeRivian.Request> rs = rivian.requests();
    assertEquals(List.of("CreateCSRFToken", "Login"), rivian.operations());
    FakeRivian.Request csrf = rs.get(0);
    assertEquals(RivianClient.GATEWAY_PATH, csrf.path());
    assertBaseHeaders(csrf);
    assertTrue(csrf.variables().isNull());
    assertTrue(csrf.body().path("query").asText().contains("createCsrfToken"));
    assertNull(csrf.header("Csrf-Token"));
    assertNull(csrf.header("U-Sess"));

    FakeRivian.Request login = rs.get(1);
    assertEquals(RivianClient.GATEWAY_PATH, login.path());
    assertBaseHeaders(login);
    assertEquals("csrf-3f1c9a", login.header("Csrf-Token"));
    assertEquals("asess-7d2e41", login.header("A-Sess"));
    assertNull(login.header("U-Sess"));
    assertEquals(
        FakeRivian.JSON.valueToTree(Map.of("email", EMAIL, "password", PASSWORD)),
        login.variables());
  }

  @Test
  void logsInWithMfa() throws Exception {
    rivian
        .answer("CreateCSRFToken", "csrf.json")
        .answer("Login", "login-mfa.json")
        .answer("LoginWithOTP", "login-otp-ok.json");

    LoginStep.OtpRequired challenge =
        assertInstanceOf(LoginStep.OtpRequired.class, client.login(EMAIL, PASSWORD));
    assertFalse(challenge.toString().contains("otp-token"));
    RivianSession s = client.loginWithOtp(challenge, "123456");

    assertEquals("usess-mfa-333", s.userSessionToken());
    assertEquals("csrf-3f1c9a", s.csrfToken());
    assertEquals("asess-7d2e41", s.appSessionToken());
    assertEquals(List.of("CreateCSRFToken", "Login", "LoginWithOTP"), rivian.operations());
    FakeRivian.Request otp = rivian.requests().get(2);
    assertBaseHeaders(otp);
    assertEquals("csrf-3f1c9a", otp.header("Csrf-Token"));
    assertEquals("asess-7d2e41", otp.header("A-Sess"));
    assertEquals(
        FakeRivian.JSON.valueToTree(
            Map.of("email", EMAIL, "otpCode", "123456", "otpToken", "otp-token-5e6f7a")),
        otp.variables());
  }

  @Test
  void wrongOtpIsTypedAndTheSameChallengeCanBeAnsweredAgain() throws Exception {
    rivian
        .answer("CreateCSRFToken", "csrf.json")
        .answer("Login", "login-mfa.json")
        .answer("LoginWithOTP", "invalid-otp.json")
        .answer("LoginWithOTP", "login-otp-ok.json");
    LoginStep.OtpRequired challenge = (LoginStep.OtpRequired) client.login(EMAIL, PASSWORD);

    RivianException.InvalidOtp e =
        assertThrows(
            RivianException.InvalidOtp.class, () -> client.loginWithOtp(challenge, "000000"));
    assertEquals("INVALID_OTP", e.code());
    assertFalse(e.getMessage().contains("000000"));

    assertEquals("usess-mfa-333", client.loginWithOtp(challenge, "123456").userSessionToken());
  }

  @Test
  void expiredOtpTokenSaysToLogInAgain() throws Exception {
    rivian
        .answer("CreateCSRFToken", "csrf.json")
        .answer("Login", "login-mfa.json")
        .answer("LoginWithOTP", "otp-expired.json");
    LoginStep.OtpRequired challenge = (LoginStep.OtpRequired) client.login(EMAIL, PASSWORD);

    RivianException e =
        assertThrows(RivianException.OtpExpired.class, () -> client.loginWithOtp(challenge, "1"));
    assertTrue(e.getMessage().contains("deezwatts rivian login"));
  }

  @Test
  void badCredentialsNeverEchoThePassword() {
    rivian.answer("CreateCSRFToken", "csrf.json").answer("Login", "bad-credentials.json");

    RivianException e =
        assertThrows(RivianException.BadInput.class, () -> client.login(EMAIL, PASSWORD));
    assertEquals("INVALID_CREDENTIALS", e.code());
    assertFalse(e.getMessage().contains(PASSWORD));
  }

  @Test
  void rivianMessagesAreRedacted() {
    assertEquals(
        "got [redacted] for [redacted]",
        RivianClient.redact("got hunter2 for usess-1", List.of("hunter2", "usess-1")));
  }

  @Test
  void sessionManagerErrorIsRetryableLater() {
    rivian.answer("CreateCSRFToken", "session-manager-error.json");

    RivianException e =
        assertThrows(
            RivianException.SessionManagerError.class, () -> client.login(EMAIL, PASSWORD));
    assertEquals(RivianException.Retry.LATER, e.retry());
  }

  @Test
  void rateLimitInsideHttp200IsTyped() {
    rivian.answer("getUserInfo", 200, "rate-limit.json");

    RivianException e =
        assertThrows(RivianException.RateLimited.class, () -> client.userInfo(session()));
    assertEquals("RATE_LIMIT", e.code());
    assertEquals(RivianException.Retry.LATER, e.retry());
  }

  @Test
  void unauthenticatedSaysToLogInAgain() {
    rivian.answer("getUserInfo", "unauthenticated.json");

    RivianException e =
        assertThrows(RivianException.SessionExpired.class, () -> client.userInfo(session()));
    assertEquals(RivianException.Retry.NEVER, e.retry());
    assertTrue(e.getMessage().contains("run `deezwatts rivian login` again"), e.getMessage());
    assertFalse(e.getMessage().contains("usess"));
  }

  @Test
  void removedFieldIsASchemaRejection() {
    rivian.answer("getLiveSessionData", 400, "live-session-removed.json");

    RivianException e =
        assertThrows(
            RivianException.SchemaRejected.class,
            () -> client.liveSession(session(), "01-226513452"));
    assertTrue(e.getMessage().contains("Cannot query field \"getLiveSessionData\""));
    FakeRivian.Request r = rivian.requests().get(0);
    assertEquals(RivianClient.CHARGING_PATH, r.path());
    assertEquals("usess-0a9b8c", r.header("U-Sess"));
    assertEquals("01-226513452", r.variables().path("vehicleId").asText());
  }

  @Test
  void networkTimeoutIsUnavailable() {
    rivian.hang("getUserInfo");
    RivianClient impatient =
        new RivianClient(rivian.endpoint(), Duration.ofMillis(200), Clock.systemUTC());

    RivianException e =
        assertThrows(RivianException.Unavailable.class, () -> impatient.userInfo(session()));
    assertEquals("TIMEOUT", e.code());
    assertEquals(RivianException.Retry.LATER, e.retry());
  }

  @Test
  void httpErrorsAreClassified() {
    rivian.answer("getUserInfo", 502, "csrf.json"); // a body without errors
    RivianException e =
        assertThrows(RivianException.Unavailable.class, () -> client.userInfo(session()));
    assertEquals("HTTP_502", e.code());
  }

  @Test
  void endpointMustBeHttp() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RivianClient.fromEnvironment(Map.of(RivianClient.ENDPOINT_VARIABLE, "ftp://example")));
  }

  static RivianSession session() {
    return new RivianSession(
        "csrf-3f1c9a", "asess-7d2e41", "usess-0a9b8c", "access-a1b2c3", "refresh-d4e5f6", NOW);
  }
}
