package io.deezwatts.testing.rivian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Rivian's GraphQL endpoints played by a JDK {@link HttpServer}: answers are queued per {@code
 * operationName} from the fixtures in {@code src/main/resources/rivian}, and every request is
 * recorded with its headers and body. In the testing module, for the tests of every module.
 */
public final class FakeRivian implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();

  /** One request as received. */
  public record Request(String path, Map<String, String> headers, JsonNode body) {
    public String operationName() {
      return body.path("operationName").asText();
    }

    public JsonNode variables() {
      return body.path("variables");
    }

    /** A header by name, case-insensitively. */
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private record Answer(
      int status, String body, CountDownLatch hold, Map<String, String> headers) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Deque<Answer>> answers = new HashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private final CountDownLatch released = new CountDownLatch(1);

  public FakeRivian() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** The value for {@code DEEZWATTS_RIVIAN_ENDPOINT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues a fixture as the next answer to {@code operation}, with HTTP 200. */
  public FakeRivian answer(String operation, String fixture) {
    return answer(operation, 200, fixture);
  }

  public FakeRivian answer(String operation, int status, String fixture) {
    synchronized (answers) {
      answers
          .computeIfAbsent(operation, k -> new ArrayDeque<>())
          .add(new Answer(status, fixture(fixture), null, Map.of()));
    }
    return this;
  }

  /** Queues a fixture with HTTP {@code status} and extra response headers. */
  public FakeRivian answer(
      String operation, int status, String fixture, Map<String, String> headers) {
    synchronized (answers) {
      answers
          .computeIfAbsent(operation, k -> new ArrayDeque<>())
          .add(new Answer(status, fixture(fixture), null, Map.copyOf(headers)));
    }
    return this;
  }

  /** The next request for {@code operation} gets no answer until the server closes. */
  public FakeRivian hang(String operation) {
    synchronized (answers) {
      answers
          .computeIfAbsent(operation, k -> new ArrayDeque<>())
          .add(new Answer(0, "", released, Map.of()));
    }
    return this;
  }

  public static String fixture(String name) {
    try (InputStream in = FakeRivian.class.getResourceAsStream("/rivian/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public List<String> operations() {
    return requests().stream().map(Request::operationName).toList();
  }

  private void handle(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
    Map<String, String> headers = new HashMap<>();
    ex.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
    synchronized (requests) {
      requests.add(new Request(ex.getRequestURI().getPath(), Map.copyOf(headers), body));
    }
    Answer a;
    synchronized (answers) {
      Deque<Answer> q = answers.get(body.path("operationName").asText());
      a = q == null ? null : q.poll();
    }
    if (a == null) {
      a = new Answer(500, "{\"error\":\"no answer queued\"}", null, Map.of());
    }
    if (a.hold() != null) {
      try {
        a.hold().await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.close();
      return;
    }
    byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    a.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
    ex.sendResponseHeaders(a.status(), out.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(out);
    }
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
