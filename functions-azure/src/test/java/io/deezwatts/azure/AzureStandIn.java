package io.deezwatts.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A local HTTP server playing two Azure parties with their real wire formats: App Service's managed
 * identity endpoint (API 2019-08-01) and Key Vault's secrets REST API (7.4), which only accepts the
 * token the identity endpoint issued for {@code https://vault.azure.net}.
 */
final class AzureStandIn implements AutoCloseable {
  static final String IDENTITY_HEADER = "identity-header-for-tests";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VAULT_TOKEN = "vault-access-token";

  private final HttpServer server;
  private final Map<String, List<String>> secrets = new HashMap<>();
  private final List<String> log = new ArrayList<>();
  private int forcedStatus;

  AzureStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/msi/token", this::identity);
    server.createContext("/secrets/", this::secret);
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The settings App Service gives an app with a managed identity. */
  Map<String, String> identityEnvironment() {
    return Map.of("IDENTITY_ENDPOINT", base() + "/msi/token", "IDENTITY_HEADER", IDENTITY_HEADER);
  }

  synchronized void putSecret(String name, String value) {
    secrets.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
  }

  synchronized List<String> versions(String name) {
    return List.copyOf(secrets.getOrDefault(name, List.of()));
  }

  synchronized List<String> log() {
    return List.copyOf(log);
  }

  /** Key Vault answers every request with this status and a Key Vault error body from now on. */
  synchronized void failWith(int status) {
    forcedStatus = status;
  }

  private synchronized void identity(HttpExchange x) throws IOException {
    String query = x.getRequestURI().getRawQuery();
    log.add("identity " + query);
    if (!IDENTITY_HEADER.equals(x.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
      reply(x, 401, "{\"error\":\"invalid identity header\"}");
      return;
    }
    String token =
        query.contains("resource=https%3A%2F%2Fvault.azure.net") ? VAULT_TOKEN : "other-token";
    reply(
        x,
        200,
        "{\"access_token\":\""
            + token
            + "\",\"expires_on\":\""
            + Instant.now().plusSeconds(3600).getEpochSecond()
            + "\",\"token_type\":\"Bearer\"}");
  }

  private synchronized void secret(HttpExchange x) throws IOException {
    String name = x.getRequestURI().getPath().substring("/secrets/".length());
    log.add(x.getRequestMethod() + " " + name + " " + x.getRequestURI().getRawQuery());
    if (!("Bearer " + VAULT_TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
      reply(x, 401, "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"no token\"}}");
      return;
    }
    if (forcedStatus != 0) {
      reply(x, forcedStatus, "{\"error\":{\"code\":\"Forbidden\",\"message\":\"denied\"}}");
      return;
    }
    if (x.getRequestMethod().equals("PUT")) {
      JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
      secrets.computeIfAbsent(name, k -> new ArrayList<>()).add(body.path("value").asText());
      reply(x, 200, bundle(name));
      return;
    }
    if (!secrets.containsKey(name)) {
      reply(
          x,
          404,
          "{\"error\":{\"code\":\"SecretNotFound\",\"message\":\"A secret with (name/id) "
              + name
              + " was not found in this key vault.\"}}");
      return;
    }
    reply(x, 200, bundle(name));
  }

  private String bundle(String name) {
    List<String> versions = secrets.get(name);
    ObjectNode b = JSON.createObjectNode();
    b.put("value", versions.get(versions.size() - 1));
    b.put("id", base() + "/secrets/" + name + "/v" + versions.size());
    b.putObject("attributes").put("enabled", true);
    return b.toString();
  }

  private static void reply(HttpExchange x, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
