package io.deezwatts.testing.viriciti;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A real, minimal RFC 6455 WebSocket server on a local port, speaking ViriCiti's live protocol as
 * the spec describes it: it echoes a subscription, answers {@code show acl}, and lets a test send
 * data and {@code error} messages, pings, close frames, drop the TCP connection abruptly, or go
 * silent (stop answering pings, send nothing). Client frames are unmasked as the RFC requires;
 * fragmented text is reassembled. No library: what the bridge talks to is the protocol itself.
 */
public final class LocalLiveServer implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;
  private final Thread acceptor;
  private final BlockingQueue<Peer> connections = new LinkedBlockingQueue<>();
  private final List<Peer> all = new CopyOnWriteArrayList<>();

  /** How the subscription is echoed; null: not at all. */
  public volatile UnaryOperator<String> echo = s -> s;

  /** How many coming handshakes to refuse with HTTP 401, as a wrong API key would be. */
  public final java.util.concurrent.atomic.AtomicInteger rejectNext =
      new java.util.concurrent.atomic.AtomicInteger();

  /** How many handshakes were refused. */
  public final java.util.concurrent.atomic.AtomicInteger rejected =
      new java.util.concurrent.atomic.AtomicInteger();

  /** The answer to {@code show acl}. */
  public volatile String acl =
      "{\"type\":\"acl\",\"payload\":{\"vehicles\":[\"vehicle_1\"],\"user\":\"test\"}}";

  public LocalLiveServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "local-live-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** {@code ws://127.0.0.1:PORT/api/v2/live}. */
  public String baseUrl() {
    return "ws://127.0.0.1:" + server.getLocalPort() + "/api/v2/live";
  }

  /**
   * The next connection the bridge made (completed handshake), waiting up to the timeout.
   *
   * @throws AssertionError when none came
   */
  public Peer nextConnection(Duration timeout) throws InterruptedException {
    Peer p = connections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (p == null) {
      throw new AssertionError("the bridge did not connect within " + timeout);
    }
    return p;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Peer p = new Peer(s);
        Thread t = new Thread(p::run, "local-live-peer");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Peer p : all) {
      p.abort();
    }
  }

  /** One client connection. */
  public final class Peer {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    public volatile String requestTarget;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    final CountDownLatch closed = new CountDownLatch(1);
    public volatile int closeCode = -1;
    final java.util.concurrent.atomic.AtomicInteger pingsReceived =
        new java.util.concurrent.atomic.AtomicInteger();
    private final Object pingMonitor = new Object();
    public volatile boolean silent;
    private boolean closeSent;

    Peer(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    void run() {
      try {
        handshake();
        all.add(this);
        connections.add(this);
        readLoop();
      } catch (IOException e) {
        // the client went away
      } finally {
        closed.countDown();
        try {
          socket.close();
        } catch (IOException e) {
          // closed
        }
      }
    }

    private void handshake() throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int state = 0;
      while (state < 4) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("no handshake");
        }
        head.write(b);
        state =
            (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                ? state + 1
                : (b == '\r' ? 1 : 0);
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      String[] request = lines[0].split(" ");
      if (!request[0].equals("GET") || request.length < 3) {
        throw new IOException("not a GET: " + lines[0]);
      }
      requestTarget = request[1];
      String key = null;
      boolean upgrade = false;
      for (String l : lines) {
        int c = l.indexOf(':');
        if (c < 0) {
          continue;
        }
        String name = l.substring(0, c).trim().toLowerCase(Locale.ROOT);
        String value = l.substring(c + 1).trim();
        if (name.equals("sec-websocket-key")) {
          key = value;
        } else if (name.equals("upgrade") && value.equalsIgnoreCase("websocket")) {
          upgrade = true;
        }
      }
      if (rejectNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        out.write(
            ("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 27"
                    + "\r\nConnection: close\r\n\r\n{\"error\":\"invalid apiKey\"}")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        rejected.incrementAndGet();
        throw new IOException("rejected on purpose");
      }
      if (key == null || !upgrade) {
        out.write(
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        throw new IOException("not a WebSocket upgrade");
      }
      String accept;
      try {
        accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.ISO_8859_1)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      synchronized (this) {
        out.write(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: "
                    + accept
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    }

    private void readLoop() throws IOException {
      ByteArrayOutputStream fragments = null;
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
          return;
        }
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        boolean masked = (b1 & 0x80) != 0;
        if (!masked) {
          throw new IOException("a client frame must be masked (RFC 6455 5.1)");
        }
        long len = b1 & 0x7F;
        if (len == 126) {
          len = (readByte() << 8) | readByte();
        } else if (len == 127) {
          len = 0;
          for (int i = 0; i < 8; i++) {
            len = (len << 8) | readByte();
          }
        }
        byte[] mask = in.readNBytes(4);
        byte[] payload = in.readNBytes((int) len);
        if (payload.length != len || mask.length != 4) {
          return;
        }
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i & 3];
        }
        switch (opcode) {
          case 0x0, 0x1, 0x2 -> {
            if (opcode != 0 || fragments == null) {
              fragments = new ByteArrayOutputStream();
            }
            fragments.writeBytes(payload);
            if (fin) {
              text(fragments.toString(StandardCharsets.UTF_8));
              fragments = null;
            }
          }
          case 0x8 -> {
            closeCode =
                payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            synchronized (this) {
              if (!closeSent) {
                frame(0x8, new byte[] {(byte) 0x03, (byte) 0xE8});
                closeSent = true;
              }
            }
            return;
          }
          case 0x9 -> {
            synchronized (pingMonitor) {
              pingsReceived.incrementAndGet();
              pingMonitor.notifyAll();
            }
            if (!silent) {
              synchronized (this) {
                frame(0xA, payload);
              }
            }
          }
          case 0xA -> pongs.add(new String(payload, StandardCharsets.UTF_8));
          default -> throw new IOException("unknown opcode " + opcode);
        }
      }
    }

    private int readByte() throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new EOFException();
      }
      return b;
    }

    /**
     * Answers first, then records: a test that has seen the message it waited for can rely on the
     * answer being on the wire ahead of anything it sends next, as with the real server.
     */
    private void text(String message) throws IOException {
      String m = message.trim();
      if (!silent) {
        if (m.startsWith("{")) {
          UnaryOperator<String> e = echo;
          if (e != null) {
            send(e.apply(m));
          }
        } else if (m.equals("show acl")) {
          send(acl);
        }
      }
      received.add(message);
    }

    /** Writes one unmasked, final frame; callers hold the lock. */
    private void frame(int opcode, byte[] payload) throws IOException {
      out.write(0x80 | opcode);
      int n = payload.length;
      if (n < 126) {
        out.write(n);
      } else if (n < 65536) {
        out.write(126);
        out.write(n >>> 8);
        out.write(n);
      } else {
        out.write(127);
        for (int i = 7; i >= 0; i--) {
          out.write((int) ((long) n >>> (8 * i)));
        }
      }
      out.write(payload);
    }

    /** Sends one text message. */
    public synchronized void send(String text) throws IOException {
      frame(0x1, text.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    /** Sends a text message split into a text frame and continuation frames. */
    public synchronized void sendFragmented(String text, int pieces) throws IOException {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      int step = Math.max(1, b.length / pieces);
      for (int from = 0; from < b.length; from += step) {
        int to = Math.min(b.length, from + step);
        boolean fin = to == b.length;
        out.write((fin ? 0x80 : 0) | (from == 0 ? 0x1 : 0x0));
        byte[] part = java.util.Arrays.copyOfRange(b, from, to);
        out.write(part.length); // tests keep pieces under 126 bytes
        out.write(part);
      }
      out.flush();
    }

    /**
     * Sends many text messages as fast as the socket takes them (blocking when the client stops
     * reading: TCP back-pressure).
     */
    public synchronized void sendAll(Iterable<String> messages) throws IOException {
      for (String m : messages) {
        frame(0x1, m.getBytes(StandardCharsets.UTF_8));
      }
      out.flush();
    }

    /**
     * Sends {@code count} messages made by {@code message(i)}, as fast as the socket takes them.
     */
    public void flood(java.util.function.IntFunction<byte[]> message, int from, int to)
        throws IOException {
      synchronized (this) {
        for (int i = from; i < to; i++) {
          frame(0x1, message.apply(i));
        }
        out.flush();
      }
    }

    /** Sends pre-encoded UTF-8 messages {@code times} times over, as fast as possible. */
    public void flood(byte[][] messages, int count) throws IOException {
      synchronized (this) {
        for (int i = 0; i < count; i++) {
          frame(0x1, messages[i % messages.length]);
        }
        out.flush();
      }
    }

    /**
     * Pings and waits for the matching pong. The JDK client answers a ping only after it has
     * delivered every message before it, so a pong proves those messages reached the bridge.
     */
    public void roundTrip(Duration timeout) throws IOException, InterruptedException {
      String token = "rt-" + System.nanoTime();
      synchronized (this) {
        frame(0x9, token.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        String p = pongs.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (p == null) {
          throw new AssertionError("no pong within " + timeout);
        }
        if (p.equals(token)) {
          return;
        }
      }
    }

    /** Sends a close frame; the client answers and the connection ends. */
    public synchronized void sendClose(int code) throws IOException {
      frame(0x8, new byte[] {(byte) (code >>> 8), (byte) code});
      closeSent = true;
      out.flush();
    }

    /** Drops the TCP connection without a close frame (RST). */
    public void abort() {
      try {
        socket.setSoLinger(true, 0);
        socket.close();
      } catch (SocketException e) {
        // already gone
      } catch (IOException e) {
        // already gone
      }
    }

    /** The next text message the client sent. */
    public String nextReceived(Duration timeout) throws InterruptedException {
      String m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (m == null) {
        throw new AssertionError("the client sent nothing within " + timeout);
      }
      return m;
    }

    /** Waits until the client has sent at least {@code n} pings. */
    public boolean awaitPingsReceived(int n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (pingMonitor) {
        while (pingsReceived.get() < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(pingMonitor, left);
        }
        return true;
      }
    }

    /** Waits for the connection to end. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
      return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }
}
