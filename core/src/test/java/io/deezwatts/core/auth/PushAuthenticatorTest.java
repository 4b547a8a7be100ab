package io.deezwatts.core.auth;

import static io.deezwatts.core.auth.PushAuthenticator.Decision.ALLOWED;
import static io.deezwatts.core.auth.PushAuthenticator.Decision.DENIED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PushAuthenticatorTest {
  private static final String SECRET = "s3cr3t-Token_with.symbols~42";
  private static final PushAuthenticator AUTH = new PushAuthenticator(SECRET);

  private static String basic(String userAndPassword) {
    return "Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsBearer() {
    assertEquals(ALLOWED, AUTH.authenticate("Bearer " + SECRET));
  }

  @Test
  void schemeIsCaseInsensitiveAndSurroundingWhitespaceIsOptional() {
    assertEquals(ALLOWED, AUTH.authenticate("bearer " + SECRET));
    assertEquals(ALLOWED, AUTH.authenticate("BEARER " + SECRET));
    assertEquals(ALLOWED, AUTH.authenticate("  Bearer   " + SECRET + " \t"));
    assertEquals(ALLOWED, AUTH.authenticate(basic("u:" + SECRET).replace("Basic", "bAsIc")));
  }

  @Test
  void acceptsBasicWithAnyUser() {
    assertEquals(ALLOWED, AUTH.authenticate(basic("connectedcars:" + SECRET)));
    assertEquals(ALLOWED, AUTH.authenticate(basic("someone-else:" + SECRET)));
    assertEquals(ALLOWED, AUTH.authenticate(basic(":" + SECRET)));
  }

  @Test
  void basicPasswordIsEverythingAfterTheFirstColon() {
    PushAuthenticator colons = new PushAuthenticator("pa:ss:word");
    assertEquals(ALLOWED, colons.authenticate(basic("user:pa:ss:word")));
    assertEquals(DENIED, colons.authenticate(basic("user:pa:ss")));
    assertEquals(DENIED, colons.authenticate(basic("pa:ss:word")));
    assertEquals(ALLOWED, colons.authenticate("Bearer pa:ss:word"));
  }

  @Test
  void acceptsNonAsciiSecretsAsUtf8() {
    PushAuthenticator unicode = new PushAuthenticator("blåbærgrød");
    assertEquals(ALLOWED, unicode.authenticate("Bearer blåbærgrød"));
    assertEquals(ALLOWED, unicode.authenticate(basic("u:blåbærgrød")));
    String latin1 =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("u:blåbærgrød".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(DENIED, unicode.authenticate(latin1));
  }

  @Test
  void rejectsWrongSecret() {
    assertEquals(DENIED, AUTH.authenticate("Bearer wrong"));
    assertEquals(DENIED, AUTH.authenticate(basic("u:wrong")));
    assertEquals(DENIED, AUTH.authenticate("Bearer " + SECRET.toUpperCase()));
    assertEquals(DENIED, AUTH.authenticate(basic("u:" + SECRET.toUpperCase())));
  }

  @Test
  void rejectsPrefixAndExtension() {
    String prefix = SECRET.substring(0, SECRET.length() - 1);
    assertEquals(DENIED, AUTH.authenticate("Bearer " + prefix));
    assertEquals(DENIED, AUTH.authenticate("Bearer " + SECRET + "x"));
    assertEquals(DENIED, AUTH.authenticate("Bearer " + SECRET + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Bearer x" + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Bearer " + SECRET + " x"));
    assertEquals(DENIED, AUTH.authenticate(basic("u:" + prefix)));
    assertEquals(DENIED, AUTH.authenticate(basic("u:" + SECRET + "x")));
    assertEquals(DENIED, AUTH.authenticate(basic("u:" + SECRET + " ")));
  }

  @Test
  void rejectsBasicWithoutColon() {
    assertEquals(DENIED, AUTH.authenticate(basic(SECRET)));
    assertEquals(DENIED, AUTH.authenticate(basic("")));
  }

  @Test
  void rejectsSecretInTheUserPart() {
    assertEquals(DENIED, AUTH.authenticate(basic(SECRET + ":wrong")));
    assertEquals(DENIED, AUTH.authenticate(basic(SECRET + ":")));
  }

  @Test
  void rejectsBasicThatIsNotBase64() {
    assertEquals(DENIED, AUTH.authenticate("Basic u:" + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Basic %%%"));
  }

  @Test
  void rejectsOtherSchemes() {
    assertEquals(DENIED, AUTH.authenticate("Token " + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Digest " + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Bearer:" + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Bearer\t" + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Basic " + SECRET));
    assertEquals(DENIED, AUTH.authenticate("Bearer" + SECRET));
    assertEquals(DENIED, AUTH.authenticate(SECRET));
    assertEquals(DENIED, AUTH.authenticate(basic("u:" + SECRET).replace("Basic ", "Bearer ")));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", " ", "\t", "Bearer", "Bearer ", "Basic", "Basic ", "Basic  "})
  void rejectsMissingOrEmptyCredentials(String header) {
    assertEquals(DENIED, AUTH.authenticate(header));
  }

  @ParameterizedTest
  @NullSource
  @ValueSource(strings = {"", " ", "\t\n"})
  void refusesBlankSecret(String secret) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PushAuthenticator(secret));
    assertEquals("push secret must be set and not blank", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {SECRET + "\n", " " + SECRET, SECRET + "\t"})
  void refusesSecretWithSurroundingWhitespaceWithoutEchoingIt(String secret) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PushAuthenticator(secret));
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
  }

  @Test
  void toStringHidesTheSecret() {
    String s = AUTH.toString();
    assertFalse(s.contains(SECRET), s);
    assertFalse(s.contains("s3cr3t"), s);
    assertEquals("PushAuthenticator[schemes=Bearer,Basic, secret=<redacted>]", s);
  }
}
