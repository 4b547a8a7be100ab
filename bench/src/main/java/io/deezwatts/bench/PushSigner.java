package io.deezwatts.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;

/**
 * Signs push bodies as Connected Cars does ({@code X-Request-Signature}: an RS256 JWT whose {@code
 * sub} is the body's base64 SHA-256), with a key pair made for one bench run; {@link #publicPem()}
 * goes to {@code DEEZWATTS_SIGNATURE_PUBLIC_KEYS}, so the function verifies every request.
 */
final class PushSigner {
  private final KeyPair keys;

  PushSigner() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    keys = g.generateKeyPair();
  }

  String publicPem() {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  /** The header value for {@code body}, issued now. */
  String sign(byte[] body) {
    try {
      String sub =
          Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader(JWSAlgorithm.RS256),
              new JWTClaimsSet.Builder().subject(sub).issueTime(new Date()).build());
      jwt.sign(new RSASSASigner(keys.getPrivate()));
      return jwt.serialize();
    } catch (GeneralSecurityException | JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
