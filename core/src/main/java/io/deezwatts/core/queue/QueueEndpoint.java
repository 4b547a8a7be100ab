package io.deezwatts.core.queue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.sink.SinkException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bulks delivered by a message queue, independent of the platform: the Pub/Sub function and the
 * Event Hubs function translate their messages into {@link #handle} and its {@link QueueOutcome}
 * back into an acknowledgement, a throw or a dead letter. Nothing is acknowledged until every bulk
 * is stored or set aside with its raw bytes and reason.
 *
 * <p>For each message: the feed is its {@code feed} attribute, else {@code DEEZWATTS_FEED} (an
 * unknown attribute is logged and the setting used); the bulk is stored through the {@link
 * IngestService} and logged with one line ({@link LogFields#bulk}, or {@link LogFields#notStored}).
 * A body that is not a bulk is quarantined raw and acknowledged: no retry can fix it. What fails:
 *
 * <ul>
 *   <li>a {@link SinkException}: transient or permanent, as the sink says;
 *   <li>any other exception from storing (a bug, an unknown {@code DEEZWATTS_FEED}): permanent, for
 *       this bulk alone; the rest of the batch is stored;
 *   <li>getting ready (the settings, opening the sink), once per batch ({@link StartupFailure}): a
 *       bad setting is permanent, anything else transient.
 * </ul>
 *
 * <p>{@link QueueDelivery} then decides what failures become. Never throws.
 */
public final class QueueEndpoint {
  private final Supplier<IngestService> service;
  private final Supplier<PushSettings> settings;
  private final Supplier<Catalog> catalog;
  private final Clock clock;

  /**
   * @param service the ingest service, opening the sink on first use; it may throw (see {@link
   *     StartupFailure}) and is asked again on the next batch
   * @param settings {@code DEEZWATTS_FEED} and {@code DEEZWATTS_DEADLINE_SECONDS}; may throw too
   * @param catalog the feeds a {@code feed} attribute may name, loaded on the first message with
   *     one (not while a cold start builds the endpoint)
   */
  public QueueEndpoint(
      Supplier<IngestService> service,
      Supplier<PushSettings> settings,
      Supplier<Catalog> catalog,
      Clock clock) {
    this.service = service;
    this.settings = settings;
    this.catalog = catalog;
    this.clock = clock;
  }

  /**
   * Stores a batch of messages (one, on Pub/Sub), logging to {@code log}: one line per bulk, the
   * line of a failure to get ready, and the retry line. Never throws.
   */
  public QueueOutcome handle(List<QueueMessage> messages, QueueDelivery delivery, Logger log) {
    String defaultFeed = null;
    Instant deadline = null;
    IngestService ready = null;
    SinkException notReady = null;
    try {
      PushSettings s = settings.get();
      defaultFeed = s.defaultFeed();
      // One deadline for the batch (DEEZWATTS_DEADLINE_SECONDS), inside the function's timeout.
      deadline = clock.instant().plus(s.deadline());
      ready = service.get();
    } catch (RuntimeException e) {
      // A bad setting fails every bulk for good; anything else may pass on a retry.
      StartupFailure failure = StartupFailure.of(e);
      failure.log(log, delivery.fields().toArray());
      notReady =
          failure.configuration()
              ? SinkException.permanent(failure.logLine(), e)
              : SinkException.transientFailure(failure.logLine(), e);
    }

    List<QueueOutcome.Failed> failed = new ArrayList<>();
    SinkException firstTransient = null;
    int stored = 0;
    int rejected = 0;
    for (int i = 0; i < messages.size(); i++) {
      QueueMessage message = messages.get(i);
      String feed = feedOf(message, defaultFeed, log);
      IngestContext context =
          new IngestContext(
              clock.instant(), delivery.source(), null, message.messageId(), message.metadata());
      long started = System.nanoTime();
      SinkException error;
      try {
        if (ready == null) {
          throw notReady;
        }
        IngestOutcome outcome = ready.ingest(feed, message.body(), context, deadline);
        LogFields.bulk(log, feed, context, outcome, millisSince(started));
        if (outcome.accepted()) {
          stored++;
        } else {
          rejected++;
        }
        continue;
      } catch (SinkException e) {
        error = e;
        if (ready != null) { // a failure to get ready is logged once, above
          LogFields.notStored(
              log, feed, context, e.isTransient(), e.getMessage(), millisSince(started));
        }
      } catch (RuntimeException e) {
        // No retry cures a bug or a bad setting, and it must not abort the batch: the bulks after
        // it would never be stored. It fails this bulk for good.
        LogFields.log(
            log,
            Level.SEVERE,
            "bulk " + message.where() + " failed unexpectedly",
            e,
            "outcome",
            "failed",
            "feed",
            feed,
            "source",
            delivery.source().wireName(),
            "message_id",
            message.messageId());
        error =
            SinkException.permanent(
                "unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
      }
      failed.add(new QueueOutcome.Failed(i, message, feed, error, delivery.attempt() + 1));
      if (error.isTransient() && firstTransient == null) {
        firstTransient = error;
      }
    }
    return decide(messages.size(), delivery, stored, rejected, failed, firstTransient, log);
  }

  private static QueueOutcome decide(
      int messages,
      QueueDelivery delivery,
      int stored,
      int rejected,
      List<QueueOutcome.Failed> failed,
      SinkException firstTransient,
      Logger log) {
    if (failed.isEmpty()) {
      return new QueueOutcome(
          QueueOutcome.Decision.ACK, delivery, messages, stored, rejected, failed, null);
    }
    if (!delivery.parksInFunction()) {
      // The queue redelivers, then dead-letters after its own attempts: every failure retries.
      SinkException retry = firstTransient != null ? firstTransient : failed.get(0).error();
      return new QueueOutcome(
          QueueOutcome.Decision.RETRY, delivery, messages, stored, rejected, failed, retry);
    }
    if (firstTransient != null && !delivery.lastAttempt()) {
      // Nothing is parked yet: a retry may store every bulk of the batch.
      log.warning(
          failed.size()
              + " of "
              + messages
              + " bulks failed (attempt "
              + (delivery.attempt() + 1)
              + " of "
              + (delivery.maxRetries() + 1)
              + "); retrying the batch: "
              + firstTransient.getMessage());
      return new QueueOutcome(
          QueueOutcome.Decision.RETRY,
          delivery,
          messages,
          stored,
          rejected,
          failed,
          firstTransient);
    }
    return new QueueOutcome(
        QueueOutcome.Decision.PARK, delivery, messages, stored, rejected, failed, null);
  }

  /**
   * The message's {@code feed} attribute when the catalog knows it, else {@code DEEZWATTS_FEED}; an
   * unknown attribute is logged.
   */
  private String feedOf(QueueMessage message, String defaultFeed, Logger log) {
    String feed = message.feedAttribute();
    if (feed == null) {
      return defaultFeed;
    }
    if (!catalog.get().hasFeed(feed)) {
      LogFields.log(
          log,
          Level.WARNING,
          "unknown feed attribute; using " + defaultFeed,
          "message_id",
          message.messageId(),
          "feed_attribute",
          feed);
      return defaultFeed;
    }
    return feed;
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
