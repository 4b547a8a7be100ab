package io.deezwatts.core.push;

import io.deezwatts.core.auth.RequestSignatureException;
import io.deezwatts.core.auth.RequestSignatureVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Builds the optional {@code X-Request-Signature} check from the environment. */
public final class PushSignatures {
  private PushSignatures() {}

  /**
   * The check configured by {@code DEEZWATTS_SIGNATURE_PUBLIC_KEYS} (PEM public keys, or the path
   * of a file holding them) and {@code DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS} (default 300), or
   * null when no keys are configured.
   *
   * @throws IllegalArgumentException naming the variable when a value is malformed, so that a
   *     function refuses to start rather than accept unverified pushes
   */
  public static PushEndpoint.SignatureCheck fromEnvironment(Map<String, String> env) {
    String keys = env.get(PushSettings.SIGNATURE_KEYS);
    if (keys == null || keys.isBlank()) {
      return null;
    }
    if (!keys.contains("-----BEGIN")) {
      try {
        keys = Files.readString(Path.of(keys.trim()));
      } catch (IOException e) {
        throw new UncheckedIOException(
            PushSettings.SIGNATURE_KEYS + " is neither PEM text nor a readable file", e);
      }
    }
    RequestSignatureVerifier.Builder builder =
        RequestSignatureVerifier.builder().addPublicKeys(keys);
    String tolerance = env.get(PushSettings.SIGNATURE_TOLERANCE_SECONDS);
    if (tolerance != null && !tolerance.isBlank()) {
      try {
        builder.tolerance(Duration.ofSeconds(Long.parseLong(tolerance.trim())));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            PushSettings.SIGNATURE_TOLERANCE_SECONDS + " must be a whole number of seconds");
      }
    }
    RequestSignatureVerifier verifier = builder.build();
    return (header, body) -> {
      try {
        verifier.verify(header, body);
        return null;
      } catch (RequestSignatureException e) {
        return e.getMessage();
      }
    };
  }
}
