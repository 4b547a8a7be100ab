package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.functions.invoker.runner.Invoker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A function of this module served by the real Functions Framework invoker ({@link Invoker}, the
 * class Cloud Run functions start), in this process so that the test can read the DuckDB file it
 * writes. Its settings are given as system properties while it is constructed, as {@code deezwatts
 * serve} gives them ({@link FunctionEnvironment}); each distinct set of settings gets its own
 * composition root. What the {@code io.deezwatts} loggers write meanwhile is kept for {@link
 * #logs()}.
 */
final class InvokedFunction implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Invoker invoker;
  private final int port;
  private final Logger logger = Logger.getLogger("io.deezwatts");
  private final List<LogRecord> records = new ArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (records) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private InvokedFunction(Class<?> function, String signature, Map<String, String> settings)
      throws Exception {
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
    this.port = freePort();
    this.invoker = new Invoker(port, function.getName(), signature, function.getClassLoader());
    Map<String, String> previous = new HashMap<>();
    for (Map.Entry<String, String> s : settings.entrySet()) {
      previous.put(s.getKey(), System.getProperty(s.getKey()));
      System.setProperty(s.getKey(), s.getValue());
    }
    try {
      // The executor makes the function object now, reading the settings.
      invoker.startTestServer();
    } catch (Exception | Error e) {
      logger.removeHandler(handler);
      throw e;
    } finally {
      previous.forEach(
          (k, v) -> {
            if (v == null) {
              System.clearProperty(k);
            } else {
              System.setProperty(k, v);
            }
          });
    }
  }

  /** An HTTP function ({@code HttpFunction}) on the invoker. */
  static InvokedFunction http(Class<?> function, Map<String, String> settings) throws Exception {
    return new InvokedFunction(function, "http", settings);
  }

  /** A CloudEvents function ({@code CloudEventsFunction}) on the invoker. */
  static InvokedFunction cloudEvents(Class<?> function, Map<String, String> settings)
      throws Exception {
    return new InvokedFunction(function, "cloudevent", settings);
  }

  /** Sends a request; {@code body} may be null. */
  HttpResponse<String> send(String method, String path, Map<String, String> headers, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Publishes a bulk to a CloudEvents function as Eventarc delivers a Pub/Sub message (a
   * structured-mode CloudEvent, {@code google.cloud.pubsub.topic.v1.messagePublished}). A 2xx
   * acknowledges the message; anything else makes Pub/Sub redeliver it.
   */
  HttpResponse<String> publish(byte[] bulk, Map<String, String> attributes, String messageId)
      throws IOException, InterruptedException {
    ObjectNode event = JSON.createObjectNode();
    event.put("specversion", "1.0");
    event.put("id", messageId);
    event.put("source", "//pubsub.googleapis.com/projects/contract/topics/bulks");
    event.put("type", "google.cloud.pubsub.topic.v1.messagePublished");
    event.put("datacontenttype", "application/json");
    ObjectNode message = event.putObject("data").putObject("message");
    ObjectNode a = message.putObject("attributes");
    attributes.forEach(a::put);
    message.put("data", Base64.getEncoder().encodeToString(bulk));
    message.put("messageId", messageId);
    message.put("publishTime", "2026-11-21T10:15:30.123Z");
    return send(
        "POST",
        "/",
        Map.of("Content-Type", "application/cloudevents+json"),
        JSON.writeValueAsBytes(event));
  }

  /** POSTs nothing, as Cloud Scheduler does. */
  HttpResponse<String> post() throws IOException, InterruptedException {
    return send("POST", "/", Map.of(), null);
  }

  /** What the functions logged since this one started, one record a line. */
  String logs() {
    synchronized (records) {
      return records.stream()
          .map(r -> r.getLevel() + " " + r.getMessage())
          .collect(Collectors.joining("\n"));
    }
  }

  @Override
  public void close() throws Exception {
    logger.removeHandler(handler);
    invoker.stopServer();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
