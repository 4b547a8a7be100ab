package io.deezwatts.core.cc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Access tokens for a service account: a JWT signed with the account's key (RS256) is exchanged at
 * the auth API for a token that lives about an hour. The token is cached and replaced {@link
 * #REFRESH_MARGIN} before it expires, or at once after the API refused it. Thread-safe.
 */
final class ServiceAccountTokens {
  /** How long the signed JWT is valid, as Connected Cars' samples sign it. */
  static final Duration JWT_LIFETIME = Duration.ofHours(1);

  /** A token is replaced this long before it expires, so no call carries a token about to lapse. */
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

  /** Assumed when the auth API does not say when its token expires. */
  static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofHours(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServiceAccount account;
  private final String namespace;
  private final URI authEndpoint;
  private final HttpClient http;
  private final Duration timeout;
  private final Clock clock;

  private String token;
  private Instant refreshAt = Instant.MIN;

  ServiceAccountTokens(
      ServiceAccount account,
      String namespace,
      URI authEndpoint,
      HttpClient http,
      Duration timeout,
      Clock clock) {
    this.account = account;
    this.namespace = namespace;
    this.authEndpoint = authEndpoint;
    this.http = http;
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * A token valid for at least a few more minutes: the cached one, or a new one.
   *
   * @throws CcException.Unauthenticated when the auth API refuses the service account; {@link
   *     CcException.Unavailable} when it cannot be reached or fails (retryable)
   */
  synchronized String token() throws CcException {
    if (token == null || !clock.instant().isBefore(refreshAt)) {
      fetch();
    }
    return token;
  }

  /** Forgets {@code refused} (the API answered 401 to it), so the next call fetches a new one. */
  synchronized void refused(String refused) {
    if (refused.equals(token)) {
      token = null;
    }
  }

  private void fetch() throws CcException {
    Instant now = clock.instant();
    String jwt = signedJwt(now);
    String body = JSON.createObjectNode().put("token", jwt).toString();
    HttpRequest request =
        HttpRequest.newBuilder(authEndpoint)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("x-organization-namespace", namespace)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response =
        CcHttp.send(
            http, request, timeout, "login", "the auth API", "the auth API at " + authEndpoint);
    int status = response.statusCode();
    JsonNode json = readJson(response.body());
    String message = json == null ? null : serverMessage(json, jwt);
    if (status == 400 || status == 401 || status == 403) {
      throw new CcException.Unauthenticated("login", message == null ? "HTTP " + status : message);
    }
    if (status != 200 && status != 201) {
      throw new CcException.Unavailable(
          "login",
          "the auth API answered HTTP " + status + (message == null ? "" : ": " + message));
    }
    JsonNode t = json == null ? null : json.get("token");
    if (t == null || !t.isTextual() || t.asText().isEmpty()) {
      throw new CcException.Unavailable("login", "the auth API's answer holds no token");
    }
    Instant expires = now.plus(lifetime(json.get("expires"), now));
    Duration lifetime = Duration.between(now, expires);
    // A margin of at most half the lifetime, so a short-lived token is still used at all.
    Duration margin =
        lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) < 0
            ? lifetime.dividedBy(2)
            : REFRESH_MARGIN;
    token = t.asText();
    refreshAt = expires.minus(margin);
  }

  /**
   * The token's lifetime from {@code expires}: seconds from now (as Connected Cars documents it),
   * or, when the number is too large to be that, seconds since the epoch.
   */
  static Duration lifetime(JsonNode expires, Instant now) {
    if (expires == null || !expires.canConvertToLong() || expires.asLong() <= 0) {
      return DEFAULT_TOKEN_LIFETIME;
    }
    long v = expires.asLong();
    if (v > 1_000_000_000L) {
      Duration d = Duration.between(now, Instant.ofEpochSecond(v));
      return d.isNegative() ? Duration.ZERO : d;
    }
    return Duration.ofSeconds(v);
  }

  /**
   * The JWT the auth API exchanges for a token: RS256 with the file's kid, iss and aud, signed by
   * nimbus-jose-jwt.
   */
  String signedJwt(Instant now) {
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.RS256)
            .type(JOSEObjectType.JWT)
            .keyID(account.keyId())
            .build();
    Instant iat = Instant.ofEpochSecond(now.getEpochSecond());
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .audience(account.audience().toString())
            .issuer(account.issuer())
            .issueTime(Date.from(iat))
            .expirationTime(Date.from(iat.plus(JWT_LIFETIME)))
            .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      // Any RSA key the file holds, as before this used a library (weak keys are the vendor's).
      jwt.sign(new RSASSASigner(account.key(), true));
    } catch (JOSEException e) {
      // The key was checked to be RSA when the file was read, and every JDK has SHA256withRSA.
      throw new IllegalStateException("cannot sign the service account JWT with RS256", e);
    }
    return jwt.serialize();
  }

  private static JsonNode readJson(String body) {
    try {
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  /** A short message from an error body, with the JWT removed should the server echo it. */
  private static String serverMessage(JsonNode json, String jwt) {
    String m = null;
    for (String field : new String[] {"message", "error", "error_description"}) {
      JsonNode v = json.get(field);
      if (v != null && v.isTextual() && !v.asText().isBlank()) {
        m = v.asText();
        break;
      }
    }
    return m == null ? null : GraphQlErrors.redact(m, jwt);
  }
}
