package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.RetryContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.EventHubTrigger;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.queue.QueueDelivery;
import io.deezwatts.core.queue.QueueMessage;
import io.deezwatts.core.queue.QueueOutcome;
import io.deezwatts.core.sink.SinkException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Stores bulks from an event hub: each event's body is one bulk (a JSON array of events), and its
 * feed is the event's {@code feed} property, else {@code DEEZWATTS_FEED}. The partition, offset,
 * sequence number and enqueued time are recorded on every row ({@code metadata}), and {@code
 * message_id} is the event's message id or {@code partition/sequence number}.
 *
 * <p>This class only translates: the batch becomes {@link QueueMessage}s for the {@link
 * io.deezwatts.core.queue.QueueEndpoint}, which decides; its {@link QueueOutcome} becomes a throw,
 * dead letters ({@link DeadLetterHub}) or a return. The Event Hubs trigger checkpoints past a batch
 * even when the function throws, so nothing may depend on a throw alone:
 *
 * <ul>
 *   <li>A transient sink failure makes the invocation throw, and the {@link
 *       ExponentialBackoffRetry} policy runs the whole batch again: {@value #MAX_RETRIES} retries,
 *       5 s doubling to 2 min (about 4 minutes in all, inside the host's 10-minute function
 *       timeout). Bulks of the batch already stored are stored again, harmlessly: rows keep their
 *       {@code event_key} and the {@code _dedup} views show each event once.
 *   <li>On the last attempt, or at once for a permanent failure, each bulk that still cannot be
 *       stored is <em>parked</em>: published to the dead-letter hub with the error, source
 *       partition and offset as properties ({@link EventHubDeadLetter}), and logged, before the
 *       function returns.
 *   <li>Only when parking fails too does the function throw. After the last retry that means the
 *       trigger checkpoints past the bulk while it is stored nowhere but the source hub: the log
 *       names its partition and offset, and it stays readable there for the hub's retention period
 *       (see the README).
 *   <li>A body that is not a JSON array is quarantined raw and acknowledged, as on Google Cloud.
 *   <li>Any other exception from a bulk (a bug, an unknown {@code DEEZWATTS_FEED}) is a permanent
 *       failure of that bulk alone: it is parked, and the rest of the batch is stored.
 * </ul>
 *
 * <p>Bodies are bound as bytes ({@code dataType = "binary"}), so a body that is not UTF-8 is parked
 * or quarantined exactly as it was sent.
 */
public final class EventHubIngest {
  /** The retry policy's attempts after the first; keep in step with the annotation. */
  static final int MAX_RETRIES = 5;

  private final FunctionApp app;

  /** The constructor the Java worker calls. */
  public EventHubIngest() {
    this(FunctionApp.shared());
  }

  EventHubIngest(FunctionApp app) {
    this.app = app;
  }

  /**
   * Stores a batch of bulks.
   *
   * @throws SinkException when a bulk failed transiently and retries remain: the retry policy runs
   *     the batch again
   * @throws DeadLetterHub.ParkingException when a bulk could neither be stored nor parked (also
   *     when the dead-letter hub is not configured and a bulk needs it)
   */
  @FunctionName("EventHubIngest")
  @ExponentialBackoffRetry(
      maxRetryCount = MAX_RETRIES,
      minimumInterval = "00:00:05",
      maximumInterval = "00:02:00")
  public void run(
      @EventHubTrigger(
              name = "bulks",
              eventHubName = "%DEEZWATTS_EVENTHUB_NAME%",
              consumerGroup = "%DEEZWATTS_EVENTHUB_CONSUMER_GROUP%",
              connection = "DEEZWATTS_EVENTHUB_CONNECTION",
              cardinality = Cardinality.MANY,
              dataType = "binary")
          byte[][] bulks,
      @BindingName("SystemPropertiesArray") Map<String, Object>[] systemProperties,
      @BindingName("PropertiesArray") Map<String, Object>[] properties,
      @BindingName("PartitionContext") Map<String, Object> partitionContext,
      ExecutionContext context)
      throws SinkException, DeadLetterHub.ParkingException {
    Logger log = context.getLogger();
    RetryContext retry = context.getRetryContext();
    int attempt = retry == null ? 0 : retry.getRetrycount();
    int maxRetries = retry == null ? MAX_RETRIES : retry.getMaxretrycount();
    String partitionId = text(partitionContext, "PartitionId");
    List<EventHubOrigin> origins = new ArrayList<>(bulks.length);
    List<QueueMessage> messages = new ArrayList<>(bulks.length);
    for (int i = 0; i < bulks.length; i++) {
      EventHubOrigin origin = origin(partitionId, element(systemProperties, i));
      origins.add(origin);
      messages.add(
          new QueueMessage(
              bulks[i],
              texts(element(properties, i)),
              origin.deliveryId(),
              origin.asMetadata(),
              describe(origin)));
    }
    QueueOutcome outcome =
        app.components()
            .queue()
            .handle(
                messages,
                QueueDelivery.parkedAfter(
                    IngestContext.Source.EVENTHUBS,
                    attempt,
                    maxRetries,
                    "the dead-letter hub",
                    "the source hub",
                    "partition",
                    partitionId),
                log);
    if (outcome.decision() == QueueOutcome.Decision.RETRY) {
      throw outcome.retry();
    }
    Exception lost =
        outcome.park(
            f ->
                app.deadLetter()
                    .park(
                        new ParkedBulk(
                            f.message().body(),
                            f.feed(),
                            f.reason(),
                            f.transientFailure(),
                            f.attempts(),
                            origins.get(f.index()))),
            log);
    if (lost != null) {
      throw lost instanceof DeadLetterHub.ParkingException p
          ? p
          : new DeadLetterHub.ParkingException(lost.getMessage(), lost);
    }
    log.info(outcome.summary());
  }

  static EventHubOrigin origin(String partitionId, Map<String, Object> system) {
    return new EventHubOrigin(
        partitionId,
        text(system, "Offset"),
        text(system, "SequenceNumber"),
        text(system, "EnqueuedTimeUtc"),
        text(system, "MessageId"));
  }

  private static String describe(EventHubOrigin o) {
    return "partition "
        + o.partitionId()
        + " offset "
        + o.offset()
        + " sequence number "
        + o.sequenceNumber();
  }

  private static <T> T element(T[] array, int i) {
    return array == null || i >= array.length ? null : array[i];
  }

  /** The application properties as text (only {@code feed} is read), leaving out nulls. */
  private static Map<String, String> texts(Map<String, Object> properties) {
    Map<String, String> texts = new LinkedHashMap<>();
    if (properties != null) {
      for (String key : properties.keySet()) {
        String value = text(properties, key);
        if (key != null && value != null) {
          texts.put(key, value);
        }
      }
    }
    return texts;
  }

  private static String text(Map<String, Object> map, String key) {
    if (map == null) {
      return null;
    }
    Object v = map.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
      // The worker hands JSON numbers over as doubles: 42.0 is the sequence number 42.
      return Long.toString(d.longValue());
    }
    String s = v.toString();
    return s.isEmpty() ? null : s;
  }
}
