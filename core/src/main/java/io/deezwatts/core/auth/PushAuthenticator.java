package io.deezwatts.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/**
 * Checks an HTTP push's {@code Authorization} header against the one shared secret a deployment is
 * configured with. Two schemes are accepted (scheme names case-insensitive, as RFC 9110 says):
 *
 * <ul>
 *   <li>{@code Bearer <secret>}
 *   <li>{@code Basic base64(<user>:<secret>)}: any user name, including an empty one; the password
 *       is everything after the first colon (RFC 7617), compared as raw bytes against the secret's
 *       UTF-8 bytes.
 * </ul>
 *
 * <p>The presented credential and the secret are both hashed with SHA-256 and the digests compared
 * with {@link MessageDigest#isEqual}, so the comparison takes the same time wherever the two differ
 * and whatever their lengths. The answer is only {@link Decision#ALLOWED} or {@link
 * Decision#DENIED}: it never says whether the scheme, the format or the secret was wrong. The
 * secret is kept only as its digest and never appears in {@link #toString()} or any exception.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class PushAuthenticator {

  /** The outcome of a check; deliberately no more detailed than this. */
  public enum Decision {
    /** The header carries the configured secret in an accepted scheme. */
    ALLOWED,
    /** Anything else: no header, an unknown scheme, a malformed credential or a wrong secret. */
    DENIED
  }

  private static final String BEARER = "bearer";
  private static final String BASIC = "basic";

  private final byte[] secretDigest;

  /**
   * Creates an authenticator for one secret.
   *
   * @param secret the shared secret pushers must present
   * @throws IllegalArgumentException if {@code secret} is null, empty or only whitespace (a
   *     deployed function must refuse to start without one), or if it begins or ends with
   *     whitespace (almost always a stray newline from a secret file or environment variable, and a
   *     Bearer token could never carry it). The message never contains the secret.
   */
  public PushAuthenticator(String secret) {
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException("push secret must be set and not blank");
    }
    if (!secret.equals(secret.strip())) {
      throw new IllegalArgumentException(
          "push secret must not begin or end with whitespace (a trailing newline?)");
    }
    this.secretDigest = sha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Checks one {@code Authorization} header value.
   *
   * @param authorizationHeader the header's value as received, or null if the request had none
   * @return {@link Decision#ALLOWED} only if the header carries the configured secret as a Bearer
   *     token or as a Basic password; {@link Decision#DENIED} for everything else. Never throws for
   *     any input.
   */
  public Decision authenticate(String authorizationHeader) {
    byte[] presented = credential(authorizationHeader);
    if (presented == null) {
      return Decision.DENIED;
    }
    return MessageDigest.isEqual(secretDigest, sha256(presented))
        ? Decision.ALLOWED
        : Decision.DENIED;
  }

  /**
   * Extracts the secret a header presents, or null if the header is absent, of an unaccepted scheme
   * or malformed.
   */
  private static byte[] credential(String header) {
    if (header == null) {
      return null;
    }
    String value = stripOws(header);
    int space = value.indexOf(' ');
    if (space <= 0) {
      return null;
    }
    String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
    String token = value.substring(space + 1).stripLeading();
    if (token.isEmpty()) {
      return null;
    }
    switch (scheme) {
      case BEARER:
        return token.getBytes(StandardCharsets.UTF_8);
      case BASIC:
        return basicPassword(token);
      default:
        return null;
    }
  }

  /** The bytes after the first colon of a Basic credential, or null if it has no colon. */
  private static byte[] basicPassword(String token) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        return Arrays.copyOfRange(decoded, i + 1, decoded.length);
      }
    }
    return null;
  }

  /** Strips the optional whitespace (SP, HTAB) HTTP allows around a field value. */
  private static String stripOws(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
      start++;
    }
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(start, end);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /**
   * Describes this authenticator without its secret.
   *
   * @return a fixed description; never contains the secret or its digest
   */
  @Override
  public String toString() {
    return "PushAuthenticator[schemes=Bearer,Basic, secret=<redacted>]";
  }
}
