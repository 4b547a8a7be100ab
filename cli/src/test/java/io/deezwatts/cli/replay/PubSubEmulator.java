package io.deezwatts.cli.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Pub/Sub emulator from the Google Cloud SDK ({@code platform/pubsub-emulator}): the one
 * {@code .ci/run} started ({@code DEEZWATTS_TEST_PUBSUB_EMULATOR=host:port}), else one started here
 * on a loopback port and stopped by {@link #close}. Topics, subscriptions, publishing and pulling
 * for the test's own checks go through its REST API.
 */
final class PubSubEmulator implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process process;
  private final String hostPort;

  private PubSubEmulator(Process process, String hostPort) {
    this.process = process;
    this.hostPort = hostPort;
  }

  /**
   * The emulator CI started, or a new one.
   *
   * @throws IllegalStateException saying how to install it when it is absent
   */
  static PubSubEmulator start() throws IOException, InterruptedException {
    String running = System.getenv("DEEZWATTS_TEST_PUBSUB_EMULATOR");
    if (running != null && !running.isBlank()) {
      PubSubEmulator e = new PubSubEmulator(null, running.trim());
      e.awaitReady(Duration.ofSeconds(60));
      return e;
    }
    Path binary = binary();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p =
        new ProcessBuilder(binary.toString(), "--host=127.0.0.1", "--port=" + port)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    PubSubEmulator e = new PubSubEmulator(p, "127.0.0.1:" + port);
    try {
      e.awaitReady(Duration.ofSeconds(90));
    } catch (IOException | RuntimeException ex) {
      e.close();
      throw ex;
    }
    return e;
  }

  private static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path gcloud = Path.of(dir, "gcloud");
      if (Files.isExecutable(gcloud)) {
        try {
          Path sdk = gcloud.toRealPath().getParent().getParent();
          Path emulator = sdk.resolve("platform/pubsub-emulator/bin/cloud-pubsub-emulator");
          if (Files.isExecutable(emulator)) {
            return emulator;
          }
        } catch (IOException ignored) {
          // try the next PATH entry
        }
      }
    }
    throw new IllegalStateException(
        "The Pub/Sub emulator is not installed, and this test needs the real one: install the"
            + " Google Cloud SDK with `gcloud components install pubsub-emulator` (it is on the"
            + " project's machine image), or set DEEZWATTS_TEST_PUBSUB_EMULATOR=host:port of a"
            + " running emulator.");
  }

  private void awaitReady(Duration limit) throws IOException, InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    IOException last = null;
    while (System.nanoTime() < end) {
      if (process != null && !process.isAlive()) {
        throw new IOException("the Pub/Sub emulator exited with " + process.exitValue());
      }
      try {
        if (get("/v1/projects/ready-check/topics").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        last = e; // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IOException("the Pub/Sub emulator at " + hostPort + " did not answer in time", last);
  }

  /** host:port for DEEZWATTS_PUBSUB_ENDPOINT. */
  String endpoint() {
    return hostPort;
  }

  void createTopic(String project, String topic) throws IOException, InterruptedException {
    send("PUT", "/v1/projects/" + project + "/topics/" + topic, "{}");
  }

  void createSubscription(String project, String subscription, String topic)
      throws IOException, InterruptedException {
    send(
        "PUT",
        "/v1/projects/" + project + "/subscriptions/" + subscription,
        "{\"topic\":\"projects/" + project + "/topics/" + topic + "\",\"ackDeadlineSeconds\":30}");
  }

  void publish(String project, String topic, byte[] data, Map<String, String> attributes)
      throws IOException, InterruptedException {
    ObjectNode message = JSON.createObjectNode();
    message.put("data", Base64.getEncoder().encodeToString(data));
    ObjectNode attrs = message.putObject("attributes");
    attributes.forEach(attrs::put);
    ObjectNode body = JSON.createObjectNode();
    body.putArray("messages").add(message);
    send("POST", "/v1/projects/" + project + "/topics/" + topic + ":publish", body.toString());
  }

  /** A message as pulled: its data and attributes. */
  record Pulled(byte[] data, Map<String, String> attributes) {}

  /** Pulls what is waiting (up to 100), acknowledging it when {@code ack}. */
  List<Pulled> pull(String project, String subscription, boolean ack)
      throws IOException, InterruptedException {
    String path = "/v1/projects/" + project + "/subscriptions/" + subscription;
    JsonNode r =
        JSON.readTree(
            send("POST", path + ":pull", "{\"maxMessages\":100,\"returnImmediately\":true}"));
    List<Pulled> out = new ArrayList<>();
    List<String> ackIds = new ArrayList<>();
    for (JsonNode m : r.path("receivedMessages")) {
      Map<String, String> attributes = new java.util.TreeMap<>();
      m.path("message")
          .path("attributes")
          .properties()
          .forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
      out.add(
          new Pulled(
              Base64.getDecoder().decode(m.path("message").path("data").asText("")), attributes));
      ackIds.add(m.path("ackId").asText());
    }
    if (ack && !ackIds.isEmpty()) {
      send(
          "POST",
          path + ":acknowledge",
          JSON.createObjectNode().set("ackIds", JSON.valueToTree(ackIds)).toString());
    }
    return out;
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String send(String method, String path, String json)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://" + hostPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IOException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  /** Stops the emulator this started (and the Java process its script runs); not CI's. */
  @Override
  public void close() {
    if (process == null) {
      return;
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
