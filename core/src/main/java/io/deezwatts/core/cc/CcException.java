package io.deezwatts.core.cc;

/**
 * A failed call to Connected Cars' auth or GraphQL API. Each kind of failure has its own subclass,
 * carrying the server's own message, and says whether retrying later can help. Messages never
 * contain the private key, a signed JWT or an access token.
 */
public class CcException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String operation;
  private final String serverMessage;
  private final boolean retryable;

  CcException(String operation, String message, String serverMessage, boolean retryable) {
    super(operation + ": " + message);
    this.operation = operation;
    this.serverMessage = serverMessage;
    this.retryable = retryable;
  }

  /** The GraphQL operation or {@code login} (the token exchange). */
  public String operation() {
    return operation;
  }

  /** What the server said, as it said it (secrets removed), or null when it said nothing. */
  public String serverMessage() {
    return serverMessage;
  }

  /** Whether the same call may succeed later without anyone changing anything. */
  public boolean retryable() {
    return retryable;
  }

  private static String quoted(String what, String serverMessage) {
    return serverMessage == null ? what : what + ": " + serverMessage;
  }

  /**
   * The auth API refused the service account, or the GraphQL API refused a freshly obtained token.
   * Not retryable: the service account, its key or the namespace must be fixed.
   */
  public static final class Unauthenticated extends CcException {
    private static final long serialVersionUID = 1L;

    Unauthenticated(String operation, String serverMessage) {
      super(
          operation,
          quoted(
              "Connected Cars did not accept the service account (check"
                  + " DEEZWATTS_CC_SERVICE_ACCOUNT and DEEZWATTS_CC_NAMESPACE)",
              serverMessage),
          serverMessage,
          false);
    }
  }

  /**
   * The service account may not do this: a vehicle, stream or topic it has no access to. For {@code
   * addVehicleDataStreams} and {@code deleteVehicleDataStreams} nothing was changed. Not retryable
   * as is (a vehicle that has revoked consent stays refused).
   */
  public static final class PermissionDenied extends CcException {
    private static final long serialVersionUID = 1L;

    PermissionDenied(String operation, String serverMessage) {
      super(operation, quoted("permission denied", serverMessage), serverMessage, false);
    }
  }

  /**
   * {@code addVehicleDataStreams} got the same vehicle and topic more than once; nothing was
   * created. Not retryable as is.
   */
  public static final class DuplicateInput extends CcException {
    private static final long serialVersionUID = 1L;

    DuplicateInput(String operation, String serverMessage) {
      super(operation, quoted("duplicate input", serverMessage), serverMessage, false);
    }
  }

  /**
   * The server refused the request itself: a GraphQL validation or parse error, or bad input other
   * than a duplicate. Not retryable as is.
   */
  public static final class InvalidRequest extends CcException {
    private static final long serialVersionUID = 1L;

    InvalidRequest(String operation, String serverMessage) {
      super(operation, quoted("the request was refused", serverMessage), serverMessage, false);
    }
  }

  /**
   * The network failed or timed out, or the server answered 429, 5xx or something unreadable.
   * Retryable later.
   */
  public static final class Unavailable extends CcException {
    private static final long serialVersionUID = 1L;

    Unavailable(String operation, String message) {
      super(operation, message, null, true);
    }
  }

  /** Any other GraphQL error; the server's message says what. Not retried automatically. */
  public static final class Failed extends CcException {
    private static final long serialVersionUID = 1L;

    Failed(String operation, String code, String serverMessage) {
      super(
          operation,
          quoted("Connected Cars answered " + (code == null ? "an error" : code), serverMessage),
          serverMessage,
          false);
    }
  }
}
