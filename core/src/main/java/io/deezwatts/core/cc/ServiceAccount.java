package io.deezwatts.core.cc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A Connected Cars service account file: a header block holding the JWT issuer, audience (the auth
 * API's login URL) and key id, followed by an RSA private key in PEM (PKCS#1 {@code BEGIN RSA
 * PRIVATE KEY} or PKCS#8 {@code BEGIN PRIVATE KEY}):
 *
 * <pre>
 * ----- BEGIN CONNECTEDCARS INFO -----
 * iss: my-service-account@my-organization
 * aud: https://auth-api.connectedcars.io/auth/login/serviceAccountConverter
 * kid: 0123abcd
 * ----- END CONNECTEDCARS INFO -----
 * (the PEM key block, PKCS#1 or PKCS#8)
 * </pre>
 *
 * <p>{@link #toString()} and every message this class writes leave the key out.
 */
public final class ServiceAccount {
  static final String INFO_BEGIN = "----- BEGIN CONNECTEDCARS INFO -----";
  static final String INFO_END = "----- END CONNECTEDCARS INFO -----";

  /** rsaEncryption, 1.2.840.113549.1.1.1, with NULL parameters, as DER. */
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  private final String issuer;
  private final URI audience;
  private final String keyId;
  private final RSAPrivateKey key;

  private ServiceAccount(String issuer, URI audience, String keyId, RSAPrivateKey key) {
    this.issuer = issuer;
    this.audience = audience;
    this.keyId = keyId;
    this.key = key;
  }

  /** The {@code iss} claim. */
  public String issuer() {
    return issuer;
  }

  /** The {@code aud} claim, which is also the URL tokens are obtained from. */
  public URI audience() {
    return audience;
  }

  /** The {@code kid} of the JWT header. */
  public String keyId() {
    return keyId;
  }

  RSAPrivateKey key() {
    return key;
  }

  /**
   * Reads the service account from a setting holding either the file's content or its path.
   *
   * @param variable the setting's name, used in messages
   * @throws IllegalArgumentException when the file cannot be read or is not a service account file;
   *     the message names the problem and never holds key material (retrying cannot help)
   */
  public static ServiceAccount fromSetting(String variable, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          variable + " is not set: give the Connected Cars service account file or its path");
    }
    if (value.contains("-----")) {
      return parse(value, variable);
    }
    Path path;
    try {
      path = Path.of(value.trim());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(
          variable + " is neither a service account file's content nor a path");
    }
    try {
      return parse(Files.readString(path, StandardCharsets.UTF_8), path.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          variable
              + ": cannot read the service account file "
              + path
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /**
   * Parses a service account file's content.
   *
   * @param where names the source in messages (a path or a setting's name)
   * @throws IllegalArgumentException when the header block, one of its fields, or an RSA private
   *     key is missing or malformed; the message never holds key material
   */
  public static ServiceAccount parse(String content, String where) {
    String text = content.replace("\r\n", "\n");
    int begin = text.indexOf(INFO_BEGIN);
    int end = text.indexOf(INFO_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          where + " is not a Connected Cars service account file: no '" + INFO_BEGIN + "' block");
    }
    Map<String, String> info = new HashMap<>();
    for (String line : text.substring(begin + INFO_BEGIN.length(), end).split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        info.put(
            line.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    String iss = required(info, "iss", where);
    String aud = required(info, "aud", where);
    String kid = required(info, "kid", where);
    URI audience;
    try {
      audience = URI.create(aud);
    } catch (IllegalArgumentException e) {
      audience = null;
    }
    if (audience == null
        || !("https".equals(audience.getScheme()) || "http".equals(audience.getScheme()))) {
      throw new IllegalArgumentException(where + ": 'aud' must be the auth API's http(s) URL");
    }
    RSAPrivateKey key = privateKey(text.substring(end + INFO_END.length()), where);
    return new ServiceAccount(iss, audience, kid, key);
  }

  private static String required(Map<String, String> info, String name, String where) {
    String v = info.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": the CONNECTEDCARS INFO block has no '" + name + ":' line");
    }
    return v;
  }

  private static RSAPrivateKey privateKey(String pem, String where) {
    boolean pkcs1 = pem.contains("-----BEGIN RSA PRIVATE KEY-----");
    String label = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
    int b = pem.indexOf("-----BEGIN " + label + "-----");
    int e = pem.indexOf("-----END " + label + "-----");
    if (b < 0 || e < b) {
      throw new IllegalArgumentException(
          where
              + ": no RSA private key after the info block (expected '-----BEGIN RSA PRIVATE"
              + " KEY-----' or '-----BEGIN PRIVATE KEY-----')");
    }
    byte[] der;
    try {
      der =
          Base64.getDecoder()
              .decode(pem.substring(b + label.length() + 16, e).replaceAll("\\s", ""));
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(where + ": the private key is not valid base64");
    }
    try {
      PrivateKey k =
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8FromPkcs1(der) : der));
      return (RSAPrivateKey) k;
    } catch (GeneralSecurityException | ClassCastException bad) {
      // The cause may describe the key's bytes: leave it out.
      throw new IllegalArgumentException(where + ": the private key is not an RSA private key");
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, which the JDK reads. */
  static byte[] pkcs8FromPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00}); // version 0
    body.writeBytes(RSA_ALGORITHM_ID);
    body.write(0x04); // OCTET STRING
    writeLength(body, pkcs1.length);
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30); // SEQUENCE
    writeLength(out, body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int length) {
    if (length < 0x80) {
      out.write(length);
      return;
    }
    int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
    out.write(0x80 | bytes);
    for (int i = bytes - 1; i >= 0; i--) {
      out.write((length >>> (8 * i)) & 0xff);
    }
  }

  @Override
  public String toString() {
    return "ServiceAccount[iss=" + issuer + ", aud=" + audience + ", kid=" + keyId + "]";
  }
}
