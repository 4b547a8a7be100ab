package io.deezwatts.core.rivian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rivian's GraphQL API over {@code java.net.http}: the login flow ({@code createCsrfToken}, {@code
 * Login}, {@code LoginWithOTP}) and the read-only queries a poll needs ({@code getUserInfo}, {@code
 * GetVehicleState}, {@code getLiveSessionData}). Every failure, including the errors Rivian puts
 * inside an HTTP 200, becomes a typed {@link RivianException}. Thread-safe; nothing it throws or
 * logs contains a password, a one-time code or a token.
 */
public final class RivianClient {
  /** The environment variable that replaces {@link #DEFAULT_ENDPOINT} (tests, proxies). */
  public static final String ENDPOINT_VARIABLE = "DEEZWATTS_RIVIAN_ENDPOINT";

  public static final String DEFAULT_ENDPOINT = "https://rivian.com";

  /** Auth, user and vehicle state. */
  public static final String GATEWAY_PATH = "/api/gql/gateway/graphql";

  /** Charging. */
  public static final String CHARGING_PATH = "/api/gql/chrg/user/graphql";

  /** The mobile app's identity, which the gateway expects. */
  public static final String USER_AGENT = "RivianApp/1304 CFNetwork/1404.0.5 Darwin/22.3.0";

  public static final String CLIENT_NAME = "com.rivian.ios.consumer-apollo-ios";

  /** How long one request may take before it fails as {@link RivianException.Unavailable}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

  static final String CSRF_QUERY =
      "mutation CreateCSRFToken { createCsrfToken { __typename csrfToken appSessionToken } }";

  static final String LOGIN_QUERY =
      "mutation Login($email: String!, $password: String!) { login(email: $email, password:"
          + " $password) { __typename ... on MobileLoginResponse { accessToken refreshToken"
          + " userSessionToken } ... on MobileMFALoginResponse { otpToken } } }";

  static final String OTP_QUERY =
      "mutation LoginWithOTP($email: String!, $otpCode: String!, $otpToken: String!) {"
          + " loginWithOTP(email: $email, otpCode: $otpCode, otpToken: $otpToken) { __typename"
          + " ... on MobileLoginResponse { accessToken refreshToken userSessionToken } } }";

  static final String USER_QUERY =
      "query getUserInfo { currentUser { __typename id vehicles { __typename id vin name"
          + " vehicle { __typename id vin modelYear make model } } } }";

  /** Vehicle-state properties, each asked as {@code name { __typename timeStamp value }}. */
  static final List<String> STATE_PROPERTIES =
      List.of(
          "batteryLevel",
          "batteryLimit",
          "batteryCapacity",
          "distanceToEmpty",
          "rangeThreshold",
          "chargerState",
          "chargerStatus",
          "chargerDerateStatus",
          "chargePortState",
          "remoteChargingAvailable",
          "timeToEndOfCharge",
          "powerState",
          "gearStatus",
          "driveMode",
          "vehicleMileage",
          "cabinClimateInteriorTemperature",
          "cabinClimateDriverTemperature",
          "cabinPreconditioningStatus",
          "petModeStatus",
          "doorFrontLeftLocked",
          "doorFrontLeftClosed",
          "doorFrontRightLocked",
          "doorFrontRightClosed",
          "doorRearLeftLocked",
          "doorRearLeftClosed",
          "doorRearRightLocked",
          "doorRearRightClosed",
          "closureFrunkLocked",
          "closureFrunkClosed",
          "closureLiftgateLocked",
          "closureLiftgateClosed",
          "closureTailgateLocked",
          "closureTailgateClosed",
          "closureTonneauLocked",
          "closureTonneauClosed",
          "gearGuardLocked",
          "tirePressureStatusFrontLeft",
          "tirePressureStatusFrontRight",
          "tirePressureStatusRearLeft",
          "tirePressureStatusRearRight",
          "otaCurrentVersion",
          "otaAvailableVersion",
          "otaStatus",
          "otaCurrentStatus");

  static final String STATE_QUERY = stateQuery();

  /** Live charging session fields; those with a value record are asked with one. */
  static final String LIVE_SESSION_QUERY =
      "query getLiveSessionData($vehicleId: ID!) { getLiveSessionData(vehicleId: $vehicleId) {"
          + " __typename chargerId startTime timeElapsed isFreeSession isRivianCharger"
          + " currentPrice currentCurrency"
          + " vehicleChargerState { __typename value updatedAt }"
          + " power { __typename value updatedAt }"
          + " kilometersChargedPerHour { __typename value updatedAt }"
          + " rangeAddedThisSession { __typename value updatedAt }"
          + " totalChargedEnergy { __typename value updatedAt }"
          + " timeRemaining { __typename value updatedAt } } }";

  private final URI gateway;
  private final URI charging;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  /**
   * A client for {@code endpoint} (scheme and host, such as {@code https://rivian.com}).
   *
   * @throws IllegalArgumentException when the endpoint is not an http(s) URI
   */
  public RivianClient(String endpoint, Duration timeout, Clock clock) {
    String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
    URI b = URI.create(base);
    if (!"https".equals(b.getScheme()) && !"http".equals(b.getScheme())) {
      throw new IllegalArgumentException(
          ENDPOINT_VARIABLE + " must be an http(s) URL, such as " + DEFAULT_ENDPOINT);
    }
    this.gateway = URI.create(base + GATEWAY_PATH);
    this.charging = URI.create(base + CHARGING_PATH);
    this.timeout = timeout;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * A client for the endpoint the environment names ({@link #ENDPOINT_VARIABLE}), else Rivian.
   *
   * @throws IllegalArgumentException when the variable is not an http(s) URL
   */
  public static RivianClient fromEnvironment(Map<String, String> env) {
    String e = env.get(ENDPOINT_VARIABLE);
    return new RivianClient(
        e == null || e.isBlank() ? DEFAULT_ENDPOINT : e.trim(), DEFAULT_TIMEOUT, Clock.systemUTC());
  }

  private static String stateQuery() {
    StringBuilder q =
        new StringBuilder(
            "query GetVehicleState($vehicleID: String!) { vehicleState(id: $vehicleID) {"
                + " __typename cloudConnection { __typename lastSync }"
                + " gnssLocation { __typename latitude longitude timeStamp }");
    for (String p : STATE_PROPERTIES) {
      q.append(' ').append(p).append(" { __typename timeStamp value }");
    }
    return q.append(" } }").toString();
  }

  // ---- login ----

  /**
   * Logs in with e-mail and password: {@code createCsrfToken}, then {@code Login}.
   *
   * @return the session, or the challenge to answer with {@link #loginWithOtp} when MFA is on
   * @throws RivianException.BadInput or {@link RivianException.SessionExpired} (UNAUTHENTICATED)
   *     for wrong credentials; {@link RivianException.RateLimited}, {@link
   *     RivianException.SessionManagerError} or {@link RivianException.Unavailable} when Rivian
   *     cannot answer now
   */
  public LoginStep login(String email, String password) throws RivianException {
    JsonNode csrf =
        call(gateway, "CreateCSRFToken", CSRF_QUERY, null, baseHeaders(), List.of())
            .path("data")
            .path("createCsrfToken");
    String csrfToken = requireText(csrf, "csrfToken", "CreateCSRFToken");
    String appSession = requireText(csrf, "appSessionToken", "CreateCSRFToken");
    ObjectNode vars = JSON.createObjectNode().put("email", email).put("password", password);
    Map<String, String> headers = baseHeaders();
    headers.put("Csrf-Token", csrfToken);
    headers.put("A-Sess", appSession);
    JsonNode login =
        call(gateway, "Login", LOGIN_QUERY, vars, headers, List.of(password, csrfToken, appSession))
            .path("data")
            .path("login");
    if (login.hasNonNull("otpToken")) {
      return new LoginStep.OtpRequired(
          email, login.get("otpToken").asText(), csrfToken, appSession);
    }
    return new LoginStep.LoggedIn(session(login, csrfToken, appSession, "Login"));
  }

  /**
   * Answers the MFA challenge with the one-time code.
   *
   * @throws RivianException.InvalidOtp for a wrong code (the same challenge may be answered again);
   *     {@link RivianException.OtpExpired} when the challenge is too old (log in again); {@link
   *     RivianException.Unavailable} and the like when Rivian cannot answer now
   */
  public RivianSession loginWithOtp(LoginStep.OtpRequired challenge, String otpCode)
      throws RivianException {
    ObjectNode vars =
        JSON.createObjectNode()
            .put("email", challenge.email())
            .put("otpCode", otpCode)
            .put("otpToken", challenge.otpToken());
    Map<String, String> headers = baseHeaders();
    headers.put("Csrf-Token", challenge.csrfToken());
    headers.put("A-Sess", challenge.appSessionToken());
    JsonNode login =
        call(
                gateway,
                "LoginWithOTP",
                OTP_QUERY,
                vars,
                headers,
                List.of(
                    otpCode,
                    challenge.otpToken(),
                    challenge.csrfToken(),
                    challenge.appSessionToken()))
            .path("data")
            .path("loginWithOTP");
    return session(login, challenge.csrfToken(), challenge.appSessionToken(), "LoginWithOTP");
  }

  private RivianSession session(JsonNode login, String csrf, String appSession, String operation)
      throws RivianException {
    return new RivianSession(
        csrf,
        appSession,
        requireText(login, "userSessionToken", operation),
        login.path("accessToken").asText(null),
        login.path("refreshToken").asText(null),
        clock.instant());
  }

  // ---- queries ----

  /**
   * {@code getUserInfo}: the account's vehicles.
   *
   * @return the whole response body ({@code data.currentUser.vehicles[]} has {@code id}, {@code
   *     vin}, {@code name} and {@code vehicle {modelYear make model}})
   * @throws RivianException.SessionExpired when the session is no longer valid; other {@link
   *     RivianException}s as classified
   */
  public JsonNode userInfo(RivianSession session) throws RivianException {
    return call(
        gateway, "getUserInfo", USER_QUERY, null, sessionHeaders(session), secrets(session));
  }

  /**
   * {@code GetVehicleState} for one vehicle.
   *
   * @return the whole response body, {@code data.vehicleState} holding the readings
   * @throws RivianException as classified (see {@link #userInfo})
   */
  public JsonNode vehicleState(RivianSession session, String vehicleId) throws RivianException {
    ObjectNode vars = JSON.createObjectNode().put("vehicleID", vehicleId);
    return call(
        gateway, "GetVehicleState", STATE_QUERY, vars, sessionHeaders(session), secrets(session));
  }

  /**
   * {@code getLiveSessionData} on the charging endpoint.
   *
   * @return the whole response body
   * @throws RivianException.SchemaRejected when Rivian's schema no longer has the query (it has
   *     been removed); other {@link RivianException}s as classified
   */
  public JsonNode liveSession(RivianSession session, String vehicleId) throws RivianException {
    ObjectNode vars = JSON.createObjectNode().put("vehicleId", vehicleId);
    return call(
        charging,
        "getLiveSessionData",
        LIVE_SESSION_QUERY,
        vars,
        sessionHeaders(session),
        secrets(session));
  }

  // ---- transport ----

  private static Map<String, String> baseHeaders() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("User-Agent", USER_AGENT);
    h.put("Accept", "application/json");
    h.put("Content-Type", "application/json");
    h.put("Apollographql-Client-Name", CLIENT_NAME);
    h.put("dc-cid", "m-ios-" + UUID.randomUUID());
    return h;
  }

  private static Map<String, String> sessionHeaders(RivianSession s) {
    Map<String, String> h = baseHeaders();
    h.put("Csrf-Token", s.csrfToken());
    h.put("A-Sess", s.appSessionToken());
    h.put("U-Sess", s.userSessionToken());
    return h;
  }

  private static List<String> secrets(RivianSession s) {
    List<String> out = new ArrayList<>();
    for (String t :
        new String[] {
          s.csrfToken(),
          s.appSessionToken(),
          s.userSessionToken(),
          s.accessToken(),
          s.refreshToken()
        }) {
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  private JsonNode call(
      URI uri,
      String operation,
      String query,
      JsonNode variables,
      Map<String, String> headers,
      List<String> secrets)
      throws RivianException {
    ObjectNode body = JSON.createObjectNode();
    body.put("operationName", operation);
    body.set("variables", variables == null ? JSON.nullNode() : variables);
    body.put("query", query);
    HttpRequest.Builder req =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    headers.forEach(req::header);
    HttpResponse<String> response;
    try {
      response = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new RivianException.Unavailable(
          operation + ": Rivian did not answer within " + timeout.toSeconds() + " s",
          "TIMEOUT",
          null);
    } catch (IOException e) {
      throw new RivianException.Unavailable(
          operation + ": cannot reach Rivian (" + e.getClass().getSimpleName() + ")",
          "NETWORK",
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RivianException.Unavailable(operation + ": interrupted", "INTERRUPTED", e);
    }
    int status = response.statusCode();
    JsonNode json = null;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      // Not JSON: classified by status below.
    }
    if (json != null && json.path("errors").isArray() && !json.path("errors").isEmpty()) {
      RivianException e = classify(operation, json.path("errors"), secrets);
      throw e instanceof RivianException.RateLimited
          ? new RivianException.RateLimited(operation, retryAfter(response))
          : e;
    }
    if (status == 429) {
      throw new RivianException.RateLimited(operation, retryAfter(response));
    }
    if (status == 401 || status == 403) {
      throw new RivianException.SessionExpired(operation, "HTTP_" + status);
    }
    if (status != 200 || json == null || !json.isObject()) {
      throw new RivianException.Unavailable(
          operation
              + ": Rivian answered HTTP "
              + status
              + (json == null ? " with a body that is not JSON" : ""),
          "HTTP_" + status,
          null);
    }
    return json;
  }

  /**
   * The wait a response's {@code Retry-After} header asks for, in seconds (capped at {@link
   * #MAX_RETRY_AFTER}); null when absent or an HTTP date.
   */
  static Duration retryAfter(HttpResponse<?> response) {
    String value = response.headers().firstValue("Retry-After").orElse("").trim();
    if (!value.matches("[0-9]{1,9}")) {
      return null;
    }
    Duration d = Duration.ofSeconds(Long.parseLong(value));
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  /** The longest {@code Retry-After} taken as given. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(30);

  /** The most telling of a response's errors, as a typed exception. */
  static RivianException classify(String operation, JsonNode errors, List<String> secrets) {
    RivianException best = null;
    int bestRank = Integer.MAX_VALUE;
    for (JsonNode e : errors) {
      String code = e.path("extensions").path("code").asText("");
      String reason = e.path("extensions").path("reason").asText("");
      String message = e.path("message").asText("");
      RivianException candidate;
      int rank;
      if (code.equals("RATE_LIMIT") || reason.equals("RATE_LIMIT")) {
        candidate = new RivianException.RateLimited(operation);
        rank = 0;
      } else if (code.equals("UNAUTHENTICATED") || reason.equals("UNAUTHENTICATED")) {
        candidate = new RivianException.SessionExpired(operation, "UNAUTHENTICATED");
        rank = 1;
      } else if (code.equals("SESSION_MANAGER_ERROR")) {
        candidate = new RivianException.SessionManagerError(operation);
        rank = 2;
      } else if (code.equals("OTP_TOKEN_EXPIRED") || reason.equals("OTP_TOKEN_EXPIRED")) {
        candidate = new RivianException.OtpExpired();
        rank = 3;
      } else if (code.equals("INVALID_OTP") || reason.equals("INVALID_OTP")) {
        candidate = new RivianException.InvalidOtp();
        rank = 4;
      } else if (code.equals("BAD_USER_INPUT")) {
        candidate = new RivianException.BadInput(operation, reason.isEmpty() ? code : reason);
        rank = 5;
      } else if (code.equals("GRAPHQL_VALIDATION_FAILED")
          || message.startsWith("Cannot query field")) {
        candidate = new RivianException.SchemaRejected(operation, redact(message, secrets));
        rank = 6;
      } else {
        candidate =
            new RivianException.Other(
                operation, code.isEmpty() ? "an error" : code, redact(message, secrets));
        rank = 7;
      }
      if (rank < bestRank) {
        best = candidate;
        bestRank = rank;
      }
    }
    return best;
  }

  /** Removes every secret of the request from a message Rivian wrote, and shortens it. */
  static String redact(String message, List<String> secrets) {
    String m = message;
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        m = m.replace(s, "[redacted]");
      }
    }
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }

  private static String requireText(JsonNode node, String field, String operation)
      throws RivianException {
    JsonNode v = node.path(field);
    if (!v.isTextual() || v.asText().isEmpty()) {
      throw new RivianException.Other(
          operation, "UNEXPECTED_RESPONSE", "the response has no " + field);
    }
    return v.asText();
  }
}
