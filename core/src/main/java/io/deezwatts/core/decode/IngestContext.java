package io.deezwatts.core.decode;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Where and when a bulk arrived; recorded on every row and quarantine entry.
 *
 * @param receivedAt when deezwatts received the bulk
 * @param source how it arrived
 * @param requestId the HTTP push's X-Request-Id, or null
 * @param messageId the Pub/Sub or Event Hubs message id, or null
 * @param metadata other facts of the delivery (Pub/Sub attributes, Event Hubs partition and
 *     offset), stored as the {@code metadata} JSON column when not empty
 */
public record IngestContext(
    Instant receivedAt,
    Source source,
    String requestId,
    String messageId,
    Map<String, String> metadata) {

  /** How a bulk arrived; the {@code source} column holds {@link #wireName()}. */
  public enum Source {
    HTTP,
    PUBSUB,
    EVENTHUBS,
    VIRICITI,
    RIVIAN,
    REPLAY;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public IngestContext {
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(source, "source");
    receivedAt =
        receivedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS); // BigQuery's precision
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** A bulk replayed from a file now, with no delivery ids. */
  public static IngestContext replay(Instant now) {
    return new IngestContext(now, Source.REPLAY, null, null, Map.of());
  }
}
