package io.deezwatts.cli.viriciti;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A live-socket subscription in ViriCiti's own format: an object with any of {@code vehicles} (vid
 * to parameters), {@code chargestations} (identity to parameters) and {@code incidents} ({@code
 * {"query": {"vehicles": [...], "incidents": [...]}}}, both optional). It is sent after every
 * connect, and the server's echo is compared with it. Immutable.
 */
final class Subscription {
  private static final Set<String> DOMAINS = Set.of("vehicles", "chargestations", "incidents");

  /** Lenient as the vendor's own document: comments and trailing commas are accepted. */
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .build();

  private final JsonNode tree;
  private final String json;

  private Subscription(JsonNode tree) {
    this.tree = tree;
    this.json = tree.toString();
  }

  /**
   * Reads and checks a subscription file.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and the problem when it is not valid JSON or
   *     not a subscription
   */
  static Subscription read(Path file) throws IOException {
    String text = Files.readString(file);
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses and checks a subscription.
   *
   * @throws IllegalArgumentException saying what is wrong: not JSON, not an object, an unknown
   *     domain, or a query of the wrong shape
   */
  static Subscription parse(String text) {
    JsonNode root;
    try {
      root = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      throw new IllegalArgumentException(
          "a subscription is a JSON object with vehicles, chargestations and/or incidents");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String domain = e.getKey();
      JsonNode query = e.getValue();
      if (!DOMAINS.contains(domain)) {
        throw new IllegalArgumentException(
            "unknown domain '" + domain + "'; use vehicles, chargestations or incidents");
      }
      if (!query.isObject()) {
        throw new IllegalArgumentException("'" + domain + "' must be an object");
      }
      if (domain.equals("incidents")) {
        checkIncidents(query);
      } else {
        for (Iterator<Map.Entry<String, JsonNode>> q = query.fields(); q.hasNext(); ) {
          Map.Entry<String, JsonNode> id = q.next();
          checkStrings(domain + "." + id.getKey(), id.getValue());
        }
      }
    }
    return new Subscription(root);
  }

  private static void checkIncidents(JsonNode incidents) {
    for (Iterator<Map.Entry<String, JsonNode>> it = incidents.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals("query") || !e.getValue().isObject()) {
        throw new IllegalArgumentException(
            "'incidents' holds one object, 'query', with optional 'vehicles' and 'incidents'");
      }
      for (Iterator<Map.Entry<String, JsonNode>> q = e.getValue().fields(); q.hasNext(); ) {
        Map.Entry<String, JsonNode> f = q.next();
        if (!f.getKey().equals("vehicles") && !f.getKey().equals("incidents")) {
          throw new IllegalArgumentException(
              "unknown filter 'incidents.query." + f.getKey() + "'; use vehicles or incidents");
        }
        checkStrings("incidents.query." + f.getKey(), f.getValue());
      }
    }
  }

  private static void checkStrings(String where, JsonNode value) {
    if (!value.isArray()) {
      throw new IllegalArgumentException("'" + where + "' must be an array of strings");
    }
    for (JsonNode v : value) {
      if (!v.isTextual()) {
        throw new IllegalArgumentException(
            "'" + where + "' must be an array of strings, found " + v);
      }
    }
  }

  /** The compact JSON sent to the server. */
  String json() {
    return json;
  }

  /**
   * Whether to ask for {@code initialState=true}: only when charging stations are subscribed, the
   * one domain the server offers it for.
   */
  boolean wantsInitialState() {
    JsonNode c = tree.get("chargestations");
    return c != null && !c.isEmpty();
  }

  /**
   * Whether the server's echo says the same as what was sent (same members and values; member order
   * and whitespace do not matter).
   *
   * @return false as well when the echo is not JSON
   */
  boolean matchesEcho(String echo) {
    try {
      return tree.equals(MAPPER.readTree(echo));
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
