package io.deezwatts.cli.viriciti;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.ControlMessage;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.util.Backoff;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Holds ViriCiti's live WebSocket and lands every data message in a {@link Sink}.
 *
 * <p>After every connect it sends the subscription and checks the server's echo. Data messages go
 * into a bounded {@link MessageBuffer}; the {@link BatchWriter}, on a thread of its own, decodes
 * them in batches (every {@code batchSize} messages or {@code flushInterval}, whichever comes
 * first) and stores each batch, retrying a failed write with backoff while the socket keeps
 * reading. What happened is counted in {@link BridgeStatistics}. When the buffer is full the bridge
 * stops asking the socket for messages (WebSocket demand), so the server is slowed down and nothing
 * is dropped. A lost connection is re-made with capped, jittered exponential backoff; a silent one
 * (no message or pong within {@code readTimeout}, pinged every {@code pingInterval}) is dropped and
 * re-made. {@link #close()} stops reading and stores what is held.
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
  private final Sink sink;
  private final Consumer<String> aclOut;
  private final BulkDecoder decoder = BulkDecoder.forFeed(FEED);
  private final MessageBuffer buffer;
  private final Backoff.Sequence reconnectBackoff;
  private final HttpClient client;
  private final BridgeTimers timers;
  private final BatchWriter batchWriter;
  private final Thread writer;
  private final Object monitor = new Object();
  private final BridgeStatistics statistics;

  // Guarded by monitor.
  private Connection current;
  private int generation;
  private boolean started;
  private boolean stopping;
  private boolean terminated;
  private boolean aclAnswered;

  /**
   * @param aclOut receives the server's answer to {@code show acl} (the whole message, compact
   *     JSON)
   * @throws IllegalArgumentException when a setting is out of range
   */
  ViricitiBridge(Settings settings, Sink sink, Consumer<String> aclOut) {
    this(settings, sink, aclOut, BridgeTimers.system());
  }

  /**
   * A bridge on {@code timers}: the socket's clock (silence, the echo timeout) and its timers
   * (pings, reconnects).
   */
  ViricitiBridge(Settings settings, Sink sink, Consumer<String> aclOut, BridgeTimers timers) {
    settings.check();
    this.settings = settings;
    this.sink = sink;
    this.aclOut = aclOut;
    this.buffer = new MessageBuffer(settings.bufferCapacity);
    this.statistics = new BridgeStatistics(buffer);
    this.reconnectBackoff =
        new Backoff(settings.reconnectInitial, settings.reconnectMax).sequence();
    this.timers = timers;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout)
            .executor(
                Executors.newCachedThreadPool(
                    r -> {
                      Thread t = new Thread(r, "viriciti-bridge-socket");
                      t.setDaemon(true);
                      return t;
                    }))
            .build();
    this.batchWriter =
        new BatchWriter(settings, sink, buffer, statistics, c -> control(null, c), this::resume);
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
    timers.every(settings.pingInterval, this::watch);
    timers.execute(this::connect);
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

  private void changed() {
    synchronized (monitor) {
      monitor.notifyAll();
    }
    statistics.changed();
  }

  private String redact(String s) {
    return LiveUrl.redact(s, settings.apiKey);
  }

  private String describe(Throwable t) {
    Throwable c = t;
    while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    StringBuilder b = new StringBuilder(c.getClass().getSimpleName());
    for (Throwable x = c; x != null && b.length() < 500; x = x.getCause()) {
      if (x != c) {
        b.append(" <- ").append(x.getClass().getSimpleName());
      }
      if (x.getMessage() != null) {
        b.append(": ").append(x.getMessage());
      }
    }
    return redact(b.toString());
  }

  // ---------------------------------------------------------------- connection

  private void connect() {
    int gen;
    synchronized (monitor) {
      if (stopping) {
        return;
      }
      gen = ++generation;
    }
    String where = redact(settings.uri.toString());
    LOG.info(() -> "connecting to " + where);
    Connection conn = new Connection(gen);
    try {
      client
          .newWebSocketBuilder()
          .connectTimeout(settings.connectTimeout)
          .buildAsync(settings.uri, conn)
          .whenComplete(
              (ws, err) -> {
                if (err != null) {
                  LOG.warning(() -> "connecting to " + where + " failed: " + describe(err));
                  lost(conn);
                } else if (isStopping()) {
                  ws.abort();
                }
              });
    } catch (RuntimeException e) {
      LOG.warning(() -> "connecting to " + where + " failed: " + describe(e));
      lost(conn);
    }
  }

  private boolean isStopping() {
    synchronized (monitor) {
      return stopping;
    }
  }

  /** A connection ended (or never began): schedule the next one unless stopping. */
  private void lost(Connection conn) {
    Duration delay;
    synchronized (monitor) {
      if (conn.lost) {
        return;
      }
      conn.lost = true;
      if (current == conn) {
        current = null;
      }
      if (stopping || conn.generation != generation) {
        return;
      }
      delay = reconnectBackoff.next();
    }
    WebSocket ws = conn.socket;
    if (ws != null) {
      ws.abort();
    }
    int attempt = reconnectBackoff.attempts();
    LOG.info(
        () ->
            String.format(
                Locale.ROOT, "reconnecting in %d ms (attempt %d)", delay.toMillis(), attempt));
    try {
      timers.after(delay, this::connect);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  /** Every ping interval: ping the server, or drop a socket that has been silent too long. */
  private void watch() {
    Connection conn;
    synchronized (monitor) {
      conn = current;
    }
    if (conn == null || conn.socket == null) {
      return;
    }
    long now = timers.nanoTime();
    if (buffer.isPaused()) {
      conn.lastInbound = now; // not reading on purpose: silence is ours
      return;
    }
    long silent = now - conn.lastInbound;
    if (silent > settings.readTimeout.toNanos()) {
      LOG.warning(
          () ->
              String.format(
                  Locale.ROOT,
                  "no message or pong for %.1f s (read timeout %.1f s): the socket is silent;"
                      + " dropping it",
                  silent / 1e9,
                  settings.readTimeout.toMillis() / 1e3));
      statistics.silentSocket();
      lost(conn);
      changed();
      return;
    }
    if (!conn.echoed
        && !conn.echoWarned
        && conn.subscribedAt != 0
        && now - conn.subscribedAt > settings.echoTimeout.toNanos()) {
      conn.echoWarned = true;
      LOG.warning(
          () ->
              "the server has not echoed the subscription after "
                  + settings.echoTimeout.toSeconds()
                  + " s; data may not flow");
      statistics.echoTimedOut();
    }
    conn.send(ws -> ws.sendPing(ByteBuffer.wrap(Long.toString(now).getBytes())));
  }

  /** One WebSocket connection: its listener, its send queue and its liveness. */
  private final class Connection implements WebSocket.Listener {
    final int generation;
    volatile WebSocket socket;
    volatile long lastInbound = timers.nanoTime();
    volatile long subscribedAt;
    volatile boolean echoed;
    volatile boolean echoWarned;
    boolean lost; // guarded by monitor
    private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
    private StringBuilder text;
    private ByteArrayOutputStream binary;

    Connection(int generation) {
      this.generation = generation;
    }

    /** Queues a send after the previous one (the JDK allows one outstanding send). */
    synchronized void send(java.util.function.Function<WebSocket, CompletableFuture<?>> op) {
      WebSocket ws = socket;
      if (ws == null) {
        return;
      }
      sends =
          sends
              .handle((r, e) -> null)
              .thenCompose(x -> op.apply(ws))
              .whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      LOG.fine(() -> "a send failed: " + describe(e));
                    }
                  });
    }

    @Override
    public void onOpen(WebSocket ws) {
      socket = ws;
      lastInbound = timers.nanoTime();
      boolean askAcl;
      synchronized (monitor) {
        if (stopping || lost) {
          ws.abort();
          return;
        }
        current = this;
        askAcl = settings.showAcl && !aclAnswered;
      }
      statistics.connected();
      LOG.info(
          () ->
              "connected to "
                  + redact(settings.uri.toString())
                  + "; sending the subscription "
                  + settings.subscription.json());
      subscribedAt = timers.nanoTime();
      send(ws2 -> ws2.sendText(settings.subscription.json(), true));
      if (askAcl) {
        send(ws2 -> ws2.sendText("show acl", true));
      }
      changed();
      if (!buffer.isPaused()) {
        ws.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      lastInbound = timers.nanoTime();
      if (!last || text != null) {
        if (text == null) {
          text = new StringBuilder();
        }
        text.append(data);
        if (!last) {
          ws.request(1);
          return null;
        }
        data = text;
        text = null;
      }
      received(ws, data.toString().getBytes(StandardCharsets.UTF_8));
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      lastInbound = timers.nanoTime();
      if (binary == null) {
        binary = new ByteArrayOutputStream();
      }
      byte[] part = new byte[data.remaining()];
      data.get(part);
      binary.writeBytes(part);
      if (!last) {
        ws.request(1);
        return null;
      }
      byte[] whole = binary.toByteArray();
      binary = null;
      LOG.fine("a binary message arrived; reading it as UTF-8 JSON");
      received(ws, whole);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
      lastInbound = timers.nanoTime(); // the JDK answers with a pong itself
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      lastInbound = timers.nanoTime();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      LOG.warning(
          () ->
              "the server closed the connection: "
                  + statusCode
                  + (reason == null || reason.isEmpty() ? "" : " " + redact(reason)));
      lost(this);
      changed();
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      LOG.warning(() -> "the connection failed: " + describe(error));
      lost(this);
      changed();
    }

    private void received(WebSocket ws, byte[] message) {
      Instant at = Instant.now();
      long nanos = System.nanoTime();
      boolean more = true;
      if (looksLikeData(message)) {
        more = keep(message, at, nanos);
      } else {
        DecodedBulk alone = null;
        try {
          alone = decoder.decode(message, context(at));
        } catch (BulkRejectedException e) {
          // Not JSON: it is kept (and quarantined raw) with the data.
        }
        if (alone != null) {
          for (ControlMessage c : alone.control()) {
            control(this, c);
          }
        }
        if (alone == null || alone.events() > 0) {
          more = keep(message, at, nanos);
        }
      }
      reconnectBackoff.reset(); // the server talks to us: the next loss starts from the start
      if (more) {
        ws.request(1);
      }
    }

    private boolean keep(byte[] message, Instant at, long nanos) {
      boolean room = buffer.add(new MessageBuffer.Message(message, at, nanos));
      boolean newlyPaused;
      synchronized (monitor) {
        newlyPaused = !room && buffer.isPaused() && !pausedLogged;
        if (newlyPaused) {
          pausedLogged = true;
        }
      }
      statistics.received();
      if (newlyPaused) {
        LOG.warning(
            () ->
                "back-pressure: the buffer is full ("
                    + buffer.held()
                    + " messages held, capacity "
                    + buffer.capacity()
                    + ") while the sink catches up; pausing reads from the socket");
        statistics.paused();
      }
      return room;
    }
  }

  private boolean pausedLogged; // guarded by monitor

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
   */
  private void control(Connection conn, ControlMessage c) {
    String json = c.message().toString();
    switch (c.kind()) {
      case "subscription-echo" -> {
        boolean same = settings.subscription.matchesEcho(json);
        if (conn != null) {
          conn.echoed = true;
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
        synchronized (monitor) {
          aclAnswered = true;
        }
        statistics.aclAnswered();
      }
      default -> LOG.info(() -> "the server sent a " + c.kind() + " message: " + redact(json));
    }
  }

  // ---------------------------------------------------------------- writing

  private void resume() {
    Connection conn;
    synchronized (monitor) {
      pausedLogged = false;
      conn = current;
    }
    LOG.info(() -> "the sink caught up (" + buffer.held() + " messages held); resuming reads");
    if (conn != null && conn.socket != null) {
      conn.lastInbound = timers.nanoTime();
      conn.socket.request(1);
    }
    changed();
  }

  /**
   * Stops reading, closes the socket and stores everything held, retrying failed writes until the
   * shutdown timeout; then returns. What could not be stored by then is logged as lost (SEVERE).
   * Safe to call more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    Connection conn;
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
      conn = current;
      current = null;
    }
    batchWriter.stopBy(System.nanoTime() + settings.shutdownTimeout.toNanos());
    timers.shutdown();
    if (conn != null && conn.socket != null) {
      WebSocket ws = conn.socket;
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "shutting down").get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
      ws.abort();
    }
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
