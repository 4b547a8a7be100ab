package io.deezwatts.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access tokens of an Azure Function App's managed identity, from the endpoint App Service gives
 * every app ({@code IDENTITY_ENDPOINT} with the {@code X-IDENTITY-HEADER} secret {@code
 * IDENTITY_HEADER}, API version 2019-08-01). One instance per process; tokens are cached per
 * resource and fetched again five minutes before they expire. Tokens are never logged.
 */
public final class AzureManagedIdentity {
  /** The endpoint App Service sets for apps with a managed identity. */
  public static final String ENDPOINT_VARIABLE = "IDENTITY_ENDPOINT";

  /** The secret header value App Service sets beside it. */
  public static final String HEADER_VARIABLE = "IDENTITY_HEADER";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EARLY = Duration.ofMinutes(5);

  private final URI endpoint;
  private final String header;
  private final HttpClient http;
  private final Clock clock;
  private final Map<String, Token> cache = new ConcurrentHashMap<>();

  AzureManagedIdentity(URI endpoint, String header, HttpClient http, Clock clock) {
    this.endpoint = endpoint;
    this.header = header;
    this.http = http;
    this.clock = clock;
  }

  /**
   * The identity of this app.
   *
   * @throws IllegalStateException when {@code IDENTITY_ENDPOINT} or {@code IDENTITY_HEADER} is not
   *     set: the app has no managed identity (terraform gives it one)
   */
  public static AzureManagedIdentity fromEnvironment(Map<String, String> env) {
    String endpoint = env.get(ENDPOINT_VARIABLE);
    String header = env.get(HEADER_VARIABLE);
    if (endpoint == null || endpoint.isBlank() || header == null || header.isBlank()) {
      throw new IllegalStateException(
          ENDPOINT_VARIABLE
              + " and "
              + HEADER_VARIABLE
              + " are not set: this app has no managed identity");
    }
    return new AzureManagedIdentity(
        URI.create(endpoint.trim()),
        header.trim(),
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(),
        Clock.systemUTC());
  }

  /**
   * An access token for {@code resource} (such as {@code https://vault.azure.net}).
   *
   * @throws IOException when the endpoint cannot be reached or refuses; transient unless the
   *     identity has no access to the resource (the message says which)
   */
  public String token(String resource) throws IOException {
    Token cached = cache.get(resource);
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cached.expires.minus(EARLY))) {
      return cached.value;
    }
    Token fresh = fetch(resource);
    cache.put(resource, fresh);
    return fresh.value;
  }

  private Token fetch(String resource) throws IOException {
    String separator = endpoint.getQuery() == null ? "?" : "&";
    URI uri =
        URI.create(
            endpoint
                + separator
                + "api-version=2019-08-01&resource="
                + URLEncoder.encode(resource, StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("X-IDENTITY-HEADER", header)
            .header("Metadata", "true")
            .GET()
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching a managed identity token", e);
    }
    if (response.statusCode() != 200) {
      throw new IOException(
          "the managed identity endpoint answered HTTP "
              + response.statusCode()
              + " for resource "
              + resource);
    }
    JsonNode body = JSON.readTree(response.body());
    String value = body.path("access_token").asText(null);
    if (value == null || value.isEmpty()) {
      throw new IOException("the managed identity endpoint returned no access_token");
    }
    long expiresOn = body.path("expires_on").asLong(0);
    Instant expires =
        expiresOn > 0
            ? Instant.ofEpochSecond(expiresOn)
            : clock.instant().plus(Duration.ofHours(1));
    return new Token(value, expires);
  }

  private record Token(String value, Instant expires) {
    @Override
    public String toString() {
      return "Token[expires=" + expires + "]"; // never the value
    }
  }
}
