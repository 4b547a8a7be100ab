package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.RetryContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.Cardinality;
import com.microsoft.azure.functions.annotation.EventHubTrigger;
import com.microsoft.azure.functions.annotation.ExponentialBackoffRetry;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.sink.SinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stores bulks from an event hub: each event's body is one bulk (a JSON array of events), and its
 * feed is the event's {@code feed} property, else {@code DEEZWATTS_FEED}. The partition, offset,
 * sequence number and enqueued time are recorded on every row ({@code metadata}), and {@code
 * message_id} is the event's message id or {@code partition/sequence number}.
 *
 * <p>The Event Hubs trigger checkpoints past a batch even when the function throws, so nothing may
 * depend on a throw alone:
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
   * @throws DeadLetterHub.ParkingException when a bulk could neither be stored nor parked
   * @throws IllegalStateException when the dead-letter hub is not configured and a bulk needs it
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
    boolean lastAttempt = attempt >= maxRetries;
    String partitionId = text(partitionContext, "PartitionId");
    IngestService service;
    SinkException notReady = null;
    try {
      service = app.ingest();
    } catch (RuntimeException e) {
      // A bad setting parks every bulk at once; anything else lets the policy retry first.
      service = null;
      StartupFailure failure = StartupFailure.of(e);
      failure.log(log, "partition", partitionId);
      notReady =
          failure.configuration()
              ? SinkException.permanent(failure.logLine(), e)
              : SinkException.transientFailure(failure.logLine(), e);
    }

    List<Failed> failed = new ArrayList<>();
    SinkException firstTransient = null;
    int stored = 0;
    int rejected = 0;
    // One deadline for the batch (DEEZWATTS_DEADLINE_SECONDS), well inside the function timeout.
    Instant deadline = Instant.now().plus(app.settings().deadline());
    for (int i = 0; i < bulks.length; i++) {
      EventHubOrigin origin = origin(partitionId, element(systemProperties, i));
      String feed = feedOf(element(properties, i), origin, log);
      // Bytes, not text: what is parked or quarantined must be exactly what was sent.
      byte[] body = bulks[i] == null ? new byte[0] : bulks[i];
      Instant now = Instant.now();
      IngestContext ingestContext =
          new IngestContext(
              now, IngestContext.Source.EVENTHUBS, null, origin.deliveryId(), origin.asMetadata());
      long started = System.nanoTime();
      try {
        if (service == null) {
          throw notReady;
        }
        IngestOutcome outcome = service.ingest(feed, body, ingestContext, deadline);
        LogFields.bulk(
            log, feed, ingestContext, outcome, (System.nanoTime() - started) / 1_000_000);
        if (outcome.accepted()) {
          stored++;
        } else {
          rejected++;
        }
      } catch (SinkException e) {
        failed.add(new Failed(body, feed, origin, e));
        if (e.isTransient() && firstTransient == null) {
          firstTransient = e;
        }
      } catch (RuntimeException e) {
        // A bug or a bad setting (an unknown DEEZWATTS_FEED): no retry cures it, and letting it
        // abort the batch would checkpoint past every bulk unparked. Park this one like any other.
        log.log(Level.SEVERE, "bulk " + describe(origin) + " failed unexpectedly", e);
        failed.add(
            new Failed(
                body,
                feed,
                origin,
                SinkException.permanent(
                    "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(), e)));
      }
    }

    if (firstTransient != null && !lastAttempt) {
      // Nothing is parked yet: a retry may store every bulk of the batch.
      log.warning(
          failed.size()
              + " of "
              + bulks.length
              + " bulks failed (attempt "
              + (attempt + 1)
              + " of "
              + (maxRetries + 1)
              + "); retrying the batch: "
              + firstTransient.getMessage());
      throw firstTransient;
    }
    DeadLetterHub.ParkingException parkingFailure = null;
    for (Failed f : failed) {
      ParkedBulk parked =
          new ParkedBulk(
              f.body, f.feed, f.error.getMessage(), f.error.isTransient(), attempt + 1, f.origin);
      try {
        app.deadLetter().park(parked);
        LogFields.log(
            log,
            Level.SEVERE,
            "parked bulk " + describe(f.origin) + " on the dead-letter hub",
            "outcome",
            "parked",
            "feed",
            f.feed,
            "source",
            "eventhubs",
            "message_id",
            f.origin.deliveryId(),
            "bytes",
            f.body.length,
            "reason",
            f.error.getMessage());
      } catch (DeadLetterHub.ParkingException | IllegalStateException e) {
        LogFields.log(
            log,
            Level.SEVERE,
            "LOST unless replayed from the source hub: bulk "
                + describe(f.origin)
                + " could be neither stored nor parked",
            "outcome",
            "lost",
            "feed",
            f.feed,
            "source",
            "eventhubs",
            "message_id",
            f.origin.deliveryId(),
            "reason",
            f.error.getMessage(),
            "parking_error",
            e.getMessage());
        if (parkingFailure == null) {
          parkingFailure =
              e instanceof DeadLetterHub.ParkingException p
                  ? p
                  : new DeadLetterHub.ParkingException(e.getMessage(), e);
        }
      }
    }
    if (parkingFailure != null) {
      throw parkingFailure;
    }
    log.info(
        "batch of "
            + bulks.length
            + ": "
            + stored
            + " stored, "
            + rejected
            + " quarantined raw, "
            + failed.size()
            + " parked");
  }

  private String feedOf(Map<String, Object> properties, EventHubOrigin origin, Logger log) {
    String feed = text(properties, "feed");
    String fallback = app.settings().defaultFeed();
    if (feed == null) {
      return fallback;
    }
    if (!Catalog.standard().hasFeed(feed)) {
      log.warning(
          "event "
              + origin.deliveryId()
              + ": unknown feed property '"
              + feed
              + "'; using "
              + fallback);
      return fallback;
    }
    return feed;
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

  private record Failed(byte[] body, String feed, EventHubOrigin origin, SinkException error) {}
}
