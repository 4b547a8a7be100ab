package io.deezwatts.core.queue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message from a queue, as its adapter read it: one bulk.
 *
 * @param body the bulk exactly as it arrived (bytes, not text: what is parked or quarantined must
 *     be what was sent); null is read as empty
 * @param attributes the message's attributes or application properties as text; {@code feed}
 *     chooses the feed
 * @param messageId recorded as the rows' {@code message_id}, or null
 * @param metadata recorded as the rows' {@code metadata} (where in the queue it came from)
 * @param where how log lines name the message to an operator (on Event Hubs its partition, offset
 *     and sequence number); null for {@code message <messageId>}
 */
public record QueueMessage(
    byte[] body,
    Map<String, String> attributes,
    String messageId,
    Map<String, String> metadata,
    String where) {

  public QueueMessage {
    body = body == null ? new byte[0] : body;
    attributes = attributes == null ? Map.of() : copy(attributes);
    metadata = metadata == null ? Map.of() : copy(metadata);
    where = where == null ? "message " + messageId : where;
  }

  /** The {@code feed} attribute, or null when absent or empty. */
  String feedAttribute() {
    String feed = attributes.get("feed");
    return feed == null || feed.isEmpty() ? null : feed;
  }

  /** Keeps the order and leaves out null values (a trigger may hand over nulls). */
  private static Map<String, String> copy(Map<String, String> map) {
    Map<String, String> m = new LinkedHashMap<>();
    map.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            m.put(k, v);
          }
        });
    return java.util.Collections.unmodifiableMap(m);
  }
}
