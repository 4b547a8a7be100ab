package io.deezwatts.core.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Builds signed compact JWTs ({@code header.payload.signature}) with the JDK alone, for tests. */
final class TestJwts {
  static final ObjectMapper JSON = new ObjectMapper();

  private TestJwts() {}

  static KeyPair rsa(int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(bits);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static KeyPair ec(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec(curve));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  static String b64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String b64url(String text) {
    return b64url(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Standard padded base64 of the body's SHA-256, as Connected Cars' document describes. */
  static String bodyHash(byte[] body) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static ObjectNode header(String alg, String kid) {
    ObjectNode h = JSON.createObjectNode().put("alg", alg).put("typ", "JWT");
    if (kid != null) {
      h.put("kid", kid);
    }
    return h;
  }

  static ObjectNode claims(byte[] body, long iatEpochSeconds) {
    return JSON.createObjectNode()
        .put("rid", "req-1")
        .put("sub", bodyHash(body))
        .put("iat", iatEpochSeconds);
  }

  /** The base64url signing input {@code header.payload} of two JSON texts. */
  static String signingInput(String headerJson, String payloadJson) {
    return b64url(headerJson) + "." + b64url(payloadJson);
  }

  /**
   * Signs {@code header.payload} as the JWS algorithm names: RS256 with SHA256withRSA, ES256 with
   * the JDK's IEEE P1363 (raw R||S) ECDSA, so the verifier's own raw-to-DER conversion is checked
   * against an independent encoder.
   */
  static byte[] sign(String alg, PrivateKey key, String signingInput) {
    String jca =
        switch (alg) {
          case "RS256" -> "SHA256withRSA";
          case "ES256" -> "SHA256withECDSAinP1363Format";
          default -> throw new IllegalArgumentException(alg);
        };
    try {
      Signature s = Signature.getInstance(jca);
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A complete token: the header's {@code alg} chooses how it is signed. */
  static String jwt(ObjectNode header, ObjectNode claims, PrivateKey key) {
    String input = signingInput(header.toString(), claims.toString());
    return input + "." + b64url(sign(header.get("alg").textValue(), key, input));
  }
}
