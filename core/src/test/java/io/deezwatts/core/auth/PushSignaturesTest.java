package io.deezwatts.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushSignatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signature check the push functions build from their environment. */
class PushSignaturesTest {
  @TempDir Path dir;

  private static final byte[] BODY = "[]".getBytes(StandardCharsets.UTF_8);

  private static String token(KeyPair keys, byte[] body) {
    return TestJwts.jwt(
        TestJwts.header("RS256", null),
        TestJwts.claims(body, Instant.now().getEpochSecond()),
        keys.getPrivate());
  }

  @Test
  void unsetMeansNoCheck() {
    assertNull(PushSignatures.fromEnvironment(Map.of()));
  }

  @Test
  void pemTextOrAFileOfKeys() throws Exception {
    KeyPair keys = TestJwts.rsa(2048);
    String pem = TestJwts.pem(keys.getPublic());
    PushEndpoint.SignatureCheck fromText =
        PushSignatures.fromEnvironment(Map.of("DEEZWATTS_SIGNATURE_PUBLIC_KEYS", pem));
    assertNull(fromText.problem(token(keys, BODY), BODY));
    assertNotNull(fromText.problem(token(keys, BODY), "[1]".getBytes(StandardCharsets.UTF_8)));
    assertNotNull(fromText.problem(null, BODY));

    Path file = Files.writeString(dir.resolve("keys.pem"), pem);
    PushEndpoint.SignatureCheck fromFile =
        PushSignatures.fromEnvironment(Map.of("DEEZWATTS_SIGNATURE_PUBLIC_KEYS", file.toString()));
    assertNull(fromFile.problem(token(keys, BODY), BODY));
    assertNotNull(fromFile.problem(token(TestJwts.rsa(2048), BODY), BODY), "another key");
  }

  @Test
  void malformedSettingsStopTheFunctionFromStarting() {
    KeyPair keys = TestJwts.rsa(2048);
    assertThrows(
        RuntimeException.class,
        () ->
            PushSignatures.fromEnvironment(
                Map.of("DEEZWATTS_SIGNATURE_PUBLIC_KEYS", "/no/such/file")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                PushSignatures.fromEnvironment(
                    Map.of(
                        "DEEZWATTS_SIGNATURE_PUBLIC_KEYS",
                        TestJwts.pem(keys.getPublic()),
                        "DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS",
                        "lots")));
    assertEquals(
        "DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS must be a whole number of seconds", e.getMessage());
  }
}
