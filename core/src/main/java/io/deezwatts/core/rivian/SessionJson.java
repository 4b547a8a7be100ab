package io.deezwatts.core.rivian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The stored form of a {@link RivianSession}: a small JSON object, the same in every store. */
public final class SessionJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SessionJson() {}

  /** The session as UTF-8 JSON. */
  public static byte[] write(RivianSession s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", "deezwatts-rivian-session/1");
    o.put("createdAt", s.createdAt().toString());
    o.put("csrfToken", s.csrfToken());
    o.put("appSessionToken", s.appSessionToken());
    o.put("userSessionToken", s.userSessionToken());
    o.put("accessToken", s.accessToken());
    o.put("refreshToken", s.refreshToken());
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException(e); // cannot happen for an in-memory tree
    }
  }

  /**
   * Reads a stored session.
   *
   * @param where the store, for the error message
   * @throws IOException when the content is not such a JSON object (the message never includes the
   *     content)
   */
  public static RivianSession read(byte[] json, String where) throws IOException {
    JsonNode o;
    try {
      o = JSON.readTree(json);
    } catch (IOException e) {
      throw new IOException(where + " does not hold a Rivian session (not JSON)");
    }
    if (o == null
        || !o.isObject()
        || !o.path("userSessionToken").isTextual()
        || !o.path("appSessionToken").isTextual()
        || !o.path("csrfToken").isTextual()) {
      throw new IOException(where + " does not hold a Rivian session (tokens missing)");
    }
    Instant created;
    try {
      created = Instant.parse(o.path("createdAt").asText());
    } catch (DateTimeParseException e) {
      throw new IOException(where + " holds a Rivian session without a valid createdAt");
    }
    return new RivianSession(
        o.get("csrfToken").asText(),
        o.get("appSessionToken").asText(),
        o.get("userSessionToken").asText(),
        o.hasNonNull("accessToken") ? o.get("accessToken").asText() : null,
        o.hasNonNull("refreshToken") ? o.get("refreshToken").asText() : null,
        created);
  }
}
