package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts serve} as a user runs it: the built jar in its own process, the functions on the
 * real Functions Framework invoker's executors, requests over real HTTP (raw sockets where the test
 * needs to control the bytes), rows checked in the DuckDB file after the server stops.
 */
class ServeIT {
  private static final String TOKEN = ServeProcess.TOKEN;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<ServeProcess> processes = new ArrayList<>();

  private ServeProcess lastServe() {
    return processes.get(processes.size() - 1);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (ServeProcess p : processes) {
      p.close();
    }
  }

  /** Starts serve and returns its HTTP port once it says it is listening. */
  private int serve(String sink, Map<String, String> env) throws Exception {
    ServeProcess p = ServeProcess.ready(env, "--sink", sink);
    processes.add(p);
    String seen = p.output();
    assertTrue(seen.contains("http://127.0.0.1:" + p.port + "/"), seen);
    assertTrue(seen.contains("http://127.0.0.1:" + (p.port + 1) + "/"), seen);
    assertTrue(seen.contains("Token:     from DEEZWATTS_HTTP_TOKEN"), seen);
    assertFalse(seen.contains(TOKEN), "the configured secret is never printed");
    return p.port;
  }

  private static HttpResponse<String> post(int port, String path, String auth, byte[] body)
      throws IOException, InterruptedException {
    return post(port, path, auth, body, Map.of());
  }

  private static HttpResponse<String> post(
      int port, String path, String auth, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("X-Request-Id", "req-" + path.hashCode())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The structured-mode Pub/Sub CloudEvent fixture, posted to the Pub/Sub function's port. */
  private static HttpResponse<String> postStructuredEnvelope(int pubsubPort, String auth)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pubsubPort + "/"))
            .header("Content-Type", "application/cloudevents+json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(resource("structured-envelope.json")));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ServeIT.class.getResourceAsStream("/pubsub/" + name)) {
      return in.readAllBytes();
    }
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private void stopAll() throws InterruptedException {
    for (ServeProcess p : processes) {
      assertEquals(0, p.terminate(), "serve stops cleanly on SIGTERM:\n" + p.output());
    }
    processes.clear();
  }

  private static long count(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void pushesAndPubSubMessagesAreStoredOnceAndBadRequestsAnswered() throws Exception {
    Path data = dir.resolve("new/data");
    Path db = data.resolve("serve.duckdb");
    int port = serve("duckdb:" + db, Map.of());
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(data)),
        "serve creates the folder for its data private to its owner");
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    String bearer = "Bearer " + TOKEN;

    HttpResponse<String> first = post(port, "/data-streams", bearer, bulk);
    assertEquals(200, first.statusCode(), first.body());
    JsonNode answer = JSON.readTree(first.body());
    assertEquals("accepted", answer.get("status").asText());
    assertEquals(53, answer.get("stored").asInt());

    HttpResponse<String> again = post(port, "/data-streams", bearer, bulk);
    assertEquals(200, again.statusCode());
    assertEquals(
        0, JSON.readTree(again.body()).get("stored").asInt(), "a re-sent bulk adds nothing");

    String basic = basic("cc", TOKEN);
    byte[] account = Files.readAllBytes(Path.of("../samples/legacy-account.json"));
    assertEquals(200, post(port, "/legacy/account", basic, account).statusCode());

    assertEquals(401, post(port, "/data-streams", "Bearer wrong", bulk).statusCode());
    assertEquals(401, post(port, "/data-streams", null, bulk).statusCode());
    HttpResponse<String> get =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    HttpResponse<String> notJson =
        post(
            port,
            "/data-streams",
            bearer,
            "{\"not\":\"an array\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, notJson.statusCode());
    assertTrue(notJson.body().startsWith("{\"error\":"), notJson.body());
    assertFalse(notJson.body().contains("Exception"), "no stack trace reaches the sender");
    byte[] huge = new byte[32 * 1024 * 1024 + 1];
    java.util.Arrays.fill(huge, (byte) ' ');
    HttpResponse<String> tooLarge = post(port, "/data-streams", bearer, huge);
    assertEquals(413, tooLarge.statusCode(), tooLarge.body());

    // Pub/Sub: the same secret as the HTTP port, or 401 before the function sees the event.
    HttpResponse<String> anonymous = postStructuredEnvelope(port + 1, null);
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    assertEquals("{\"error\":\"unauthorized\"}", anonymous.body());
    assertEquals(401, postStructuredEnvelope(port + 1, "Bearer not-the-s3cret").statusCode());
    assertEquals(401, postStructuredEnvelope(port + 1, basic("cc", TOKEN + "x")).statusCode());
    ServeProcess serve = processes.get(0);
    serve.awaitLine("Pub/Sub request from 127.0.0.1 refused: 401, no Authorization header", WAIT);
    serve.awaitLine(
        "Pub/Sub request from 127.0.0.1 refused: 401, the Authorization header does not carry",
        WAIT);
    assertFalse(serve.output().contains("not-the-s3cret"), "refusals never log the credential");
    assertFalse(serve.output().contains(TOKEN + "x"), "refusals never log the credential");

    // Pub/Sub, structured mode: the whole CloudEvent as JSON; the feed comes from an attribute.
    HttpResponse<String> structured = postStructuredEnvelope(port + 1, bearer);
    assertTrue(
        structured.statusCode() / 100 == 2,
        "structured: " + structured.statusCode() + " " + structured.body());

    // Pub/Sub, binary mode: CloudEvent attributes as ce-* headers, the envelope as the body.
    Properties headers = new Properties();
    try (InputStream in = ServeIT.class.getResourceAsStream("/pubsub/binary-headers.properties")) {
      headers.load(in);
    }
    HttpRequest.Builder binary =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (port + 1) + "/"))
            .header("Authorization", basic("", TOKEN))
            .POST(HttpRequest.BodyPublishers.ofByteArray(resource("binary-data.json")));
    headers.stringPropertyNames().forEach(h -> binary.header(h, headers.getProperty(h)));
    HttpResponse<String> binaryAnswer =
        CLIENT.send(binary.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(
        binaryAnswer.statusCode() / 100 == 2,
        "binary: " + binaryAnswer.statusCode() + " " + binaryAnswer.body());

    stopAll();
    assertFalse(
        Files.exists(Path.of(db + ".wal")),
        "serve closes the DuckDB file on SIGTERM: checkpointed, no write-ahead log left to replay");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
      assertEquals(
          53,
          count(c, "SELECT count(*) FROM vehicle_events_dedup")
              + count(c, "SELECT count(*) FROM admin_events_dedup"),
          "the HTTP bulk and the same bulk over Pub/Sub are stored once");
      assertEquals(
          53,
          count(c, "SELECT count(*) FROM vehicle_events")
              + count(c, "SELECT count(*) FROM admin_events"));
      assertEquals(4, count(c, "SELECT count(*) FROM legacy_account_events_dedup"));
      assertEquals(
          14,
          count(
              c,
              "SELECT count(*) FROM legacy_car_events WHERE source = 'pubsub' AND message_id = '8911217034127541'"),
          "Pub/Sub rows carry the message id");
      assertEquals(
          1,
          count(
                      c,
                      "SELECT count(*) FROM legacy_car_events WHERE metadata->>'$.\"attribute.origin\"' = 'connected-cars' LIMIT 1")
                  > 0
              ? 1
              : 0);
      assertEquals(
          1,
          count(
              c,
              "SELECT count(*) FROM quarantine WHERE event_index IS NULL AND source = 'http' AND request_id IS NOT NULL"),
          "the unparseable bulk is quarantined raw with its request id");
    }
  }

  @Test
  void aFailingSinkIsNeverAcknowledged() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    int port =
        serve(
            "bigquery:test-project.test_dataset",
            Map.of(
                "DEEZWATTS_BIGQUERY_ENDPOINT",
                "http://127.0.0.1:" + closedPort,
                "DEEZWATTS_DEADLINE_SECONDS",
                "3"));
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    HttpResponse<String> push = post(port, "/data-streams", "Bearer " + TOKEN, bulk);
    assertEquals(503, push.statusCode(), push.body());
    assertFalse(push.body().contains("Exception"), push.body());

    HttpResponse<String> message = postStructuredEnvelope(port + 1, "Bearer " + TOKEN);
    assertFalse(message.statusCode() / 100 == 2, "Pub/Sub must redeliver: " + message.statusCode());
  }

  @Test
  void listensOnLoopbackUnlessToldOtherwise() throws Exception {
    int port = serve("duckdb:" + dir.resolve("loopback.duckdb"), Map.of());
    // 127.0.0.2 is this machine too, but not the address serve is bound to.
    assertFalse(accepts("127.0.0.2", port), "bound to 127.0.0.1 only");
    assertFalse(accepts("127.0.0.2", port + 1), "the Pub/Sub port as well");
    assertTrue(accepts("127.0.0.1", port));

    ServeProcess exposed =
        ServeProcess.ready(
            Map.of(), "--host", "0.0.0.0", "--sink", "duckdb:" + dir.resolve("exposed.duckdb"));
    processes.add(exposed);
    assertTrue(exposed.output().contains("http://0.0.0.0:" + exposed.port + "/"), exposed.output());
    assertTrue(exposed.output().contains("[every interface]"), exposed.output());
    assertTrue(accepts("127.0.0.2", exposed.port), "--host 0.0.0.0 listens everywhere");
  }

  private static boolean accepts(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  @Test
  void bodiesOverTheLimitAre413BeforeTheyAreRead() throws Exception {
    int port = serve("duckdb:" + dir.resolve("limit.duckdb"), Map.of());
    String bearer = "Bearer " + TOKEN;
    long size = 400L * 1000 * 1000;
    for (int p : new int[] {port, port + 1}) {
      for (boolean chunked : new boolean[] {false, true}) {
        Exchange e = postGenerated(p, "/data-streams", bearer, chunked, size);
        String what = (p == port ? "HTTP" : "Pub/Sub") + (chunked ? " chunked" : " Content-Length");
        assertEquals(413, e.status(), what + ": " + e.head());
        // The push endpoint drains up to twice the limit of a chunked body so that the sender sees
        // the 413 (about 100 MB sent, socket buffers included); nothing reads the 400 MB.
        assertTrue(e.sentBeforeAnswer() < size / 2, what + ": sent " + e.sentBeforeAnswer());
      }
    }
    assertEquals(
        200,
        post(
                port,
                "/data-streams",
                bearer,
                Files.readAllBytes(Path.of("../samples/data-streams.json")))
            .statusCode(),
        "still serving");
  }

  @Test
  void anAnswerBeforeTheBodyWasReadEndsItsConnectionAndSaysSo() throws Exception {
    int port = serve("duckdb:" + dir.resolve("keepalive.duckdb"), Map.of());
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // Headers and half the body: the 401 comes before the rest exists, as for a sender whose
      // body is still on its way. Reusing this connection would race the server closing it.
      out.write(pushHead("Bearer wrong", bulk.length));
      out.write(bulk, 0, bulk.length / 2);
      out.flush();
      String refused = readAnswer(in);
      assertTrue(refused.startsWith("HTTP/1.1 401"), refused);
      assertTrue(refused.toLowerCase(Locale.ROOT).contains("connection: close"), refused);
      try {
        assertEquals(-1, in.read(), "the server ends the connection it said it would close");
      } catch (java.net.SocketException reset) {
        // Ended too: a reset instead of a clean end when the server closes with bytes unread.
      }
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // Accepted bulks keep their connection: two pushes on one socket, both stored.
      for (int i = 0; i < 2; i++) {
        out.write(pushHead("Bearer " + TOKEN, bulk.length));
        out.write(bulk);
        out.flush();
        String stored = readAnswer(in);
        assertTrue(stored.startsWith("HTTP/1.1 200"), stored);
        assertFalse(stored.toLowerCase(Locale.ROOT).contains("connection: close"), stored);
      }
    }
    // What a pooling client does with it: refusals in a row, then a push, each answered.
    HttpClient pooled = HttpClient.newHttpClient();
    for (String auth : new String[] {"Bearer wrong", null, "Bearer also-wrong"}) {
      HttpRequest.Builder r =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/data-streams"))
              .POST(HttpRequest.BodyPublishers.ofByteArray(bulk));
      if (auth != null) {
        r.header("Authorization", auth);
      }
      assertEquals(401, pooled.send(r.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    }
    HttpRequest push =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/data-streams"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bulk))
            .build();
    assertEquals(200, pooled.send(push, HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  private static byte[] pushHead(String auth, int length) {
    return ("POST /data-streams HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + auth
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Reads one answer with a Content-Length body from a raw connection; "" when it closed. */
  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) >= 0) {
      head.append((char) c);
    }
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
    return head.toString();
  }

  /** The status line of an answer and how much of the body had been sent when it came. */
  private record Exchange(int status, String head, long sentBeforeAnswer) {}

  /**
   * Posts {@code size} spaces, generated as they are sent (never held in memory), with a {@code
   * Content-Length} or chunked. A writer thread sends while this one waits for the answer, so a
   * server that answers without reading the body is seen doing so.
   */
  private static Exchange postGenerated(
      int port, String path, String auth, boolean chunked, long size) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + auth
                  + "\r\nContent-Type: application/cloudevents+json\r\n"
                  + (chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size)
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      AtomicLong sent = new AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                byte[] block = new byte[64 * 1024];
                Arrays.fill(block, (byte) ' ');
                try {
                  while (sent.get() < size) {
                    int n = (int) Math.min(block.length, size - sent.get());
                    if (chunked) {
                      out.write(
                          (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(block, 0, n);
                    if (chunked) {
                      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    sent.addAndGet(n);
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                } catch (IOException closed) {
                  // The server answered and closed the connection.
                }
              },
              "generated-body");
      writer.setDaemon(true);
      writer.start();
      String head = readHead(socket.getInputStream());
      return new Exchange(status(head), head, sent.get());
    }
  }

  /** Reads a response's status line and headers, up to the blank line. */
  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      head.append((char) c);
      if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
        return head.toString();
      }
    }
    throw new IOException("the connection closed after: " + head);
  }

  private static int status(String head) {
    return Integer.parseInt(head.substring(9, 12));
  }

  @Test
  void aSecondServeOnTheSamePortOrFileFailsAtStart() throws Exception {
    Path db = dir.resolve("first.duckdb");
    int port = serve("duckdb:" + db, Map.of());

    Path other = dir.resolve("second.duckdb");
    ServeProcess samePort = ServeProcess.start(port, Map.of(), "--sink", "duckdb:" + other);
    processes.add(samePort);
    assertEquals(1, samePort.awaitExit(WAIT), samePort.output());
    assertTrue(
        samePort
            .output()
            .contains(
                "deezwatts: cannot listen on 127.0.0.1:"
                    + port
                    + " for HTTP: Address already in use (another deezwatts serve?"),
        samePort.output());
    assertFalse(samePort.output().contains("Exception"), samePort.output());
    assertFalse(Files.exists(other), "a port in use fails before any file is created");

    ServeProcess sameFile =
        ServeProcess.start(ServeProcess.freePortPair(), Map.of(), "--sink", "duckdb:" + db);
    processes.add(sameFile);
    assertEquals(1, sameFile.awaitExit(WAIT), sameFile.output());
    assertTrue(
        sameFile.output().contains("deezwatts: cannot open DuckDB file " + db), sameFile.output());
    assertFalse(sameFile.output().contains("Stop with Ctrl-C"), "never listening");

    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    for (int i = 0; i < 4; i++) {
      assertEquals(
          200,
          post(port, "/data-streams", "Bearer " + TOKEN, bulk).statusCode(),
          "the first serve keeps every push");
    }
  }

  @Test
  void startupErrorsNameTheirCause() throws Exception {
    assertStartFails(
        Map.of("DEEZWATTS_HTTP_TOKEN", TOKEN + "\n"),
        "deezwatts: DEEZWATTS_HTTP_TOKEN: push secret must not begin or end with whitespace (a"
            + " trailing newline?)");
    assertStartFails(
        Map.of("DEEZWATTS_DEADLINE_SECONDS", "soon"),
        "deezwatts: cannot start HttpIngestFunction: DEEZWATTS_DEADLINE_SECONDS must be a whole"
            + " number of seconds");
    assertFalse(Files.exists(dir.resolve("never.duckdb")), "nothing is created");
  }

  /** Starts serve with {@code env} and expects exit status 1 and exactly {@code message}. */
  private void assertStartFails(Map<String, String> env, String message) throws Exception {
    ServeProcess p =
        ServeProcess.start(
            ServeProcess.freePortPair(), env, "--sink", "duckdb:" + dir.resolve("never.duckdb"));
    processes.add(p);
    assertEquals(1, p.awaitExit(WAIT), p.output());
    assertEquals(message, p.output().strip());
  }

  @Test
  void aStopLetsTheBulkInFlightFinishWithItsAnswerThenClosesTheFile() throws Exception {
    Path db = dir.resolve("stop.duckdb");
    ServeProcess serve = ServeProcess.ready(Map.of(), "--sink", "duckdb:" + db);
    processes.add(serve);
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    try (Socket socket = new Socket("127.0.0.1", serve.port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          ("POST /data-streams HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\nExpect: 100-continue\r\nContent-Length: "
                  + bulk.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      // Jetty asks for the body once the function starts reading it: the bulk is in flight.
      String interim = readHead(in);
      assertEquals(100, status(interim), interim);

      serve.sigterm();
      serve.awaitLine("Stopping:", WAIT);
      awaitRefused(serve.port);

      out.write(bulk);
      String head = readHead(in);
      assertEquals(200, status(head), head);
      assertTrue(
          head.toLowerCase(Locale.ROOT).contains("connection: close"),
          "answered while stopping: " + head);
      int length =
          Integer.parseInt(head.replaceAll("(?is).*content-length: *([0-9]+).*", "$1").strip());
      JsonNode answer = JSON.readTree(in.readNBytes(length));
      assertEquals(53, answer.get("stored").asInt(), answer.toString());
    }
    assertEquals(0, serve.awaitExit(WAIT), serve.output());
    serve.awaitLine("Stopped; the sink is closed.", WAIT);
    assertFalse(Files.exists(Path.of(db + ".wal")), "checkpointed after the last bulk");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db)) {
      assertEquals(
          53,
          count(c, "SELECT count(*) FROM vehicle_events")
              + count(c, "SELECT count(*) FROM admin_events"));
    }
  }

  @Test
  void theStopTimeoutBoundsTheWaitForAStalledUpload() throws Exception {
    ServeProcess serve =
        ServeProcess.ready(
            Map.of(), "--stop-timeout", "1", "--sink", "duckdb:" + dir.resolve("stalled.duckdb"));
    processes.add(serve);
    try (Socket socket = new Socket("127.0.0.1", serve.port)) {
      socket.setSoTimeout(60_000);
      socket
          .getOutputStream()
          .write(
              ("POST /data-streams HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      assertEquals(100, status(readHead(socket.getInputStream())));
      long start = System.nanoTime();
      serve.sigterm();
      // The body never comes: without the bound, serve would wait for Jetty's 30 s idle timeout.
      assertEquals(0, serve.awaitExit(WAIT), serve.output());
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertTrue(seconds < 20, "stopped after " + seconds + " s with --stop-timeout 1");
      String rest = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertFalse(rest.contains("200 OK"), "the unfinished bulk is not acknowledged: " + rest);
    }
  }

  /**
   * Waits until the port takes no new request: connections refused (or, at worst, a 503). Each
   * probe is a GET, which stores nothing whenever it is still answered.
   */
  private static void awaitRefused(int port) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(5_000);
        s.getOutputStream()
            .write(
                "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        last = readHead(s.getInputStream());
        if (status(last) == 503) {
          return;
        }
      } catch (IOException refused) {
        return;
      }
      Thread.sleep(20); // still taking requests: the stop has not reached the connector yet
    }
    throw new AssertionError("new requests still taken while stopping: " + last);
  }

  @Test
  void onGoogleCloudEachBulkAndEachRefusalLogsOneJsonLine() throws Exception {
    // K_SERVICE is what Cloud Run sets for a deployed function; terraform sets the project.
    int port =
        serve(
            "duckdb:" + dir.resolve("logs.duckdb"),
            Map.of("K_SERVICE", "deezwatts-http", "GOOGLE_CLOUD_PROJECT", "test-project"));
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    String trace = "0123456789abcdef0123456789abcdef";
    HttpResponse<String> ok =
        post(
            port,
            "/data-streams",
            "Bearer " + TOKEN,
            bulk,
            Map.of("X-Cloud-Trace-Context", trace + "/42;o=1"));
    assertEquals(200, ok.statusCode(), ok.body());
    JsonNode line = JSON.readTree(lastServe().awaitLine("\"outcome\":\"stored\"", WAIT));
    assertEquals("INFO", line.path("severity").asText());
    assertTrue(line.path("message").asText().startsWith("bulk stored"), line.toString());
    assertEquals("data-streams", line.path("feed").asText());
    assertEquals("http", line.path("source").asText());
    assertEquals("req-" + "/data-streams".hashCode(), line.path("request_id").asText());
    assertEquals(53, line.path("events").asInt());
    assertEquals(53, line.path("stored").asInt());
    assertEquals(0, line.path("quarantined").asInt());
    assertTrue(line.path("duration_ms").isIntegralNumber(), line.toString());
    assertEquals(
        "projects/test-project/traces/" + trace,
        line.path("logging.googleapis.com/trace").asText());
    assertEquals(
        "deezwatts-http", line.path("logging.googleapis.com/labels").path("function").asText());

    HttpResponse<String> refused =
        post(port, "/data-streams", "Bearer not-the-secret-" + TOKEN, bulk);
    assertEquals(401, refused.statusCode());
    String raw = lastServe().awaitLine("\"outcome\":\"refused\"", WAIT);
    JsonNode refusal = JSON.readTree(raw);
    assertEquals("WARNING", refusal.path("severity").asText());
    assertEquals(401, refusal.path("status").asInt());
    assertEquals("unauthorized", refusal.path("reason").asText());
    assertFalse(raw.contains("not-the-secret"), "the credential is never logged: " + raw);
  }
}
