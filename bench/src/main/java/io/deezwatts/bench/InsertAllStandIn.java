package io.deezwatts.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * Stands in for BigQuery's {@code tabledata.insertAll} during a load run (no BigQuery can be
 * reached from this machine): drains each request, counts the rows in it (the {@code "insertId"}
 * members of its body) and answers as BigQuery does when every row is stored. Lighter than a
 * WireMock process, so the load's two cores go to the function, not the stand-in.
 */
final class InsertAllStandIn implements AutoCloseable {
  private static final byte[] INSERT_ID = "\"insertId\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STORED =
      "{\"kind\":\"bigquery#tableDataInsertAllResponse\"}".getBytes(StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  InsertAllStandIn() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/bigquery/v2/projects/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  /** What {@code DEEZWATTS_BIGQUERY_ENDPOINT} is set to. */
  String endpoint() {
    return "http://localhost:" + server.getAddress().getPort();
  }

  long rows() {
    return rows.get();
  }

  long requests() {
    return requests.get();
  }

  /** Requests that were not an insertAll POST (answered 404): the count check fails on any. */
  long refused() {
    return refused.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())
          || !exchange.getRequestURI().getPath().endsWith("/insertAll")) {
        refused.incrementAndGet();
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      InputStream body = exchange.getRequestBody();
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        body = new GZIPInputStream(body, 64 * 1024);
      }
      rows.addAndGet(countInsertIds(body));
      requests.incrementAndGet();
      exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
      exchange.sendResponseHeaders(200, STORED.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(STORED);
      }
    }
  }

  /** Occurrences of {@code "insertId"} in the stream (a match may span two reads). */
  static long countInsertIds(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long count = 0;
    int matched = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (b == INSERT_ID[matched]) {
          if (++matched == INSERT_ID.length) {
            count++;
            matched = 0;
          }
        } else {
          matched = b == INSERT_ID[0] ? 1 : 0;
        }
      }
    }
    return count;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
