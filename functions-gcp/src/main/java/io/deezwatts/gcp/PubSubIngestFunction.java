package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.functions.CloudEventsFunction;
import io.cloudevents.CloudEvent;
import io.deezwatts.core.app.Components;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.log.RequestTrace;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bulks published to Pub/Sub ({@code google.cloud.pubsub.topic.v1.messagePublished}), on the Google
 * Cloud Functions Framework. Returning normally acknowledges the message; throwing makes Pub/Sub
 * redeliver it. So a bulk is acknowledged only once stored; a storage failure throws; a bulk that
 * cannot be parsed is stored raw in quarantine and acknowledged, as retrying cannot fix it.
 *
 * <p>The feed comes from the message attribute {@code feed}, else {@code DEEZWATTS_FEED}. The
 * message id, publish time and attributes are recorded on every row.
 */
public final class PubSubIngestFunction implements CloudEventsFunction {
  private static final Logger LOG = Logger.getLogger(PubSubIngestFunction.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Components app;
  private final PushSettings settings;

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
    this.settings = app.settings();
  }

  /**
   * Stores the bulk a message carries.
   *
   * @throws SinkException when storing failed, so that Pub/Sub redelivers the message
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
    Map<String, String> metadata = new HashMap<>();
    message
        .path("attributes")
        .properties()
        .forEach(a -> metadata.put("attribute." + a.getKey(), a.getValue().asText()));
    String messageId = text(message, "messageId", "message_id");
    String publishTime = text(message, "publishTime", "publish_time");
    if (publishTime != null) {
      metadata.put("publish_time", publishTime);
    }
    String feed = message.path("attributes").path("feed").asText(settings.defaultFeed());
    if (!Catalog.standard().hasFeed(feed)) {
      LogFields.log(
          LOG,
          Level.WARNING,
          "unknown feed attribute; using " + settings.defaultFeed(),
          "message_id",
          messageId,
          "feed_attribute",
          feed);
    }
    byte[] body;
    try {
      body = Base64.getDecoder().decode(message.path("data").asText(""));
    } catch (IllegalArgumentException e) {
      body = message.path("data").asText("").getBytes(StandardCharsets.UTF_8);
    }
    Instant now = Instant.now();
    long started = System.nanoTime();
    IngestContext context =
        new IngestContext(now, IngestContext.Source.PUBSUB, null, messageId, metadata);
    Object traceparent = event.getExtension("traceparent");
    RequestTrace.set(RequestTrace.parse(null, traceparent == null ? null : traceparent.toString()));
    try {
      IngestService ready;
      try {
        ready = app.ingest();
      } catch (RuntimeException e) {
        // Thrown on, so Pub/Sub redelivers (then dead-letters); the log names the setting.
        StartupFailure.of(e).log(LOG, "message_id", messageId);
        throw e;
      }
      IngestOutcome outcome =
          ready.ingest(knownFeed(feed), body, context, now.plus(settings.deadline()));
      LogFields.bulk(
          LOG, knownFeed(feed), context, outcome, (System.nanoTime() - started) / 1_000_000);
    } catch (SinkException e) {
      // Thrown on: Pub/Sub redelivers, then dead-letters after the subscription's attempts.
      LogFields.notStored(
          LOG,
          knownFeed(feed),
          context,
          e.isTransient(),
          e.getMessage(),
          (System.nanoTime() - started) / 1_000_000);
      throw e;
    } finally {
      RequestTrace.set(null);
    }
  }

  private String knownFeed(String feed) {
    return Catalog.standard().hasFeed(feed) ? feed : settings.defaultFeed();
  }

  private static String text(JsonNode node, String name, String alternative) {
    JsonNode v = node.has(name) ? node.get(name) : node.get(alternative);
    return v == null || v.isNull() ? null : v.asText();
  }
}
