package io.deezwatts.cli.replay;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import io.deezwatts.core.util.DaemonThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes pieces to an event hub: each piece is one event (one bulk, the function's unit), added
 * to an {@link EventDataBatch} until {@link EventDataBatch#tryAdd} says it is full, then sent. A
 * piece that does not fit even an empty batch is split in halves until it does; a single event too
 * large for one Event Hubs event is reported, not sent. Up to {@link #CONCURRENT_SENDS} batches are
 * sent at once; the reader waits while that many are in flight, so memory stays bounded.
 */
final class EventHubsBulkPublisher implements BulkPublisher {
  /** Batches sent at once (each up to 1 MB): enough to hide the round trip. */
  static final int CONCURRENT_SENDS = 4;

  /**
   * Left free in a batch for one event's AMQP framing and properties, so that a piece cut to {@link
   * #maxBodyBytes} nearly always fits an empty batch (when it does not, it is halved).
   */
  static final int EVENT_OVERHEAD_BYTES = 1024;

  private static final Set<AmqpErrorCondition> FATAL =
      Set.of(
          AmqpErrorCondition.NOT_FOUND,
          AmqpErrorCondition.UNAUTHORIZED_ACCESS,
          AmqpErrorCondition.ENTITY_DISABLED_ERROR,
          AmqpErrorCondition.PUBLISHER_REVOKED_ERROR);

  private static final Duration FINISH_TIMEOUT = Duration.ofMinutes(15);

  private final EventHubsProducer producer;
  private final String feed;
  private final ReplayStats stats;
  private final int maxBodyBytes;
  private final ExecutorService senders;
  private final Semaphore inFlight = new Semaphore(CONCURRENT_SENDS);
  private EventDataBatch batch;
  private List<Piece> batched = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Creates the first batch, which connects to the hub: a wrong namespace, hub or key fails here,
   * before any file is read.
   *
   * @throws AmqpException when the hub cannot be reached or refuses the credentials (after the
   *     client's retries)
   */
  EventHubsBulkPublisher(EventHubsProducer producer, String feed, ReplayStats stats) {
    this.producer = producer;
    this.feed = feed;
    this.stats = stats;
    this.batch = producer.createBatch();
    // The batch's size starts with what it reserves for its own envelope.
    this.maxBodyBytes = batch.getMaxSizeInBytes() - batch.getSizeInBytes() - EVENT_OVERHEAD_BYTES;
    this.senders =
        Executors.newFixedThreadPool(CONCURRENT_SENDS, DaemonThreads.named("eventhubs-send"));
  }

  @Override
  public String describe() {
    return "eventhubs:" + producer.describe();
  }

  @Override
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  @Override
  public void publish(Piece piece) throws InterruptedException {
    EventData event = new EventData(piece.body());
    event.setContentType("application/json");
    event.getProperties().put(Attributes.FEED, feed);
    event.getProperties().put(Attributes.FILE, Attributes.fileName(piece.file()));
    if (fits(event)) {
      batched.add(piece);
      return;
    }
    if (batch.getCount() > 0) {
      sendBatch();
      try {
        batch = producer.createBatch();
      } catch (AmqpException e) {
        failed(List.of(piece), e);
        stats.abort(reason(e));
        return;
      }
      if (fits(event)) {
        batched.add(piece);
        return;
      }
    }
    if (piece.events() > 1) {
      for (Piece half : piece.halves()) {
        publish(half);
      }
      return;
    }
    stats.failure(
        piece.where()
            + ": "
            + piece.body().length
            + " bytes, too large for one Event Hubs event (at most "
            + batch.getMaxSizeInBytes()
            + " bytes with its framing); not published",
        1);
  }

  /** Adds the event to the batch if it fits. */
  private boolean fits(EventData event) {
    try {
      return batch.tryAdd(event);
    } catch (AmqpException e) {
      // tryAdd returns false when the batch is full, but throws when the event alone is too large.
      if (AmqpErrorCondition.LINK_PAYLOAD_SIZE_EXCEEDED.equals(e.getErrorCondition())) {
        return false;
      }
      throw e;
    }
  }

  /** Hands the current batch to a sender; waits while {@link #CONCURRENT_SENDS} are in flight. */
  private void sendBatch() throws InterruptedException {
    EventDataBatch full = batch;
    List<Piece> pieces = batched;
    batched = new ArrayList<>();
    inFlight.acquire();
    senders.execute(
        () -> {
          try {
            producer.send(full);
            pieces.forEach(stats::published);
          } catch (AmqpException e) {
            failed(pieces, e);
            if (FATAL.contains(e.getErrorCondition())) {
              stats.abort(reason(e));
            }
          } catch (RuntimeException e) {
            // Not an answer from the hub (the client was closed, or a bug): later sends fail too.
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            pieces.forEach(p -> stats.publishFailed(p, reason));
            stats.abort(reason);
          } finally {
            inFlight.release();
          }
        });
  }

  private void failed(List<Piece> pieces, AmqpException e) {
    String reason = reason(e);
    pieces.forEach(p -> stats.publishFailed(p, reason));
  }

  private static String reason(AmqpException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
    return (e.getErrorCondition() == null ? "" : e.getErrorCondition() + ": ") + m;
  }

  @Override
  public boolean finish() throws InterruptedException {
    if (batch.getCount() > 0) {
      sendBatch();
    }
    senders.shutdown();
    boolean done = senders.awaitTermination(FINISH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    close();
    return done;
  }

  @Override
  public void close() {
    if (!closed.getAndSet(true)) {
      senders.shutdownNow();
      producer.close();
    }
  }
}
