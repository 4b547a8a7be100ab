package io.deezwatts.core.sink.bigquery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for BigQuery's REST reads: {@code tables.get} (the catalog's schema, as BigQuery
 * reports it) and {@code tabledata.list} ({@code rows[].f[].v}, every value a string or null, pages
 * of {@code maxResults} with a {@code pageToken}, timestamps in float seconds unless {@code
 * formatOptions.useInt64Timestamp=true}). The rows are those another stand-in stored, read at each
 * call, so what a sink wrote is listed back. Binds 127.0.0.1 on an ephemeral port.
 */
final class TableDataStandIn implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PATH =
      Pattern.compile(
          "/bigquery/v2/projects/"
              + StorageWriteStandIn.PROJECT
              + "/datasets/"
              + StorageWriteStandIn.DATASET
              + "/tables/([^/]+)(/data)?");

  private final HttpServer server;
  private final Function<String, List<DynamicMessage>> rows;
  private final AtomicInteger lists = new AtomicInteger();

  /** Serves the rows {@code store} holds, table by table. */
  TableDataStandIn(StorageWriteStandIn store) {
    this.rows = store::stored;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /** The environment that points a sink's REST calls here, with no credentials. */
  Map<String, String> environment() {
    return Map.of(
        BigQuerySink.ENDPOINT_VARIABLE, "http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** {@code tabledata.list} calls answered so far. */
  int lists() {
    return lists.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      Matcher m = PATH.matcher(x.getRequestURI().getPath());
      TableSpec table = m.matches() ? table(m.group(1)) : null;
      if (!"GET".equals(x.getRequestMethod()) || table == null) {
        answer(x, 404, error(404, "Not found: Table " + x.getRequestURI().getPath(), "notFound"));
        return;
      }
      if (m.group(2) == null) {
        answer(x, 200, tablesGet(table, rows.apply(table.name()).size()));
        return;
      }
      lists.incrementAndGet();
      answer(x, 200, tabledataList(table, query(x.getRequestURI().getRawQuery())));
    }
  }

  private static TableSpec table(String name) {
    return Catalog.standard().tables().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  /** As BigQuery reports a table just streamed to: its rows still in the streaming buffer. */
  private static ObjectNode tablesGet(TableSpec t, int streamed) {
    ObjectNode o = JSON.createObjectNode().put("kind", "bigquery#table").put("numRows", "0");
    o.putObject("streamingBuffer").put("estimatedRows", Integer.toString(streamed));
    ArrayNode fields = o.putObject("schema").putArray("fields");
    for (Column c : t.columns()) {
      fields
          .addObject()
          .put("name", c.name())
          .put("type", c.type().equals("INT64") ? "INTEGER" : c.type())
          .put("mode", c.mode());
    }
    return o;
  }

  private ObjectNode tabledataList(TableSpec t, Map<String, String> q) {
    List<DynamicMessage> all = new ArrayList<>(rows.apply(t.name()));
    int from = q.containsKey("pageToken") ? Integer.parseInt(q.get("pageToken")) : 0;
    int max = Integer.parseInt(q.getOrDefault("maxResults", "100000"));
    boolean int64 = "true".equals(q.get("formatOptions.useInt64Timestamp"));
    ObjectNode o =
        JSON.createObjectNode()
            .put("kind", "bigquery#tableDataList")
            .put("totalRows", Integer.toString(all.size()));
    ArrayNode out = o.putArray("rows");
    int to = Math.min(all.size(), from + max);
    for (DynamicMessage row : all.subList(Math.min(from, to), to)) {
      ArrayNode f = out.addObject().putArray("f");
      for (Column c : t.columns()) {
        Descriptors.FieldDescriptor d = row.getDescriptorForType().findFieldByName(c.name());
        ObjectNode cell = f.addObject();
        if (d == null || !row.hasField(d)) {
          cell.putNull("v");
        } else if (c.type().equals("TIMESTAMP") && !int64) {
          cell.put("v", Double.toString(((Long) row.getField(d)) / 1e6));
        } else {
          cell.put("v", String.valueOf(row.getField(d)));
        }
      }
    }
    if (to < all.size()) {
      o.put("pageToken", Integer.toString(to));
    }
    return o;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        q.put(
            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static ObjectNode error(int code, String message, String reason) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode e = o.putObject("error").put("code", code).put("message", message);
    e.putArray("errors").addObject().put("message", message).put("reason", reason);
    return o;
  }

  private static void answer(HttpExchange x, int status, ObjectNode body) throws IOException {
    byte[] b = JSON.writeValueAsBytes(body);
    x.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }
}
