package io.deezwatts.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deezwatts.core.auth.AzureManagedIdentity;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The Rivian session in an Azure Key Vault secret, read and written over Key Vault's REST API (7.4)
 * with the Function App's managed identity: a save adds a version, a load reads the latest. Put it
 * there once after {@code deezwatts rivian login}: {@code az keyvault secret set --vault-name V
 * --name rivian-session --file data/rivian-session.json}. The identity needs Get and Set on
 * secrets; terraform grants both. Session contents are never logged.
 */
public final class KeyVaultTokenStore implements TokenStore {
  /** The setting naming the secret, {@code https://VAULT.vault.azure.net/secrets/NAME}. */
  public static final String SECRET_VARIABLE = "DEEZWATTS_RIVIAN_KEYVAULT_SECRET";

  /** The audience of Key Vault access tokens. */
  static final String KEY_VAULT_RESOURCE = "https://vault.azure.net";

  private static final String API_VERSION = "api-version=7.4";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI secret;
  private final AzureManagedIdentity identity;
  private final HttpClient http;

  KeyVaultTokenStore(URI secret, AzureManagedIdentity identity, HttpClient http) {
    this.secret = secret;
    this.identity = identity;
    this.http = http;
  }

  /**
   * The store the settings name.
   *
   * @throws IllegalArgumentException when {@code DEEZWATTS_RIVIAN_KEYVAULT_SECRET} is unset or not
   *     a secret URL without a version
   * @throws IllegalStateException when the app has no managed identity
   */
  public static KeyVaultTokenStore fromEnvironment(Map<String, String> env) {
    return new KeyVaultTokenStore(
        secretUri(env.get(SECRET_VARIABLE)),
        AzureManagedIdentity.fromEnvironment(env),
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  static URI secretUri(String value) {
    if (value == null || !value.trim().matches("https?://[^/]+/secrets/[A-Za-z0-9-]+/?")) {
      throw new SettingException(
          SECRET_VARIABLE,
          SECRET_VARIABLE
              + " must be a Key Vault secret URL without a version, such as"
              + " https://my-vault.vault.azure.net/secrets/rivian-session",
          null);
    }
    String v = value.trim();
    return URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
  }

  /**
   * Reads the latest version.
   *
   * @return empty when the secret does not exist yet or holds terraform's placeholder {@code {}}
   * @throws IOException when Key Vault cannot be reached or refuses (the message has its status and
   *     error code), or the value is not a session
   */
  @Override
  public Optional<RivianSession> load() throws IOException {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(uri()).GET());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw refusal("read", response);
    }
    String value = JSON.readTree(response.body()).path("value").asText(null);
    if (value == null || value.isBlank() || value.trim().equals("{}")) {
      // terraform creates the secret with a placeholder until the first `deezwatts rivian login`.
      return Optional.empty();
    }
    return Optional.of(SessionJson.read(value.getBytes(StandardCharsets.UTF_8), secret.toString()));
  }

  /**
   * Adds a version holding the session.
   *
   * @throws IOException when Key Vault cannot be reached ({@link TokenStore.Unavailable}, as for a
   *     429 or 5xx: a later run may succeed) or refuses; the previous version stays
   */
  @Override
  public void save(RivianSession session) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("value", new String(SessionJson.write(session), StandardCharsets.UTF_8));
    body.put("contentType", "application/json");
    HttpResponse<byte[]> response =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    if (response.statusCode() != 200) {
      throw refusal("write", response);
    }
  }

  @Override
  public String describe() {
    return "Key Vault secret " + secret;
  }

  private URI uri() {
    return URI.create(secret + "?" + API_VERSION);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException {
    String token = identity.token(KEY_VAULT_RESOURCE);
    try {
      return http.send(
          request
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token)
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling Key Vault", e);
    } catch (IOException e) {
      // No answer at all (refused, reset, timed out): a later run may reach it.
      throw new TokenStore.Unavailable(
          "Key Vault could not be reached for " + secret + ": " + e, e);
    }
  }

  private IOException refusal(String what, HttpResponse<byte[]> response) {
    String code;
    try {
      JsonNode error = JSON.readTree(response.body()).path("error");
      code = error.path("code").asText("");
    } catch (IOException e) {
      code = "";
    }
    String message =
        "Key Vault refused to "
            + what
            + " "
            + secret
            + ": HTTP "
            + response.statusCode()
            + (code.isEmpty() ? "" : " " + code);
    int status = response.statusCode();
    // Throttled or the service failing: a later run may succeed. A 401/403/404 needs a person.
    return status == 429 || status >= 500
        ? new TokenStore.Unavailable(message, null)
        : new IOException(message);
  }
}
