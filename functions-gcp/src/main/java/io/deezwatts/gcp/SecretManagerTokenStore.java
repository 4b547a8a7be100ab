package io.deezwatts.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * The session in a Secret Manager secret: read from its latest version; a save adds a version. Put
 * it there once after {@code deezwatts rivian login}: {@code gcloud secrets versions add S
 * --data-file=data/rivian-session.json}.
 */
final class SecretManagerTokenStore implements TokenStore {
  /** The Secret Manager secret holding the session, {@code projects/P/secrets/S}. */
  static final String SECRET_VARIABLE = "DEEZWATTS_RIVIAN_SECRET";

  private final String secret;

  SecretManagerTokenStore(String secret) {
    if (!secret.matches("projects/[^/]+/secrets/[^/]+")) {
      throw new SettingException(
          SECRET_VARIABLE,
          SECRET_VARIABLE + " must look like projects/PROJECT/secrets/SECRET",
          null);
    }
    this.secret = secret;
  }

  /**
   * The store the settings name: this one when {@code DEEZWATTS_RIVIAN_SECRET} is set, else the
   * file {@code DEEZWATTS_RIVIAN_TOKEN_FILE}.
   *
   * @throws SettingException when the secret's name is malformed
   */
  static TokenStore fromEnvironment(Map<String, String> env) {
    String secret = env.get(SECRET_VARIABLE);
    return secret == null || secret.isBlank()
        ? FileTokenStore.fromEnvironment(env)
        : new SecretManagerTokenStore(secret.trim());
  }

  /**
   * Reads the latest version.
   *
   * @return empty when the secret or its versions do not exist
   * @throws IOException when Secret Manager cannot be reached or refuses
   */
  @Override
  public Optional<RivianSession> load() throws IOException {
    try (SecretManagerServiceClient c = SecretManagerServiceClient.create()) {
      byte[] data =
          c.accessSecretVersion(secret + "/versions/latest").getPayload().getData().toByteArray();
      return Optional.of(SessionJson.read(data, secret));
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (ApiException e) {
      throw new IOException(
          "Secret Manager refused to read " + secret + ": " + e.getStatusCode().getCode(), e);
    }
  }

  /**
   * Adds a version holding the session.
   *
   * @throws IOException when Secret Manager cannot be reached or refuses
   */
  @Override
  public void save(RivianSession session) throws IOException {
    try (SecretManagerServiceClient c = SecretManagerServiceClient.create()) {
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

  @Override
  public String describe() {
    return secret;
  }
}
