package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts serve} as a user runs it: the built jar in its own process, the functions in the
 * real Functions Framework invoker, requests over real HTTP, rows checked in the DuckDB file after
 * the server stops.
 */
class ServeIT {
  private static final String TOKEN = "s3cret-for-tests";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();
  private final java.util.concurrent.BlockingQueue<String> output =
      new java.util.concurrent.LinkedBlockingQueue<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** Starts serve and returns its HTTP port once it says it is listening. */
  private int serve(String sink, Map<String, String> env) throws IOException {
    int port = freePortPair();
    Path jar = Path.of("target/deezwatts.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the CLI jar is built before integration tests");
    ProcessBuilder pb =
        new ProcessBuilder(
                "java", "-jar", jar.toString(), "serve", "--port", "" + port, "--sink", sink)
            .redirectErrorStream(true);
    pb.environment().put("DEEZWATTS_HTTP_TOKEN", TOKEN);
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.startsWith("Stop with Ctrl-C")) {
        Thread drain = new Thread(() -> drain(out), "serve-output");
        drain.setDaemon(true);
        drain.start();
        assertTrue(seen.toString().contains("http://localhost:" + port + "/"), seen.toString());
        assertTrue(
            seen.toString().contains("Token:     from DEEZWATTS_HTTP_TOKEN"), seen.toString());
        assertFalse(seen.toString().contains(TOKEN), "the configured secret is never printed");
        return port;
      }
    }
    throw new AssertionError("serve exited before it was ready:\n" + seen);
  }

  /** Keeps serve's output lines for {@link #awaitLine}. */
  private void drain(BufferedReader in) {
    try {
      String line;
      while ((line = in.readLine()) != null) {
        output.add(line);
      }
    } catch (IOException ignored) {
      // The process ended.
    }
  }

  /** The first line serve writes (from now on) that matches, waiting up to 30 s for it. */
  private String awaitLine(java.util.function.Predicate<String> wanted)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String line;
    while ((line = output.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS))
        != null) {
      if (wanted.test(line)) {
        return line;
      }
    }
    throw new AssertionError("serve wrote no such line within 30 s");
  }

  private static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException busy) {
        // try another pair
      }
    }
    throw new IOException("no two free adjacent ports");
  }

  private static HttpResponse<String> post(int port, String path, String auth, byte[] body)
      throws IOException, InterruptedException {
    return post(port, path, auth, body, Map.of());
  }

  private static HttpResponse<String> post(
      int port, String path, String auth, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
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
  private static HttpResponse<String> postStructuredEnvelope(int pubsubPort)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + pubsubPort + "/"))
            .header("Content-Type", "application/cloudevents+json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(resource("structured-envelope.json")))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = ServeIT.class.getResourceAsStream("/pubsub/" + name)) {
      return in.readAllBytes();
    }
  }

  private void stopAll() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "serve stops on SIGTERM");
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
    Path db = dir.resolve("serve.duckdb");
    int port = serve("duckdb:" + db, Map.of());
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

    String basic =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(("cc:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    byte[] account = Files.readAllBytes(Path.of("../samples/legacy-account.json"));
    assertEquals(200, post(port, "/legacy/account", basic, account).statusCode());

    assertEquals(401, post(port, "/data-streams", "Bearer wrong", bulk).statusCode());
    assertEquals(401, post(port, "/data-streams", null, bulk).statusCode());
    HttpResponse<String> get =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/")).GET().build(),
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

    // Pub/Sub, structured mode: the whole CloudEvent as JSON; the feed comes from an attribute.
    HttpResponse<String> structured = postStructuredEnvelope(port + 1);
    assertTrue(
        structured.statusCode() / 100 == 2,
        "structured: " + structured.statusCode() + " " + structured.body());

    // Pub/Sub, binary mode: CloudEvent attributes as ce-* headers, the envelope as the body.
    Properties headers = new Properties();
    try (InputStream in = ServeIT.class.getResourceAsStream("/pubsub/binary-headers.properties")) {
      headers.load(in);
    }
    HttpRequest.Builder binary =
        HttpRequest.newBuilder(URI.create("http://localhost:" + (port + 1) + "/"))
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

    HttpResponse<String> message = postStructuredEnvelope(port + 1);
    assertFalse(message.statusCode() / 100 == 2, "Pub/Sub must redeliver: " + message.statusCode());
  }

  @Test
  void aSinkSettingNoRetryCanFixIs500NotARetry() throws Exception {
    // The HTTP function opens the sink on the first push: "nosuch:" is served by no provider.
    int port = serve("nosuch:somewhere", Map.of());
    byte[] bulk = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    HttpResponse<String> push = post(port, "/data-streams", "Bearer " + TOKEN, bulk);
    assertEquals(500, push.statusCode(), push.body());
    assertFalse(push.body().contains("nosuch"), "the cause goes to the log: " + push.body());
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
    JsonNode line = JSON.readTree(awaitLine(l -> l.contains("\"outcome\":\"stored\"")));
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
    String raw = awaitLine(l -> l.contains("\"outcome\":\"refused\""));
    JsonNode refusal = JSON.readTree(raw);
    assertEquals("WARNING", refusal.path("severity").asText());
    assertEquals(401, refusal.path("status").asInt());
    assertEquals("unauthorized", refusal.path("reason").asText());
    assertFalse(raw.contains("not-the-secret"), "the credential is never logged: " + raw);
  }
}
