package io.deezwatts.core.auth;

import static io.deezwatts.core.auth.TestJwts.b64url;
import static io.deezwatts.core.auth.TestJwts.bodyHash;
import static io.deezwatts.core.auth.TestJwts.claims;
import static io.deezwatts.core.auth.TestJwts.ec;
import static io.deezwatts.core.auth.TestJwts.header;
import static io.deezwatts.core.auth.TestJwts.jwt;
import static io.deezwatts.core.auth.TestJwts.pem;
import static io.deezwatts.core.auth.TestJwts.rsa;
import static io.deezwatts.core.auth.TestJwts.sign;
import static io.deezwatts.core.auth.TestJwts.signingInput;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deezwatts.core.auth.RequestSignatureException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestSignatureVerifierTest {
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private static final long NOW_S = NOW.getEpochSecond();
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static final KeyPair RSA = rsa(2048);
  private static final KeyPair RSA_OTHER = rsa(2048);
  private static final KeyPair EC = ec("secp256r1");
  private static final KeyPair EC_OTHER = ec("secp256r1");

  private static final byte[] BODY =
      ("{\"id\":\"90123e1c\",\"type\":\"vehicle_activated\","
              + "\"data\":{\"vin\":\"WVWZZZ3HZKE123456\"}}")
          .getBytes(StandardCharsets.UTF_8);

  private static RequestSignatureVerifier verifier() {
    return RequestSignatureVerifier.builder()
        .addPublicKey("rsa-1", pem(RSA.getPublic()))
        .addPublicKey("ec-1", pem(EC.getPublic()))
        .clock(CLOCK)
        .build();
  }

  private static String rs256(ObjectNode claims) {
    return jwt(header("RS256", "rsa-1"), claims, RSA.getPrivate());
  }

  private static String es256(ObjectNode claims) {
    return jwt(header("ES256", "ec-1"), claims, EC.getPrivate());
  }

  private static RequestSignatureException rejects(
      RequestSignatureVerifier v, String token, byte[] body, Reason expected) {
    RequestSignatureException e =
        assertThrows(RequestSignatureException.class, () -> v.verify(token, body));
    assertEquals(expected, e.reason(), e.getMessage());
    return e;
  }

  private static RequestSignatureException rejects(String token, Reason expected) {
    return rejects(verifier(), token, BODY, expected);
  }

  /** A token over arbitrary header and payload texts, validly signed with the RS256 key. */
  private static String signedRaw(String headerJson, String payloadJson) {
    String input = signingInput(headerJson, payloadJson);
    return input + "." + b64url(sign("RS256", RSA.getPrivate(), input));
  }

  // ---- accepted ----

  @Test
  void acceptsRs256() {
    assertDoesNotThrow(() -> verifier().verify(rs256(claims(BODY, NOW_S)), BODY));
  }

  @Test
  void acceptsEs256() {
    assertDoesNotThrow(() -> verifier().verify(es256(claims(BODY, NOW_S)), BODY));
  }

  @Test
  void acceptsManyEs256SignaturesWhateverTheirLeadingBits() {
    // About half of all R and S values have their top bit set and need a DER zero pad.
    RequestSignatureVerifier v = verifier();
    for (int i = 0; i < 64; i++) {
      byte[] body = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
      String token = es256(claims(body, NOW_S));
      assertDoesNotThrow(() -> v.verify(token, body), "signature " + i);
    }
  }

  @Test
  void acceptsTokensWithoutKidByTryingEveryKeyOfTheAlg() {
    RequestSignatureVerifier v = verifier();
    String rsaToken = jwt(header("RS256", null), claims(BODY, NOW_S), RSA.getPrivate());
    String ecToken = jwt(header("ES256", null), claims(BODY, NOW_S), EC.getPrivate());
    assertDoesNotThrow(() -> v.verify(rsaToken, BODY));
    assertDoesNotThrow(() -> v.verify(ecToken, BODY));
  }

  @Test
  void keysWithoutKidServeTokensWhoseKidIsNotConfigured() throws Exception {
    RequestSignatureVerifier v =
        RequestSignatureVerifier.builder()
            .addPublicKeys(pem(RSA_OTHER.getPublic()) + "\n" + pem(RSA.getPublic()))
            .clock(CLOCK)
            .build();
    v.verify(jwt(header("RS256", "rotated-2025"), claims(BODY, NOW_S), RSA.getPrivate()), BODY);
    rejects(
        v,
        jwt(header("RS256", "rotated-2025"), claims(BODY, NOW_S), RSA_OTHER.getPrivate()),
        "other".getBytes(StandardCharsets.UTF_8),
        Reason.SUB_MISMATCH);
  }

  @Test
  void acceptsSubUnpaddedOrBase64Url() throws Exception {
    byte[] digest = Base64.getDecoder().decode(bodyHash(BODY));
    RequestSignatureVerifier v = verifier();
    for (String sub :
        new String[] {
          Base64.getEncoder().withoutPadding().encodeToString(digest),
          Base64.getUrlEncoder().encodeToString(digest),
          Base64.getUrlEncoder().withoutPadding().encodeToString(digest)
        }) {
      v.verify(rs256(claims(BODY, NOW_S).put("sub", sub)), BODY);
    }
  }

  @Test
  void acceptsEmptyBody() throws Exception {
    byte[] empty = new byte[0];
    verifier().verify(rs256(claims(empty, NOW_S)), empty);
    rejects(verifier(), rs256(claims(BODY, NOW_S)), empty, Reason.SUB_MISMATCH);
  }

  @Test
  void acceptsIatExactlyAtTheToleranceEitherSide() throws Exception {
    RequestSignatureVerifier v = verifier();
    v.verify(rs256(claims(BODY, NOW_S - 300)), BODY);
    v.verify(rs256(claims(BODY, NOW_S + 300)), BODY);
    v.verify(rs256(claims(BODY, NOW_S).put("iat", NOW_S + 299.5)), BODY);
  }

  @Test
  void stripsSurroundingWhitespaceFromTheHeaderValue() {
    assertDoesNotThrow(() -> verifier().verify("  " + rs256(claims(BODY, NOW_S)) + " ", BODY));
  }

  // ---- body, payload and key ----

  @Test
  void rejectsTamperedBody() {
    byte[] tampered = Arrays.copyOf(BODY, BODY.length);
    tampered[10] ^= 1;
    RequestSignatureException e =
        rejects(verifier(), rs256(claims(BODY, NOW_S)), tampered, Reason.SUB_MISMATCH);
    assertEquals("sub is not the SHA-256 of the request body", e.getMessage());
    rejects(verifier(), es256(claims(BODY, NOW_S)), tampered, Reason.SUB_MISMATCH);
  }

  @Test
  void rejectsTamperedPayloadEvenWhenItMatchesTheTamperedBody() {
    byte[] tampered = "{\"evil\":true}".getBytes(StandardCharsets.UTF_8);
    for (String token : new String[] {rs256(claims(BODY, NOW_S)), es256(claims(BODY, NOW_S))}) {
      String[] parts = token.split("\\.");
      String forged = parts[0] + "." + b64url(claims(tampered, NOW_S).toString()) + "." + parts[2];
      rejects(verifier(), forged, tampered, Reason.BAD_SIGNATURE);
    }
  }

  @Test
  void rejectsTamperedSignatureAndHeader() {
    String token = es256(claims(BODY, NOW_S));
    String[] parts = token.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[63] ^= 1;
    rejects(parts[0] + "." + parts[1] + "." + b64url(sig), Reason.BAD_SIGNATURE);

    String rsaToken = rs256(claims(BODY, NOW_S));
    String[] rsaParts = rsaToken.split("\\.");
    String otherHeader = b64url(header("RS256", "rsa-1").put("typ", "JOSE").toString());
    rejects(otherHeader + "." + rsaParts[1] + "." + rsaParts[2], Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsSignatureByAnotherKey() {
    RequestSignatureException e =
        rejects(
            jwt(header("RS256", "rsa-1"), claims(BODY, NOW_S), RSA_OTHER.getPrivate()),
            Reason.BAD_SIGNATURE);
    assertEquals("bad signature", e.getMessage());
    rejects(
        jwt(header("ES256", "ec-1"), claims(BODY, NOW_S), EC_OTHER.getPrivate()),
        Reason.BAD_SIGNATURE);
    rejects(
        jwt(header("ES256", null), claims(BODY, NOW_S), EC_OTHER.getPrivate()),
        Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsUnknownKid() {
    RequestSignatureException e =
        rejects(
            jwt(header("RS256", "rsa-2"), claims(BODY, NOW_S), RSA.getPrivate()),
            Reason.UNKNOWN_KEY);
    assertEquals("unknown kid", e.getMessage());
  }

  @Test
  void rejectsKidWhoseKeyDoesNotFitTheAlg() {
    rejects(
        jwt(header("RS256", "ec-1"), claims(BODY, NOW_S), RSA.getPrivate()), Reason.UNKNOWN_KEY);
    RequestSignatureVerifier rsaOnly =
        RequestSignatureVerifier.builder().addPublicKeys(pem(RSA.getPublic())).clock(CLOCK).build();
    rejects(
        rsaOnly,
        jwt(header("ES256", null), claims(BODY, NOW_S), EC.getPrivate()),
        BODY,
        Reason.UNKNOWN_KEY);
  }

  // ---- algorithms ----

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", ""})
  void rejectsAlgNone(String alg) {
    String unsigned =
        b64url("{\"alg\":\"" + alg + "\",\"kid\":\"rsa-1\"}")
            + "."
            + b64url(claims(BODY, NOW_S).toString())
            + ".";
    rejects(unsigned, Reason.UNSUPPORTED_ALGORITHM);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void rejectsHmacKeyedWithThePublicKey(String alg) throws Exception {
    // The classic confusion attack: HMAC keyed with the verifier's own (public) key material.
    String input = signingInput(header(alg, "rsa-1").toString(), claims(BODY, NOW_S).toString());
    String jca = "Hmac" + alg.replace("HS", "SHA");
    Mac mac = Mac.getInstance(jca);
    mac.init(new SecretKeySpec(pem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII), jca));
    String token = input + "." + b64url(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    RequestSignatureException e = rejects(token, Reason.UNSUPPORTED_ALGORITHM);
    assertEquals("unsupported alg (only RS256 and ES256 are accepted)", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS512", "PS256", "ES384", "EdDSA", "rs256"})
  void rejectsOtherAlgorithms(String alg) {
    String input = signingInput(header(alg, "rsa-1").toString(), claims(BODY, NOW_S).toString());
    rejects(
        input + "." + b64url(sign("RS256", RSA.getPrivate(), input)), Reason.UNSUPPORTED_ALGORITHM);
  }

  // ---- iat ----

  @Test
  void rejectsIatBeyondTolerance() {
    RequestSignatureException e =
        rejects(rs256(claims(BODY, NOW_S - 301)), Reason.IAT_OUT_OF_TOLERANCE);
    assertEquals("iat outside the accepted tolerance", e.getMessage());
    rejects(rs256(claims(BODY, NOW_S + 301)), Reason.IAT_OUT_OF_TOLERANCE);
    rejects(rs256(claims(BODY, NOW_S - 86_400)), Reason.IAT_OUT_OF_TOLERANCE);
    rejects(rs256(claims(BODY, 0)), Reason.IAT_OUT_OF_TOLERANCE);
    rejects(rs256(claims(BODY, NOW_S).put("iat", 1e15)), Reason.IAT_OUT_OF_TOLERANCE);
    rejects(rs256(claims(BODY, NOW_S).put("iat", -1e15)), Reason.IAT_OUT_OF_TOLERANCE);
    rejects(rs256(claims(BODY, NOW_S).put("iat", NOW_S + 300.5)), Reason.IAT_OUT_OF_TOLERANCE);
  }

  @Test
  void honoursAConfiguredTolerance() throws Exception {
    RequestSignatureVerifier strict =
        RequestSignatureVerifier.builder()
            .addPublicKey("rsa-1", pem(RSA.getPublic()))
            .tolerance(Duration.ofSeconds(30))
            .clock(CLOCK)
            .build();
    strict.verify(rs256(claims(BODY, NOW_S - 30)), BODY);
    rejects(strict, rs256(claims(BODY, NOW_S - 31)), BODY, Reason.IAT_OUT_OF_TOLERANCE);
    rejects(strict, rs256(claims(BODY, NOW_S + 31)), BODY, Reason.IAT_OUT_OF_TOLERANCE);
  }

  @Test
  void usesTheClockAtVerificationTime() throws Exception {
    String token = rs256(claims(BODY, NOW_S));
    RequestSignatureVerifier later =
        RequestSignatureVerifier.builder()
            .addPublicKey("rsa-1", pem(RSA.getPublic()))
            .clock(Clock.offset(CLOCK, Duration.ofMinutes(6)))
            .build();
    verifier().verify(token, BODY);
    rejects(later, token, BODY, Reason.IAT_OUT_OF_TOLERANCE);
  }

  @Test
  void rejectsMissingOrMistypedClaims() {
    rejects(rs256(claims(BODY, NOW_S).put("iat", "1714564800")), Reason.MALFORMED_TOKEN);
    rejects(rs256(claims(BODY, NOW_S).put("iat", true)), Reason.MALFORMED_TOKEN);
    ObjectNode noIat = claims(BODY, NOW_S);
    noIat.remove("iat");
    rejects(rs256(noIat), Reason.MALFORMED_TOKEN);
    ObjectNode noSub = claims(BODY, NOW_S);
    noSub.remove("sub");
    rejects(rs256(noSub), Reason.MALFORMED_TOKEN);
    ObjectNode numericSub = claims(BODY, NOW_S);
    numericSub.put("sub", 42);
    rejects(rs256(numericSub), Reason.MALFORMED_TOKEN);
  }

  @Test
  void rejectsSubThatIsNotABodyDigest() {
    byte[] digest = Base64.getDecoder().decode(bodyHash(BODY));
    String hex = new java.math.BigInteger(1, digest).toString(16);
    rejects(rs256(claims(BODY, NOW_S).put("sub", hex)), Reason.SUB_MISMATCH);
    rejects(
        rs256(claims(BODY, NOW_S).put("sub", b64url(Arrays.copyOf(digest, 31)))),
        Reason.SUB_MISMATCH);
    rejects(rs256(claims(BODY, NOW_S).put("sub", "not base64!")), Reason.SUB_MISMATCH);
    rejects(rs256(claims(BODY, NOW_S).put("sub", "")), Reason.SUB_MISMATCH);
  }

  // ---- malformed ----

  @Test
  void rejectsWrongNumberOfParts() {
    String[] parts = rs256(claims(BODY, NOW_S)).split("\\.");
    RequestSignatureException e = rejects(parts[0] + "." + parts[1], Reason.MALFORMED_TOKEN);
    assertEquals("malformed JWT: JWT must have exactly three parts", e.getMessage());
    rejects(parts[0], Reason.MALFORMED_TOKEN);
    rejects(String.join(".", parts) + "." + parts[2], Reason.MALFORMED_TOKEN);
    rejects("..", Reason.MALFORMED_TOKEN);
  }

  @Test
  void rejectsBadBase64() {
    String[] parts = rs256(claims(BODY, NOW_S)).split("\\.");
    rejects("!!" + parts[0] + "." + parts[1] + "." + parts[2], Reason.MALFORMED_TOKEN);
    rejects(parts[0] + "." + parts[1] + "*." + parts[2], Reason.MALFORMED_TOKEN);
    // 342 base64url characters plus three leaves a lone final character: no byte decodes from it.
    assertEquals(2, parts[2].length() % 4);
    rejects(parts[0] + "." + parts[1] + "." + parts[2] + "AAA", Reason.MALFORMED_TOKEN);
    // Standard-alphabet characters and padding are not base64url.
    rejects(parts[0] + "." + parts[1] + "." + parts[2] + "+/", Reason.MALFORMED_TOKEN);
    String paddedHeader =
        Base64.getUrlEncoder()
            .encodeToString(header("RS256", "rsa-1").toString().getBytes(StandardCharsets.UTF_8));
    if (!paddedHeader.endsWith("=")) {
      paddedHeader =
          Base64.getUrlEncoder()
              .encodeToString(
                  header("RS256", "rsa-12").toString().getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(paddedHeader.endsWith("="), paddedHeader);
    rejects(paddedHeader + "." + parts[1] + "." + parts[2], Reason.MALFORMED_TOKEN);
  }

  @Test
  void rejectsNonJsonHeaderAndPayload() {
    String payload = b64url(claims(BODY, NOW_S).toString());
    rejects(b64url("not json") + "." + payload + ".c2ln", Reason.MALFORMED_TOKEN);
    rejects(b64url("[\"RS256\"]") + "." + payload + ".c2ln", Reason.MALFORMED_TOKEN);
    rejects(
        b64url("{\"alg\":\"RS256\"} trailing") + "." + payload + ".c2ln", Reason.MALFORMED_TOKEN);
    rejects("." + payload + ".c2ln", Reason.MALFORMED_TOKEN);

    String headerJson = header("RS256", "rsa-1").toString();
    RequestSignatureException e =
        rejects(signedRaw(headerJson, "not json"), Reason.MALFORMED_TOKEN);
    assertEquals("malformed JWT: payload is not valid JSON", e.getMessage());
    rejects(signedRaw(headerJson, "\"a string\""), Reason.MALFORMED_TOKEN);
    rejects(signedRaw(headerJson, ""), Reason.MALFORMED_TOKEN);
  }

  @Test
  void rejectsDuplicateClaims() {
    String headerJson = header("RS256", "rsa-1").toString();
    String sub = bodyHash(BODY);
    String duplicated = "{\"sub\":\"" + sub + "\",\"iat\":" + NOW_S + ",\"sub\":\"" + sub + "\"}";
    rejects(signedRaw(headerJson, duplicated), Reason.MALFORMED_TOKEN);
    String fine = "{\"sub\":\"" + sub + "\",\"iat\":" + NOW_S + "}";
    assertDoesNotThrow(() -> verifier().verify(signedRaw(headerJson, fine), BODY));
  }

  @Test
  void rejectsBadHeaderFields() {
    String claimsJson = claims(BODY, NOW_S).toString();
    rejects(signedRaw("{\"typ\":\"JWT\",\"kid\":\"rsa-1\"}", claimsJson), Reason.MALFORMED_TOKEN);
    rejects(signedRaw("{\"alg\":256,\"kid\":\"rsa-1\"}", claimsJson), Reason.MALFORMED_TOKEN);
    rejects(signedRaw("{\"alg\":\"RS256\",\"kid\":1}", claimsJson), Reason.MALFORMED_TOKEN);
    rejects(
        signedRaw("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"]}", claimsJson),
        Reason.MALFORMED_TOKEN);
  }

  @Test
  void rejectsOverlongToken() {
    String token = rs256(claims(BODY, NOW_S).put("pad", "x".repeat(9000)));
    RequestSignatureException e = rejects(token, Reason.MALFORMED_TOKEN);
    assertEquals("malformed JWT: token too long", e.getMessage());
  }

  @Test
  void rejectsSignaturesOfTheWrongLength() {
    String[] es = es256(claims(BODY, NOW_S)).split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(es[2]);
    assertEquals(64, sig.length);
    for (byte[] wrong :
        new byte[][] {Arrays.copyOf(sig, 63), Arrays.copyOf(sig, 65), new byte[0], derOf(sig)}) {
      RequestSignatureException e =
          rejects(es[0] + "." + es[1] + "." + b64url(wrong), Reason.BAD_SIGNATURE);
      assertEquals("ES256 signature must be 64 bytes", e.getMessage());
    }
    String[] rs = rs256(claims(BODY, NOW_S)).split("\\.");
    byte[] rsaSig = Base64.getUrlDecoder().decode(rs[2]);
    rejects(rs[0] + "." + rs[1] + "." + b64url(Arrays.copyOf(rsaSig, 255)), Reason.BAD_SIGNATURE);
    rejects(rs[0] + "." + rs[1] + "." + b64url(Arrays.copyOf(rsaSig, 257)), Reason.BAD_SIGNATURE);
    rejects(rs[0] + "." + rs[1] + ".", Reason.BAD_SIGNATURE);
  }

  /** A DER signature in place of the raw one, as a careless signer might send. */
  private static byte[] derOf(byte[] raw) {
    try {
      return com.nimbusds.jose.crypto.impl.ECDSA.transcodeSignatureToDER(raw);
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void rejectsMissingHeader(String blank) {
    RequestSignatureException e = rejects(blank, Reason.MISSING_HEADER);
    assertEquals("missing X-Request-Signature header", e.getMessage());
    rejects(null, Reason.MISSING_HEADER);
  }

  @Test
  void rejectsNullBody() {
    assertThrows(
        NullPointerException.class, () -> verifier().verify(rs256(claims(BODY, NOW_S)), null));
  }

  @Test
  void failureMessagesNeverCarryTokenMaterial() {
    String token = jwt(header("RS256", "rsa-1"), claims(BODY, NOW_S), RSA_OTHER.getPrivate());
    String[] parts = token.split("\\.");
    byte[] tampered = "x".getBytes(StandardCharsets.UTF_8);
    for (RequestSignatureException e :
        new RequestSignatureException[] {
          rejects(token, Reason.BAD_SIGNATURE),
          rejects(verifier(), rs256(claims(BODY, NOW_S)), tampered, Reason.SUB_MISMATCH),
          rejects(parts[0] + "." + parts[1], Reason.MALFORMED_TOKEN),
          rejects(
              signedRaw(header("RS256", "rsa-1").toString(), "{\"sub\": nope"),
              Reason.MALFORMED_TOKEN)
        }) {
      String message = e.getMessage();
      assertTrue(message.length() < 100, message);
      for (String part : parts) {
        assertFalse(message.contains(part), message);
      }
      assertFalse(message.contains(bodyHash(BODY)), message);
      assertFalse(message.contains("nope"), message);
      assertNull(e.getCause());
    }
  }

  // ---- ES256 signature conversion ----

  // ---- configuration ----

  @Test
  void buildRequiresAKey() {
    assertThrows(IllegalStateException.class, () -> RequestSignatureVerifier.builder().build());
  }

  @Test
  void refusesUnacceptableKeys() {
    String rsaPem = pem(RSA.getPublic());
    String body = rsaPem.split("\n")[1];
    String[] bad = {
      "",
      "not a pem",
      rsaPem.replace("PUBLIC KEY", "RSA PUBLIC KEY"),
      rsaPem.replace("PUBLIC KEY", "PRIVATE KEY"),
      rsaPem.replace("-----END PUBLIC KEY-----", "-----END PRIVATE KEY-----"),
      rsaPem.replace(body, body.substring(0, 20) + "!" + body.substring(21)),
      rsaPem.replace(body, body.substring(0, 40)),
      "comment\n" + rsaPem,
      pem(rsa(1024).getPublic()),
      pem(ec("secp384r1").getPublic()),
    };
    for (String pem : bad) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> RequestSignatureVerifier.builder().addPublicKeys(pem),
              pem);
      assertFalse(e.getMessage().contains(body), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> RequestSignatureVerifier.builder().addPublicKey("k", pem));
    }
  }

  @Test
  void refusesBadKidsAndTolerances() {
    String rsaPem = pem(RSA.getPublic());
    RequestSignatureVerifier.Builder b =
        RequestSignatureVerifier.builder().addPublicKey("k", rsaPem);
    assertThrows(IllegalArgumentException.class, () -> b.addPublicKey("k", pem(EC.getPublic())));
    assertThrows(IllegalArgumentException.class, () -> b.addPublicKey(" ", rsaPem));
    assertThrows(
        IllegalArgumentException.class, () -> b.addPublicKey("two", rsaPem + pem(EC.getPublic())));
    assertThrows(IllegalArgumentException.class, () -> b.tolerance(Duration.ofSeconds(-1)));
    assertThrows(NullPointerException.class, () -> b.tolerance(null));
    assertThrows(NullPointerException.class, () -> b.clock(null));
    assertThrows(NullPointerException.class, () -> b.addPublicKeys(null));
  }

  @Test
  void toStringListsKidsButNoKeyMaterial() {
    RequestSignatureVerifier v =
        RequestSignatureVerifier.builder()
            .addPublicKey("rsa-1", pem(RSA.getPublic()))
            .addPublicKeys(pem(EC.getPublic()))
            .build();
    String s = v.toString();
    assertEquals("RequestSignatureVerifier[keys=[rsa-1, -], tolerance=PT5M]", s);
    assertEquals(Duration.ofMinutes(5), RequestSignatureVerifier.DEFAULT_TOLERANCE);
  }
}
