package io.deezwatts.core.cc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Turns a GraphQL {@code errors} array into a typed {@link CcException}. Connected Cars' API
 * follows the common GraphQL server conventions ({@code extensions.code} such as {@code
 * UNAUTHENTICATED}, {@code FORBIDDEN}, {@code BAD_USER_INPUT}); errors without a telling code are
 * classified by their message, as resolvers often throw plain errors ("duplicate ...", "no access
 * ...").
 */
final class GraphQlErrors {
  private static final int MAX_MESSAGE = 500;

  private GraphQlErrors() {}

  /** Whether the errors say the token is not (or no longer) accepted. */
  static boolean unauthenticated(JsonNode errors) {
    for (JsonNode e : errors) {
      String code = code(e);
      String message = e.path("message").asText("").toLowerCase(Locale.ROOT);
      if ("UNAUTHENTICATED".equals(code)
          || message.contains("unauthenticated")
          || message.contains("jwt expired")
          || message.contains("token expired")) {
        return true;
      }
    }
    return false;
  }

  /** The most telling of the errors as an exception; {@code secret} is removed from messages. */
  static CcException classify(String operation, JsonNode errors, String secret) {
    CcException best = null;
    int bestRank = Integer.MAX_VALUE;
    for (JsonNode e : errors) {
      String code = code(e);
      String message = redact(e.path("message").asText(""), secret);
      String lower = message.toLowerCase(Locale.ROOT);
      CcException candidate;
      int rank;
      if ("UNAUTHENTICATED".equals(code) || lower.contains("unauthenticated")) {
        candidate = new CcException.Unauthenticated(operation, message);
        rank = 0;
      } else if (lower.contains("duplicate")) {
        candidate = new CcException.DuplicateInput(operation, message);
        rank = 1;
      } else if ("FORBIDDEN".equals(code)
          || lower.contains("permission")
          || lower.contains("not allowed")
          || lower.contains("forbidden")
          || lower.contains("access denied")
          || lower.contains("no access")
          || lower.contains("not authorized")
          || lower.contains("unauthorized")) {
        candidate = new CcException.PermissionDenied(operation, message);
        rank = 2;
      } else if ("BAD_USER_INPUT".equals(code)
          || "GRAPHQL_VALIDATION_FAILED".equals(code)
          || "GRAPHQL_PARSE_FAILED".equals(code)
          || lower.startsWith("cannot query field")
          || lower.startsWith("syntax error")
          || lower.startsWith("unknown argument")) {
        candidate = new CcException.InvalidRequest(operation, message);
        rank = 3;
      } else {
        candidate = new CcException.Failed(operation, code, message);
        rank = 4;
      }
      if (rank < bestRank) {
        best = candidate;
        bestRank = rank;
      }
    }
    return best == null ? new CcException.Failed(operation, null, "an empty errors array") : best;
  }

  private static String code(JsonNode e) {
    JsonNode c = e.path("extensions").path("code");
    return c.isTextual() ? c.asText() : null;
  }

  /** Removes {@code secret} from a message the server wrote, and shortens it. */
  static String redact(String message, String secret) {
    String m = message;
    if (secret != null && !secret.isEmpty()) {
      m = m.replace(secret, "[redacted]");
    }
    return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
  }
}
