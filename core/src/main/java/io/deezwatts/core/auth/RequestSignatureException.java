package io.deezwatts.core.auth;

import java.util.Objects;

/**
 * A push's {@code X-Request-Signature} did not verify. The message is short, fixed text chosen by
 * {@link RequestSignatureVerifier}: it is safe to log and never holds the token, its signature, a
 * key or the request body. {@link #reason()} says which check failed, for metrics and tests; the
 * HTTP answer should be the same (401) whatever the reason.
 */
public final class RequestSignatureException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Which check a request signature failed. */
  public enum Reason {
    /** Verification is configured but the request has no (or a blank) signature header. */
    MISSING_HEADER,
    /**
     * The header is not a compact JWS of three base64url parts whose header and payload are JSON
     * objects, or a required claim ({@code sub}, {@code iat}) is missing or of the wrong type.
     */
    MALFORMED_TOKEN,
    /** The JWT's {@code alg} is not RS256 or ES256 ({@code none} and HS* included). */
    UNSUPPORTED_ALGORITHM,
    /** No configured key has the token's {@code kid}, or none fits the token's {@code alg}. */
    UNKNOWN_KEY,
    /** The signature is of the wrong length or does not verify with any candidate key. */
    BAD_SIGNATURE,
    /** The signed {@code sub} is not the base64 SHA-256 of the received body. */
    SUB_MISMATCH,
    /** The signed {@code iat} is further from the verifier's clock than the tolerance allows. */
    IAT_OUT_OF_TOLERANCE
  }

  /** Which check failed. */
  private final Reason reason;

  /**
   * Creates an exception for a failed check.
   *
   * @param reason which check failed; never null
   * @param message short, fixed, log-safe text; must never contain token, key or body material
   * @throws NullPointerException if {@code reason} or {@code message} is null
   */
  RequestSignatureException(Reason reason, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Returns which check failed.
   *
   * @return the reason; never null
   */
  public Reason reason() {
    return reason;
  }
}
