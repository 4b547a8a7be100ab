package io.deezwatts.core.sink.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads tables back over BigQuery's REST API: {@code tables.get} for the column order, then {@code
 * tabledata.list} page by page. {@code tabledata.list} bills no query bytes and reads the streaming
 * buffer too, so rows written a moment ago are listed (a query job would bill a scan of the whole
 * {@code raw} column for every run). Timestamps are asked for as int64 microseconds ({@code
 * formatOptions.useInt64Timestamp}), so they come back exact. Used by {@code deezwatts requeue};
 * thread-safe.
 */
final class TableDataClient {

  /** Answers longer than this are not read (a page of rows is at most about 10 MB). */
  private static final int MAX_ANSWER_BYTES = 64 << 20;

  private final String tablesUrl;
  private final InsertAllClient.Authorization authorization;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;

  TableDataClient(
      String root,
      String project,
      String dataset,
      InsertAllClient.Authorization authorization,
      Duration connectTimeout,
      Duration readTimeout) {
    this.tablesUrl =
        Objects.requireNonNull(root, "root")
            + "/bigquery/v2/projects/"
            + Objects.requireNonNull(project, "project")
            + "/datasets/"
            + Objects.requireNonNull(dataset, "dataset")
            + "/tables/";
    this.authorization = Objects.requireNonNull(authorization, "authorization");
    this.connectTimeoutMillis = (int) connectTimeout.toMillis();
    this.readTimeoutMillis = (int) readTimeout.toMillis();
  }

  /** Takes the rows of one page: each a map from column name to value. */
  @FunctionalInterface
  interface RowsConsumer {
    void accept(List<Map<String, Object>> rows) throws SinkException;
  }

  /**
   * Lists every row of a table, a page at a time. Values: {@code String} for STRING and JSON,
   * {@code Long} for INT64, {@link Instant} for TIMESTAMP, {@code Boolean}, {@code Double}, else
   * the text; null for NULL. RECORD columns are not read (the tables listed have none).
   *
   * @param pageSize the most rows per page
   * @throws SinkException transient when BigQuery answered 5xx or 429 or no answer came; permanent
   *     for another error (no such table: run terraform; no permission {@code
   *     bigquery.tables.getData}) or an answer that is not what BigQuery sends
   */
  void list(String table, int pageSize, RowsConsumer consumer) throws SinkException {
    JsonNode fields = get(tablesUrl + table).path("schema").path("fields");
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (JsonNode f : fields) {
      names.add(f.path("name").asText());
      types.add(f.path("type").asText());
    }
    if (names.isEmpty()) {
      throw SinkException.permanent("BigQuery table " + table + " has no schema", null);
    }
    String token = null;
    do {
      String url =
          tablesUrl
              + table
              + "/data?formatOptions.useInt64Timestamp=true&maxResults="
              + pageSize
              + (token == null
                  ? ""
                  : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      JsonNode page = get(url);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (JsonNode r : page.path("rows")) {
        JsonNode cells = r.path("f");
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < names.size() && i < cells.size(); i++) {
          row.put(names.get(i), value(types.get(i), cells.get(i).path("v")));
        }
        rows.add(row);
      }
      if (!rows.isEmpty()) {
        consumer.accept(rows);
      }
      token = page.hasNonNull("pageToken") ? page.path("pageToken").asText() : null;
    } while (token != null && !token.isEmpty());
  }

  /**
   * The rows of a table as {@code tables.get} reports them: {@code numRows} (stored rows) plus the
   * streaming buffer's {@code estimatedRows} (rows streamed a moment ago, not counted in {@code
   * numRows}). An estimate: cheap, no query bytes billed.
   *
   * @throws SinkException as {@link #list} does
   */
  long rowCount(String table) throws SinkException {
    JsonNode t = get(tablesUrl + table);
    try {
      return Long.parseLong(t.path("numRows").asText("0"))
          + Long.parseLong(t.path("streamingBuffer").path("estimatedRows").asText("0"));
    } catch (NumberFormatException e) {
      throw SinkException.permanent("BigQuery answered a row count that is not one", e);
    }
  }

  private static Object value(String type, JsonNode v) throws SinkException {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    try {
      return switch (type) {
        case "INTEGER", "INT64" -> Long.parseLong(v.asText());
        case "FLOAT", "FLOAT64" -> Double.parseDouble(v.asText());
        case "BOOLEAN", "BOOL" -> Boolean.parseBoolean(v.asText());
        case "TIMESTAMP" -> Instant.EPOCH.plus(Long.parseLong(v.asText()), ChronoUnit.MICROS);
        default -> v.isTextual() ? v.asText() : v.toString();
      };
    } catch (NumberFormatException e) {
      throw SinkException.permanent(
          "BigQuery answered a " + type + " value that is not one: " + v, e);
    }
  }

  private JsonNode get(String url) throws SinkException {
    HttpURLConnection c = null;
    try {
      URI uri = URI.create(url);
      Map<String, List<String>> auth = authorization.headers(uri);
      c = (HttpURLConnection) uri.toURL().openConnection();
      c.setConnectTimeout(connectTimeoutMillis);
      c.setReadTimeout(readTimeoutMillis);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      c.setRequestProperty("Accept", "application/json");
      c.setRequestProperty("Accept-Encoding", "gzip");
      for (Map.Entry<String, List<String>> h : auth.entrySet()) {
        for (String value : h.getValue()) {
          c.addRequestProperty(h.getKey(), value);
        }
      }
      int status = c.getResponseCode();
      InputStream raw = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] answer = new byte[0];
      if (raw != null) {
        try (InputStream in =
            "gzip".equalsIgnoreCase(c.getContentEncoding()) ? new GZIPInputStream(raw) : raw) {
          answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
        }
      }
      if (answer.length > MAX_ANSWER_BYTES) {
        throw SinkException.permanent(
            "BigQuery's answer is over " + MAX_ANSWER_BYTES + " bytes", null);
      }
      if (status / 100 != 2) {
        String message = errorMessage(answer);
        String text = "BigQuery answered " + status + " to GET " + path(uri) + ": " + message;
        throw status >= 500 || status == 429
            ? SinkException.transientFailure(text, null)
            : SinkException.permanent(text, null);
      }
      return Json.MAPPER.readTree(answer);
    } catch (IOException e) {
      if (c != null) {
        c.disconnect();
      }
      throw SinkException.transientFailure("reading BigQuery failed: " + e.getMessage(), e);
    }
  }

  /** The path without the query, for messages. */
  private static String path(URI uri) {
    return uri.getPath();
  }

  private static String errorMessage(byte[] answer) {
    try {
      JsonNode error = Json.MAPPER.readTree(answer).path("error");
      if (error.hasNonNull("message")) {
        return error.path("message").asText();
      }
    } catch (IOException notJson) {
      // fall through: the body itself, cut short
    }
    String s = new String(answer, StandardCharsets.UTF_8);
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  /**
   * Made on the first read: every BigQuery sink makes a reader, but only requeue reads, and an
   * ObjectMapper loaded when a function opens its sink costs its first request about 0.1 s.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
