package io.deezwatts.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The session in a Secret Manager secret: read from its latest version; a save adds a version. Put
 * it there once after {@code deezwatts rivian login}: {@code gcloud secrets versions add S
 * --data-file=data/rivian-session.json}.
 *
 * <p>It reaches Secret Manager with Application Default Credentials, or, when {@value
 * #ENDPOINT_VARIABLE} is set, a plaintext gRPC endpoint such as a local stand-in with no
 * credentials (as {@code PUBSUB_EMULATOR_HOST} does for Pub/Sub). Each call opens its own client: a
 * poll reads the session once, minutes after the last.
 */
final class SecretManagerTokenStore implements TokenStore {
  /** The Secret Manager secret holding the session, {@code projects/P/secrets/S}. */
  static final String SECRET_VARIABLE = "DEEZWATTS_RIVIAN_SECRET";

  /** {@code host:port} of a plaintext Secret Manager endpoint, for tests; unset in the cloud. */
  static final String ENDPOINT_VARIABLE = "DEEZWATTS_SECRETMANAGER_ENDPOINT";

  private final String secret;
  // Null: SecretManagerServiceClient.create(), the service itself with ADC.
  private final SecretManagerServiceSettings settings;

  SecretManagerTokenStore(String secret) {
    this(secret, null);
  }

  /**
   * A store reaching Secret Manager as {@code settings} say (null: the service with ADC).
   *
   * @throws SettingException when the secret's name is malformed
   */
  SecretManagerTokenStore(String secret, SecretManagerServiceSettings settings) {
    if (!secret.matches("projects/[^/]+/secrets/[^/]+")) {
      throw new SettingException(
          SECRET_VARIABLE,
          SECRET_VARIABLE + " must look like projects/PROJECT/secrets/SECRET",
          null);
    }
    this.secret = secret;
    this.settings = settings;
  }

  /**
   * The store the settings name: this one when {@code DEEZWATTS_RIVIAN_SECRET} is set, else the
   * file {@code DEEZWATTS_RIVIAN_TOKEN_FILE}.
   *
   * @throws SettingException when the secret's name or {@value #ENDPOINT_VARIABLE} is malformed
   */
  static TokenStore fromEnvironment(Map<String, String> env) {
    String secret = env.get(SECRET_VARIABLE);
    if (secret == null || secret.isBlank()) {
      return FileTokenStore.fromEnvironment(env);
    }
    String endpoint = env.get(ENDPOINT_VARIABLE);
    return new SecretManagerTokenStore(
        secret.trim(),
        endpoint == null || endpoint.isBlank()
            ? null
            : SecretManagerEndpoint.plaintext(ENDPOINT_VARIABLE, endpoint.trim()));
  }

  /**
   * Reads the latest version.
   *
   * @return empty when the secret or its versions do not exist
   * @throws IOException when Secret Manager cannot be reached or refuses (the message names the
   *     secret and the status code): {@link TokenStore.Unavailable} when a later run may succeed
   *     (UNAVAILABLE and the like, after the client's own retries for up to a minute), a plain
   *     IOException when it needs a person (PERMISSION_DENIED needs the service account's role).
   *     Also when the version does not hold a session.
   */
  @Override
  public Optional<RivianSession> load() throws IOException {
    try (SecretManagerServiceClient c = client()) {
      byte[] data =
          c.accessSecretVersion(secret + "/versions/latest").getPayload().getData().toByteArray();
      return Optional.of(SessionJson.read(data, secret));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (ApiException e) {
      String message =
          "Secret Manager refused to read " + secret + ": " + e.getStatusCode().getCode();
      throw FOR_NOW.contains(e.getStatusCode().getCode())
          ? new TokenStore.Unavailable(message, e)
          : new IOException(message, e);
    }
  }

  /**
   * Adds a version holding the session.
   *
   * @throws IOException when Secret Manager cannot be reached or refuses, NOT_FOUND when the secret
   *     was never created (the message names the secret and the status code); not retried, as an
   *     add is not idempotent
   */
  @Override
  public void save(RivianSession session) throws IOException {
    try (SecretManagerServiceClient c = client()) {
      c.addSecretVersion(
          secret,
          SecretPayload.newBuilder()
              .setData(ByteString.copyFrom(SessionJson.write(session)))
              .build());
    } catch (ApiException e) {
      throw new IOException(
          "Secret Manager refused to write " + secret + ": " + e.getStatusCode().getCode(), e);
    }
  }

  /** Codes that still stand after the client's retries but may not at the next run. */
  private static final Set<StatusCode.Code> FOR_NOW =
      EnumSet.of(
          StatusCode.Code.UNAVAILABLE,
          StatusCode.Code.DEADLINE_EXCEEDED,
          StatusCode.Code.RESOURCE_EXHAUSTED,
          StatusCode.Code.INTERNAL,
          StatusCode.Code.ABORTED);

  private SecretManagerServiceClient client() throws IOException {
    return settings == null
        ? SecretManagerServiceClient.create()
        : SecretManagerServiceClient.create(settings);
  }

  @Override
  public String describe() {
    return secret;
  }
}
