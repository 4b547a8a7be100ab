package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token exchange a function on Azure makes to reach BigQuery, against one local HTTP server
 * playing the three parties with their real wire formats: App Service's managed identity endpoint,
 * Google's STS and the IAM credentials API.
 */
class WorkloadIdentityTest {
  private static final String AUDIENCE =
      "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/azure/providers/app";
  private static final String RESOURCE = "api://deezwatts-bigquery";

  private HttpServer server;
  private String base;
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, String> stsForm = new HashMap<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/msi/token",
        x -> {
          calls.add(
              "msi "
                  + x.getRequestURI().getRawQuery()
                  + " "
                  + x.getRequestHeaders().getFirst("X-IDENTITY-HEADER"));
          long expires = Instant.now().plusSeconds(3600).getEpochSecond();
          reply(
              x,
              "{\"access_token\":\"azure-jwt\",\"expires_on\":\""
                  + expires
                  + "\",\"resource\":\""
                  + RESOURCE
                  + "\",\"token_type\":\"Bearer\"}");
        });
    server.createContext(
        "/sts/v1/token",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          for (String pair : body.split("&")) {
            String[] kv = pair.split("=", 2);
            stsForm.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
          }
          calls.add("sts");
          reply(
              x,
              "{\"access_token\":\"federated\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        });
    server.createContext(
        "/iam/v1/projects/-/serviceAccounts/",
        x -> {
          calls.add(
              "iam "
                  + x.getRequestURI().getPath()
                  + " "
                  + x.getRequestHeaders().getFirst("Authorization"));
          reply(
              x,
              "{\"accessToken\":\"service-account-token\",\"expireTime\":\""
                  + Instant.now().plusSeconds(3600)
                  + "\"}");
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void reply(HttpExchange x, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(200, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  /**
   * Google's hosts, resolved to the local server: https://sts.googleapis.com/v1/token is served at
   * /sts/v1/token and https://iamcredentials.googleapis.com/v1/... at /iam/v1/...
   */
  private HttpTransport localTransport() {
    return new NetHttpTransport.Builder()
        .setConnectionFactory(
            url -> {
              String prefix =
                  switch (url.getHost()) {
                    case "sts.googleapis.com" -> "/sts";
                    case "iamcredentials.googleapis.com" -> "/iam";
                    default -> throw new IOException("unexpected host " + url.getHost());
                  };
              return (HttpURLConnection)
                  URI.create(base + prefix + url.getFile()).toURL().openConnection();
            })
        .build();
  }

  private Map<String, String> env(boolean impersonate) {
    Map<String, String> env = new HashMap<>();
    env.put("DEEZWATTS_GCP_WIF_AUDIENCE", AUDIENCE);
    env.put("DEEZWATTS_GCP_WIF_TOKEN_RESOURCE", RESOURCE);
    env.put("IDENTITY_ENDPOINT", base + "/msi/token");
    env.put("IDENTITY_HEADER", "identity-header-secret");
    if (impersonate) {
      env.put("DEEZWATTS_GCP_SERVICE_ACCOUNT", "deezwatts-azure@proj.iam.gserviceaccount.com");
    }
    return env;
  }

  @Test
  void exchangesTheManagedIdentityTokenAndImpersonatesTheServiceAccount() throws IOException {
    GoogleCredentials credentials =
        WorkloadIdentity.fromEnvironment(env(true), this::localTransport);

    AccessToken token = credentials.refreshAccessToken();

    assertEquals("service-account-token", token.getTokenValue());
    assertTrue(calls.get(0).startsWith("msi "), calls.toString());
    assertTrue(calls.get(0).contains("resource=api%3A%2F%2Fdeezwatts-bigquery"), calls.get(0));
    assertTrue(calls.get(0).endsWith(" identity-header-secret"), calls.get(0));
    assertEquals("azure-jwt", stsForm.get("subject_token"));
    assertEquals(AUDIENCE, stsForm.get("audience"));
    assertEquals("urn:ietf:params:oauth:token-type:jwt", stsForm.get("subject_token_type"));
    assertEquals(
        "iam /iam/v1/projects/-/serviceAccounts/deezwatts-azure@proj.iam.gserviceaccount.com:generateAccessToken Bearer federated",
        calls.get(calls.size() - 1));
  }

  @Test
  void withoutAServiceAccountTheFederatedTokenIsUsedDirectly() throws IOException {
    GoogleCredentials credentials =
        WorkloadIdentity.fromEnvironment(env(false), this::localTransport);
    assertEquals("federated", credentials.refreshAccessToken().getTokenValue());
  }

  @Test
  void notConfiguredMeansApplicationDefaultCredentials() {
    assertNull(WorkloadIdentity.fromEnvironment(Map.of()));
  }

  @Test
  void anAudienceWithoutItsTokenResourceIsAClearError() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> WorkloadIdentity.fromEnvironment(Map.of("DEEZWATTS_GCP_WIF_AUDIENCE", AUDIENCE)));
    assertTrue(e.getMessage().contains("DEEZWATTS_GCP_WIF_TOKEN_RESOURCE"));
  }
}
