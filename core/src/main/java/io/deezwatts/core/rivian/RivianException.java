package io.deezwatts.core.rivian;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed Rivian API call. Rivian answers many failures inside an HTTP 200 body ({@code
 * errors[].extensions.code}); each code it is known to send has its own subclass so callers can
 * react by type. Messages never contain passwords, OTP codes or tokens.
 */
public class RivianException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What a caller should do about a failure. */
  public enum Retry {
    /** Retrying later may succeed (rate limit, temporary lock, network trouble). */
    LATER,
    /** Retrying will not help until a person acts (log in again, fix the input). */
    NEVER
  }

  private final String code;
  private final Retry retry;

  RivianException(String message, String code, Retry retry, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retry = retry;
  }

  /**
   * Rivian's {@code extensions.code} (or {@code reason}), or a code of ours such as {@code
   * HTTP_502}.
   */
  public String code() {
    return code;
  }

  /** Whether retrying later can help. */
  public Retry retry() {
    return retry;
  }

  /** {@code RATE_LIMIT} (or HTTP 429): too many requests; back off before asking again. */
  public static final class RateLimited extends RivianException {
    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    RateLimited(String operation) {
      this(operation, null);
    }

    RateLimited(String operation, Duration retryAfter) {
      super(
          operation + ": Rivian answered RATE_LIMIT; backing off", "RATE_LIMIT", Retry.LATER, null);
      this.retryAfter = retryAfter;
    }

    /** The wait Rivian asked for (HTTP {@code Retry-After}), when it named one. */
    public Optional<Duration> retryAfter() {
      return Optional.ofNullable(retryAfter);
    }
  }

  /**
   * {@code UNAUTHENTICATED}: the stored session has expired or was revoked. Polls stop; a person
   * must log in again (MFA cannot be answered unattended).
   */
  public static final class SessionExpired extends RivianException {
    private static final long serialVersionUID = 1L;

    SessionExpired(String operation, String code) {
      super(
          operation
              + ": the Rivian session has expired or was revoked ("
              + code
              + "); run `deezwatts rivian login` again",
          code,
          Retry.NEVER,
          null);
    }

    private SessionExpired(String message) {
      super(message, "NO_SESSION", Retry.NEVER, null);
    }

    /** No session is stored at all. */
    static SessionExpired missing(String where) {
      return new SessionExpired(
          "no Rivian session is stored in " + where + "; run `deezwatts rivian login` first");
    }
  }

  /**
   * {@code SESSION_MANAGER_ERROR}: Rivian's session manager refused for now (seen when an account
   * is temporarily locked after failed logins); retry later.
   */
  public static final class SessionManagerError extends RivianException {
    private static final long serialVersionUID = 1L;

    SessionManagerError(String operation) {
      super(
          operation + ": Rivian's session manager refused (SESSION_MANAGER_ERROR); try again later",
          "SESSION_MANAGER_ERROR",
          Retry.LATER,
          null);
    }
  }

  /** {@code BAD_USER_INPUT} with reason {@code INVALID_OTP}: the one-time code was wrong. */
  public static final class InvalidOtp extends RivianException {
    private static final long serialVersionUID = 1L;

    InvalidOtp() {
      super(
          "the one-time code was not accepted (INVALID_OTP); try again",
          "INVALID_OTP",
          Retry.NEVER,
          null);
    }
  }

  /** {@code OTP_TOKEN_EXPIRED}: too long passed between the password and the code; log in again. */
  public static final class OtpExpired extends RivianException {
    private static final long serialVersionUID = 1L;

    OtpExpired() {
      super(
          "the one-time code came too late (OTP_TOKEN_EXPIRED); run `deezwatts rivian login` again",
          "OTP_TOKEN_EXPIRED",
          Retry.NEVER,
          null);
    }
  }

  /** {@code BAD_USER_INPUT} other than a wrong OTP, such as a wrong e-mail or password. */
  public static final class BadInput extends RivianException {
    private static final long serialVersionUID = 1L;

    BadInput(String operation, String reason) {
      super(operation + ": Rivian refused the input (" + reason + ")", reason, Retry.NEVER, null);
    }
  }

  /**
   * A GraphQL validation error ({@code Cannot query field ...}): Rivian changed its schema and no
   * longer serves what the query asks for. The message names the field.
   */
  public static final class SchemaRejected extends RivianException {
    private static final long serialVersionUID = 1L;

    SchemaRejected(String operation, String detail) {
      super(
          operation + ": Rivian's schema rejected the query: " + detail,
          "GRAPHQL_VALIDATION_FAILED",
          Retry.NEVER,
          null);
    }
  }

  /** The network failed, timed out, or Rivian answered with an HTTP error or unreadable body. */
  public static final class Unavailable extends RivianException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, String code, Throwable cause) {
      super(message, code, Retry.LATER, cause);
    }
  }

  /** Any other error code Rivian sends; not retried. */
  public static final class Other extends RivianException {
    private static final long serialVersionUID = 1L;

    Other(String operation, String code, String message) {
      super(operation + ": Rivian answered " + code + ": " + message, code, Retry.NEVER, null);
    }
  }
}
