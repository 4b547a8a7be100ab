package io.deezwatts.cli.viriciti;

import io.deezwatts.core.util.Backoff;
import io.deezwatts.core.util.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The bridge's live WebSocket: connects, sends the subscription (and {@code show acl} once when
 * asked), re-connects a lost connection with capped, jittered exponential backoff, pings every
 * {@code pingInterval} and drops a socket silent for {@code readTimeout}, and warns once when the
 * subscription is not echoed within {@code echoTimeout}. Data messages go into the {@link
 * MessageBuffer}; when it is full the socket stops asking for messages (WebSocket demand) until
 * {@link #resume()}, so the server is slowed down and nothing is dropped. Each whole message is
 * first shown to the {@link Inbound}, which acts on control messages at once and says what to keep.
 * Time (silence, the echo timeout) and timers (pings, reconnects) are the {@link BridgeTimers}'.
 */
final class LiveSocket {
  /** Logs as the bridge: one logger for the whole bridge. */
  private static final Logger LOG = Logger.getLogger(ViricitiBridge.class.getName());

  /** What the socket does with each whole message, before it is buffered. */
  interface Inbound {
    /**
     * Acts on what the message says (control messages), on the socket's thread.
     *
     * @return whether the message is kept with the data (it has events, or is not JSON)
     */
    boolean keep(byte[] message, Instant receivedAt);
  }

  private final ViricitiBridge.Settings settings;
  private final BridgeTimers timers;
  private final MessageBuffer buffer;
  private final BridgeStatistics statistics;
  private final Inbound inbound;
  private final Backoff.Sequence reconnectBackoff;
  private final HttpClient client;
  private final Object monitor = new Object();

  // Guarded by monitor.
  private Connection current;
  private int generation;
  private boolean stopping;
  private boolean aclAnswered;
  private boolean pausedLogged;

  LiveSocket(
      ViricitiBridge.Settings settings,
      BridgeTimers timers,
      MessageBuffer buffer,
      BridgeStatistics statistics,
      Inbound inbound) {
    this.settings = settings;
    this.timers = timers;
    this.buffer = buffer;
    this.statistics = statistics;
    this.inbound = inbound;
    this.reconnectBackoff =
        new Backoff(settings.reconnectInitial, settings.reconnectMax).sequence();
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout)
            .executor(Executors.newCachedThreadPool(DaemonThreads.named("viriciti-bridge-socket")))
            .build();
  }

  /** Starts pinging and connects, on the timers; returns at once. */
  void start() {
    timers.every(settings.pingInterval, this::watch);
    timers.execute(this::connect);
  }

  /**
   * The server echoed the subscription. Called from {@link Inbound#look}, on the connection that
   * received the echo (the current one).
   */
  void echoed() {
    Connection conn;
    synchronized (monitor) {
      conn = current;
    }
    if (conn != null) {
      conn.echoed = true;
    }
  }

  /** The server answered {@code show acl}: later connections do not ask again. */
  void aclAnswered() {
    synchronized (monitor) {
      aclAnswered = true;
    }
  }

  /** The buffer has room again after a pause: reads resume. */
  void resume() {
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
    statistics.changed();
  }

  /**
   * Stops reconnecting and closes the connection (a close frame, then abort). The caller shuts the
   * timers down. Safe to call more than once.
   */
  void close() {
    Connection conn;
    synchronized (monitor) {
      stopping = true;
      conn = current;
      current = null;
    }
    if (conn != null && conn.socket != null) {
      WebSocket ws = conn.socket;
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "shutting down").get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // closing anyway
      }
      ws.abort();
    }
  }

  private String redact(String s) {
    return LiveUrl.redact(s, settings.apiKey);
  }

  private String describe(Throwable t) {
    Throwable c = t;
    while (c instanceof CompletionException && c.getCause() != null) {
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
    } catch (RejectedExecutionException e) {
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
      statistics.changed();
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

  /** Keeps a data message; false when the buffer is now full and reads pause. */
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
    synchronized void send(Function<WebSocket, CompletableFuture<?>> op) {
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
      statistics.changed();
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
      statistics.changed();
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      LOG.warning(() -> "the connection failed: " + describe(error));
      lost(this);
      statistics.changed();
    }

    private void received(WebSocket ws, byte[] message) {
      Instant at = Instant.now();
      long nanos = timers.nanoTime();
      boolean more = true;
      if (inbound.keep(message, at)) {
        more = keep(message, at, nanos);
      }
      reconnectBackoff.reset(); // the server talks to us: the next loss starts from the start
      if (more) {
        ws.request(1);
      }
    }
  }
}
