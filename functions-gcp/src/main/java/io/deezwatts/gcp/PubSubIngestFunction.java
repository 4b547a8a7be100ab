package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;
import io.deezwatts.core.app.Components;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.log.RequestTrace;
import io.deezwatts.core.queue.QueueDelivery;
import io.deezwatts.core.queue.QueueMessage;
import io.deezwatts.core.queue.QueueOutcome;
import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Bulks published to Pub/Sub ({@code google.cloud.pubsub.topic.v1.messagePublished}), on the Google
 * Cloud Functions Framework. Returning normally acknowledges the message; throwing makes Pub/Sub
 * redeliver it. So a bulk is acknowledged only once stored; a storage failure throws; a bulk that
 * cannot be parsed is stored raw in quarantine and acknowledged, as retrying cannot fix it.
 *
 * <p>This class only translates: the CloudEvent becomes a {@link QueueMessage} for the {@link
 * io.deezwatts.core.queue.QueueEndpoint}, which decides and logs; any outcome but an
 * acknowledgement is thrown, as the function cannot park (the subscription's dead-letter topic
 * does, after its attempts).
 *
 * <p>The feed comes from the message attribute {@code feed}, else {@code DEEZWATTS_FEED}. The
 * message id, publish time and attributes are recorded on every row.
 */
public final class PubSubIngestFunction implements CloudEventsFunction {
  private static final Logger LOG = Logger.getLogger(PubSubIngestFunction.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Components app;

  /**
   * The constructor the Functions Framework calls; reads the settings.
   *
   * @throws IllegalArgumentException naming a malformed push setting
   */
  public PubSubIngestFunction() {
    this(GcpApp.current());
  }

  PubSubIngestFunction(Components app) {
    this.app = app;
    app.settings(); // a malformed setting fails the start, naming it
  }

  /**
   * Stores the bulk a message carries.
   *
   * @throws SinkException when the bulk was not stored (storing failed, the function could not get
   *     ready, or something unexpected happened), so that Pub/Sub redelivers the message
   * @throws IOException when the event is not a Pub/Sub envelope at all (also redelivered, and
   *     after the subscription's attempts, dead-lettered)
   */
  @Override
  public void accept(CloudEvent event) throws SinkException, IOException {
    if (event.getData() == null) {
      throw new IOException("the CloudEvent has no data; expected a Pub/Sub message envelope");
    }
    JsonNode message = JSON.readTree(event.getData().toBytes()).path("message");
    if (!message.isObject()) {
      throw new IOException("the CloudEvent data has no 'message'; expected a Pub/Sub envelope");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    message
        .path("attributes")
        .properties()
        .forEach(a -> attributes.put(a.getKey(), a.getValue().asText()));
    Map<String, String> metadata = new HashMap<>();
    attributes.forEach((k, v) -> metadata.put("attribute." + k, v));
    String messageId = text(message, "messageId", "message_id");
    String publishTime = text(message, "publishTime", "publish_time");
    if (publishTime != null) {
      metadata.put("publish_time", publishTime);
    }
    byte[] body;
    try {
      body = Base64.getDecoder().decode(message.path("data").asText(""));
    } catch (IllegalArgumentException e) {
      body = message.path("data").asText("").getBytes(StandardCharsets.UTF_8);
    }
    Object traceparent = event.getExtension("traceparent");
    RequestTrace.set(RequestTrace.parse(null, traceparent == null ? null : traceparent.toString()));
    try {
      QueueOutcome outcome =
          app.queue()
              .handle(
                  List.of(new QueueMessage(body, attributes, messageId, metadata, null)),
                  QueueDelivery.redelivered(IngestContext.Source.PUBSUB, "message_id", messageId),
                  LOG);
      if (outcome.decision() != QueueOutcome.Decision.ACK) {
        // Pub/Sub redelivers, then dead-letters after the subscription's attempts.
        throw outcome.retry();
      }
    } finally {
      RequestTrace.set(null);
    }
  }

  private static String text(JsonNode node, String name, String alternative) {
    JsonNode v = node.has(name) ? node.get(name) : node.get(alternative);
    return v == null || v.isNull() ? null : v.asText();
  }
}
