package io.deezwatts.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.deezwatts.core.ingest.SettingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Client settings for a plaintext Secret Manager endpoint with no credentials, such as a local
 * stand-in. Its own class so that the gRPC classes it names load only when the endpoint is set.
 */
final class SecretManagerEndpoint {
  private static final Pattern HOST_PORT =
      Pattern.compile("(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(?<port>[0-9]{1,5})");

  private SecretManagerEndpoint() {}

  /**
   * Settings whose clients each open their own plaintext channel to {@code hostPort}.
   *
   * @param variable the setting that gave it, for the error
   * @throws SettingException when {@code hostPort} is not {@code host:port}
   */
  static SecretManagerServiceSettings plaintext(String variable, String hostPort) {
    Matcher m = HOST_PORT.matcher(hostPort);
    if (!m.matches() || Integer.parseInt(m.group("port")) > 65_535) {
      throw new SettingException(
          variable,
          variable + " must be host:port, such as 127.0.0.1:8085, not '" + hostPort + "'",
          null);
    }
    try {
      return SecretManagerServiceSettings.newBuilder()
          .setEndpoint(hostPort)
          .setTransportChannelProvider(
              SecretManagerServiceSettings.defaultGrpcTransportProviderBuilder()
                  .setChannelConfigurator(channel -> channel.usePlaintext())
                  .build())
          .setCredentialsProvider(NoCredentialsProvider.create())
          .build();
    } catch (IOException e) {
      // The builder declares it for credentials it would read; these settings read none.
      throw new UncheckedIOException(e);
    }
  }
}
