package io.deezwatts.cli.viriciti;

import static io.deezwatts.cli.viriciti.ViricitiBridge.FEED;
import static io.deezwatts.cli.viriciti.ViricitiBridge.context;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.ControlMessage;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.core.util.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bridge's batch writer: takes messages from the {@link MessageBuffer} in batches (every {@code
 * batchSize} messages or {@code flushInterval}, whichever comes first), decodes each batch together
 * and stores it, retrying a failed write with backoff while the socket reads on into the buffer. A
 * batch is released from the buffer only once stored; {@code resumed} runs when that frees room
 * after a pause. When shutting down ({@link #stopBy}) retries end at the deadline and what could
 * not be stored is logged as lost (SEVERE). Retry waits and the deadline are on the {@link
 * BridgeTimers}' clock. Runs on one thread.
 */
final class BatchWriter implements Runnable {
  /** Logs as the bridge: one logger for the whole bridge. */
  private static final Logger LOG = Logger.getLogger(ViricitiBridge.class.getName());

  /** A batch is cut at this size too, well under the decoder's 32 MiB body limit. */
  private static final long MAX_BATCH_BYTES = 8L << 20;

  private final ViricitiBridge.Settings settings;
  private final Sink sink;
  private final MessageBuffer buffer;
  private final BridgeStatistics statistics;
  private final Consumer<ControlMessage> controls;
  private final Runnable resumed;
  private final BridgeTimers timers;
  private final BulkDecoder decoder = BulkDecoder.forFeed(FEED);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition stopped = lock.newCondition();

  // Guarded by lock.
  private boolean stopping;
  private long shutdownDeadline; // valid once stopping

  /**
   * @param controls receives the control messages found in a batch
   * @param resumed runs when a stored batch ends a pause (the buffer has room again)
   */
  BatchWriter(
      ViricitiBridge.Settings settings,
      Sink sink,
      MessageBuffer buffer,
      BridgeStatistics statistics,
      BridgeTimers timers,
      Consumer<ControlMessage> controls,
      Runnable resumed) {
    this.timers = timers;
    this.settings = settings;
    this.sink = sink;
    this.buffer = buffer;
    this.statistics = statistics;
    this.controls = controls;
    this.resumed = resumed;
  }

  /** The writer thread's loop: until the buffer is closed and drained, or shutdown time is over. */
  @Override
  public void run() {
    Backoff.Sequence retry =
        new Backoff(settings.writeRetryInitial, settings.writeRetryMax).sequence();
    long flushNanos = settings.flushInterval.toNanos();
    try {
      while (true) {
        List<MessageBuffer.Message> batch =
            buffer.awaitBatch(settings.batchSize, flushNanos, MAX_BATCH_BYTES, flushNanos);
        if (batch == null) {
          return;
        }
        if (batch.isEmpty()) {
          continue;
        }
        SinkBatch sinkBatch = decode(batch);
        if (!store(sinkBatch, batch.size(), retry)) {
          return; // shutdown time is over; the batch stays counted as held, not stored
        }
        boolean roomAgain = buffer.release(batch.size());
        statistics.changed(); // the held count fell after the stored count rose: wake waiters
        if (roomAgain) {
          resumed.run();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      int left = buffer.held();
      if (left > 0) {
        LOG.severe(() -> left + " received messages were not stored before shutdown");
      }
    }
  }

  /** Decodes a batch together; when one message is not JSON, message by message. */
  private SinkBatch decode(List<MessageBuffer.Message> batch) {
    IngestContext ctx = context(batch.get(0).receivedAt());
    int size = batch.size();
    for (MessageBuffer.Message m : batch) {
      size += m.bytes().length;
    }
    byte[] body = new byte[size];
    int at = 0;
    for (MessageBuffer.Message m : batch) {
      System.arraycopy(m.bytes(), 0, body, at, m.bytes().length);
      at += m.bytes().length;
      body[at++] = '\n';
    }
    try {
      DecodedBulk bulk = decoder.decode(body, ctx);
      for (ControlMessage c : bulk.control()) {
        controls.accept(c);
      }
      return SinkBatch.of(bulk);
    } catch (BulkRejectedException e) {
      List<Row> rows = new ArrayList<>();
      List<QuarantineEntry> quarantine = new ArrayList<>();
      for (MessageBuffer.Message m : batch) {
        try {
          DecodedBulk one = decoder.decode(m.bytes(), ctx);
          rows.addAll(one.rows());
          for (QuarantinedEvent q : one.quarantined()) {
            quarantine.add(QuarantineEntry.of(q));
          }
          for (ControlMessage c : one.control()) {
            controls.accept(c);
          }
        } catch (BulkRejectedException bad) {
          LOG.warning(() -> "a message is not JSON (kept in quarantine): " + bad.getMessage());
          quarantine.addAll(
              SinkBatch.rejected(FEED, m.bytes(), ctx, bad.getMessage()).quarantine());
        }
      }
      return new SinkBatch(FEED, ctx, rows, quarantine);
    }
  }

  /**
   * Stores a batch, retrying with backoff until it is stored; gives up only when shutting down and
   * the shutdown time is over.
   */
  private boolean store(SinkBatch batch, int messages, Backoff.Sequence retry)
      throws InterruptedException {
    while (true) {
      try {
        WriteResult r = sink.write(batch, Instant.now().plus(settings.writeDeadline));
        retry.reset();
        statistics.stored(messages, r);
        return true;
      } catch (SinkException | RuntimeException e) {
        Duration delay = retry.next();
        // Read the clock before counting: a test that waits on the count then moves the clock.
        long retryAt = timers.nanoTime() + delay.toNanos();
        boolean permanent = e instanceof SinkException s && !s.isTransient();
        statistics.writeFailed();
        Level level = permanent ? Level.SEVERE : Level.WARNING;
        LOG.log(
            level,
            () ->
                String.format(
                    Locale.ROOT,
                    "storing %d messages in %s failed (%s): %s; retrying in %d ms, reading on"
                        + " into the buffer (%d of %d held)",
                    messages,
                    sink.describe(),
                    permanent ? "permanent; retrying in case it is fixed" : "transient",
                    LiveUrl.redact(String.valueOf(e.getMessage()), settings.apiKey),
                    delay.toMillis(),
                    buffer.held(),
                    buffer.capacity()));
        if (!pauseBeforeRetry(retryAt)) {
          LOG.severe(
              () -> "shutdown time is over: " + buffer.held() + " messages could not be stored");
          return false;
        }
      }
    }
  }

  /**
   * Shutting down: the buffer is being closed, and a failed write is retried only until {@code
   * deadlineNanos} (on the timers' clock).
   */
  void stopBy(long deadlineNanos) {
    lock.lock();
    try {
      stopping = true;
      shutdownDeadline = deadlineNanos;
      stopped.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code until} (the timers' clock); false when the shutdown deadline passes first.
   */
  private boolean pauseBeforeRetry(long until) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        long now = timers.nanoTime();
        if (stopping && now - shutdownDeadline >= 0) {
          return false;
        }
        long wake = until;
        if (stopping && shutdownDeadline - until < 0) {
          wake = shutdownDeadline;
        }
        if (wake - now <= 0) {
          return true;
        }
        timers.awaitUntil(lock, stopped, wake);
      }
    } finally {
      lock.unlock();
    }
  }
}
