package io.deezwatts.core.sink.bigquery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import io.deezwatts.testing.bigquery.TableReads;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for BigQuery's REST reads beside the Storage Write stand-in: {@code tables.get}
 * (the catalog's schema, as BigQuery reports it) and {@code tabledata.list}, answered as {@link
 * TableReads} builds them. The rows are those another stand-in stored, read at each call, so what a
 * sink wrote is listed back. Binds 127.0.0.1 on an ephemeral port.
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
        answer(
            x,
            404,
            TableReads.error(404, "Not found: Table " + x.getRequestURI().getPath(), "notFound"));
        return;
      }
      if (m.group(2) == null) {
        answer(
            x,
            200,
            TableReads.tablesGet(StandIns.restFields(table), rows.apply(table.name()).size()));
        return;
      }
      lists.incrementAndGet();
      answer(
          x,
          200,
          TableReads.tabledataList(
              StandIns.restFields(table),
              cells(table),
              TableReads.query(x.getRequestURI().getRawQuery())));
    }
  }

  private static TableSpec table(String name) {
    return Catalog.standard().tables().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElse(null);
  }

  /** The stored rows' cells in column order (a TIMESTAMP's protobuf value is its microseconds). */
  private List<List<String>> cells(TableSpec t) {
    List<List<String>> out = new ArrayList<>();
    for (DynamicMessage row : rows.apply(t.name())) {
      List<String> cells = new ArrayList<>();
      for (Column c : t.columns()) {
        Descriptors.FieldDescriptor d = row.getDescriptorForType().findFieldByName(c.name());
        cells.add(d == null || !row.hasField(d) ? null : String.valueOf(row.getField(d)));
      }
      out.add(cells);
    }
    return out;
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
