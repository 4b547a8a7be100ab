package io.deezwatts.cli.viriciti;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.ControlMessage;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.Sink;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Lands every data message of ViriCiti's live WebSocket in a {@link Sink}: it composes the {@link
 * LiveSocket} (connect, subscribe, reconnect with backoff, pings, back-pressure), the bounded
 * {@link MessageBuffer} between them, the {@link BatchWriter} on a thread of its own (decodes in
 * batches of {@code batchSize} messages or every {@code flushInterval}, retries a failed write with
 * backoff while the socket reads on) and the {@link BridgeStatistics}. It acts on the server's
 * control messages (the subscription echo, errors, the acl). Time and timers are the {@link
 * BridgeTimers}'. {@link #close()} stops reading and stores what is held.
 *
 * <p>The API key is never logged: every address and error text is redacted first.
 */
final class ViricitiBridge implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ViricitiBridge.class.getName());
  static final String FEED = "viriciti";

  /** What the bridge does; every field has a default fit for production. */
  static final class Settings {
    URI uri;
    String apiKey;
    Subscription subscription;
    boolean showAcl;
    int batchSize = 500;
    Duration flushInterval = Duration.ofSeconds(1);
    int bufferCapacity = 100_000;
    Duration connectTimeout = Duration.ofSeconds(15);
    Duration pingInterval = Duration.ofSeconds(15);
    Duration readTimeout = Duration.ofSeconds(45);
    Duration echoTimeout = Duration.ofSeconds(30);
    Duration reconnectInitial = Duration.ofSeconds(1);
    Duration reconnectMax = Duration.ofSeconds(60);
    Duration writeRetryInitial = Duration.ofMillis(500);
    Duration writeRetryMax = Duration.ofSeconds(30);
    Duration writeDeadline = Duration.ofSeconds(60);
    Duration shutdownTimeout = Duration.ofSeconds(25);

    /**
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    void check() {
      if (uri == null || subscription == null) {
        throw new IllegalArgumentException("the address and the subscription are required");
      }
      if (batchSize < 1 || batchSize > 100_000) {
        throw new IllegalArgumentException("--batch-size must be between 1 and 100000");
      }
      if (bufferCapacity < batchSize) {
        throw new IllegalArgumentException("--buffer must be at least --batch-size");
      }
      for (Duration d :
          List.of(
              flushInterval,
              pingInterval,
              readTimeout,
              connectTimeout,
              reconnectInitial,
              writeRetryInitial)) {
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("intervals and timeouts must be positive");
        }
      }
      if (reconnectMax.compareTo(reconnectInitial) < 0
          || writeRetryMax.compareTo(writeRetryInitial) < 0) {
        throw new IllegalArgumentException("a backoff's first delay must not pass its maximum");
      }
    }
  }

  private final Settings settings;
  private final Consumer<String> aclOut;
  private final BulkDecoder decoder = BulkDecoder.forFeed(FEED);
  private final MessageBuffer buffer;
  private final BridgeTimers timers;
  private final LiveSocket socket;
  private final BatchWriter batchWriter;
  private final Thread writer;
  private final Object monitor = new Object();
  private final BridgeStatistics statistics;

  // Guarded by monitor.
  private boolean started;
  private boolean stopping;
  private boolean terminated;

  /**
   * @param aclOut receives the server's answer to {@code show acl} (the whole message, compact
   *     JSON)
   * @throws IllegalArgumentException when a setting is out of range
   */
  ViricitiBridge(Settings settings, Sink sink, Consumer<String> aclOut) {
    this(settings, sink, aclOut, BridgeTimers.system());
  }

  /**
   * A bridge on {@code timers}: the clock and timers of the socket (silence, the echo timeout,
   * pings, reconnects), of the buffer (when a batch is due) and of the writer (retry waits, the
   * shutdown deadline).
   */
  ViricitiBridge(Settings settings, Sink sink, Consumer<String> aclOut, BridgeTimers timers) {
    settings.check();
    this.settings = settings;
    this.aclOut = aclOut;
    this.timers = timers;
    this.buffer = new MessageBuffer(settings.bufferCapacity, timers);
    this.statistics = new BridgeStatistics(buffer);
    this.socket = new LiveSocket(settings, timers, buffer, statistics, this::keep);
    this.batchWriter =
        new BatchWriter(
            settings, sink, buffer, statistics, timers, c -> control(false, c), socket::resume);
    this.writer = new Thread(batchWriter, "viriciti-bridge-writer");
  }

  /** Connects (in the background) and starts the writer; returns at once. */
  void start() {
    synchronized (monitor) {
      if (started) {
        throw new IllegalStateException("already started");
      }
      started = true;
    }
    writer.start();
    socket.start();
  }

  /** A copy of the counters. */
  BridgeStatistics.Stats stats() {
    return statistics.snapshot();
  }

  /**
   * Waits until the counters satisfy a condition.
   *
   * @return whether they did before the timeout
   * @throws InterruptedException when interrupted while waiting
   */
  boolean awaitStats(Predicate<BridgeStatistics.Stats> condition, Duration timeout)
      throws InterruptedException {
    return statistics.await(condition, timeout);
  }

  /**
   * Blocks until {@link #close()} has finished.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  void awaitTermination() throws InterruptedException {
    synchronized (monitor) {
      while (!terminated) {
        monitor.wait();
      }
    }
  }

  private String redact(String s) {
    return LiveUrl.redact(s, settings.apiKey);
  }

  /**
   * A message from the socket: plain data is kept without a look; anything else is decoded on its
   * own at once, to act on control messages, and kept when it has data (or is not JSON).
   */
  private boolean keep(byte[] message, Instant at) {
    if (looksLikeData(message)) {
      return true;
    }
    DecodedBulk alone = null;
    try {
      alone = decoder.decode(message, context(at));
    } catch (BulkRejectedException e) {
      // Not JSON: it is kept (and quarantined raw) with the data.
    }
    if (alone != null) {
      for (ControlMessage c : alone.control()) {
        control(true, c);
      }
    }
    return alone == null || alone.events() > 0;
  }

  /**
   * Whether a message is plainly a data message ({@code {"type":"vehicles"...}} and the like, as
   * the server writes them), so that it needs no look before it is buffered. Anything else is
   * decoded on its own at once, to act on control messages without waiting for a batch.
   */
  static boolean looksLikeData(byte[] m) {
    int i = 0;
    while (i < m.length && (m[i] == ' ' || m[i] == '\n' || m[i] == '\r' || m[i] == '\t')) {
      i++;
    }
    return startsWith(m, i, "{\"type\":\"vehicles\"")
        || startsWith(m, i, "{\"type\":\"chargestations\"")
        || startsWith(m, i, "{\"type\":\"incidents\"");
  }

  private static boolean startsWith(byte[] m, int at, String prefix) {
    if (m.length - at < prefix.length()) {
      return false;
    }
    for (int j = 0; j < prefix.length(); j++) {
      if (m[at + j] != prefix.charAt(j)) {
        return false;
      }
    }
    return true;
  }

  static IngestContext context(Instant at) {
    return new IngestContext(at, IngestContext.Source.VIRICITI, null, null, Map.of());
  }

  /**
   * Acts on a control message: logs first, then counts, so that waiting on a count sees the log.
   *
   * @param fromSocket whether the socket's connection received it just now (not a batch)
   */
  private void control(boolean fromSocket, ControlMessage c) {
    String json = c.message().toString();
    switch (c.kind()) {
      case "subscription-echo" -> {
        boolean same = settings.subscription.matchesEcho(json);
        if (fromSocket) {
          socket.echoed();
        }
        if (same) {
          LOG.info("the server confirmed the subscription");
        } else {
          LOG.warning(
              () ->
                  "the server echoed a different subscription than was sent: sent "
                      + settings.subscription.json()
                      + ", echoed "
                      + redact(json));
        }
        statistics.echoed(same);
      }
      case "error" -> {
        LOG.warning(() -> "the server sent an error: " + redact(json));
        statistics.serverError();
      }
      case "acl" -> {
        LOG.info("the server sent its acl");
        aclOut.accept(redact(json));
        socket.aclAnswered();
        statistics.aclAnswered();
      }
      default -> LOG.info(() -> "the server sent a " + c.kind() + " message: " + redact(json));
    }
  }

  /**
   * Stops reading, closes the socket and stores everything held, retrying failed writes until the
   * shutdown timeout; then returns. What could not be stored by then is logged as lost (SEVERE).
   * Safe to call more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    synchronized (monitor) {
      if (stopping) {
        while (!terminated) {
          try {
            monitor.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        return;
      }
      stopping = true;
      monitor.notifyAll();
    }
    batchWriter.stopBy(timers.nanoTime() + settings.shutdownTimeout.toNanos());
    socket.close();
    timers.shutdown();
    int held = buffer.held();
    if (held > 0) {
      LOG.info(() -> "shutting down: storing the " + held + " messages held");
    }
    buffer.close();
    if (writer.isAlive() || !started) {
      try {
        writer.join(Math.max(1, settings.shutdownTimeout.toMillis() + 1000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (writer.isAlive()) {
        writer.interrupt();
      }
    }
    synchronized (monitor) {
      terminated = true;
      monitor.notifyAll();
    }
    statistics.changed();
    BridgeStatistics.Stats s = stats();
    LOG.info(
        () ->
            String.format(
                Locale.ROOT,
                "stopped: %d connections, %d messages received, %d stored (%d rows, %d"
                    + " duplicates skipped, %d quarantined), %d not stored",
                s.connections(),
                s.messagesReceived(),
                s.messagesStored(),
                s.rowsStored(),
                s.duplicatesSkipped(),
                s.quarantined(),
                s.held()));
  }
}
