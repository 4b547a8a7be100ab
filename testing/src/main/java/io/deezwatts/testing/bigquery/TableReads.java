package io.deezwatts.testing.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The answers BigQuery's REST API gives to reads of a table, built from a schema and the rows a
 * stand-in stored: {@code tables.get} (the schema, and the rows as just streamed: {@code numRows}
 * 0, the streaming buffer's {@code estimatedRows}) and {@code tabledata.list} ({@code
 * rows[].f[].v}, every value a string or null, pages of {@code maxResults} with a {@code
 * pageToken}, timestamps in float seconds unless {@code formatOptions.useInt64Timestamp=true}).
 * Shared by the stand-ins that serve these reads over HTTP, whatever they store rows as.
 */
public final class TableReads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TableReads() {}

  /**
   * A column as {@code tables.get} reports it.
   *
   * @param type the REST type name: {@code STRING}, {@code INTEGER}, {@code FLOAT}, {@code
   *     BOOLEAN}, {@code TIMESTAMP}, {@code JSON}, ...
   * @param mode {@code NULLABLE}, {@code REQUIRED} or {@code REPEATED}
   */
  public record Field(String name, String type, String mode) {
    public Field {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** The {@code tables.get} answer for a table with these columns and rows just streamed. */
  public static ObjectNode tablesGet(List<Field> fields, int streamedRows) {
    ObjectNode o = JSON.createObjectNode().put("kind", "bigquery#table").put("numRows", "0");
    o.putObject("streamingBuffer").put("estimatedRows", Integer.toString(streamedRows));
    ArrayNode out = o.putObject("schema").putArray("fields");
    for (Field f : fields) {
      out.addObject().put("name", f.name()).put("type", f.type()).put("mode", f.mode());
    }
    return o;
  }

  /**
   * The {@code tabledata.list} answer for one page.
   *
   * @param fields the table's columns
   * @param rows every stored row, its cells in column order: text as the stand-in keeps it, a
   *     TIMESTAMP as int64 microseconds since the epoch, null for NULL
   * @param query the request's query parameters ({@link #query})
   */
  public static ObjectNode tabledataList(
      List<Field> fields, List<List<String>> rows, Map<String, String> query) {
    int from = query.containsKey("pageToken") ? Integer.parseInt(query.get("pageToken")) : 0;
    int max = Integer.parseInt(query.getOrDefault("maxResults", "100000"));
    boolean int64 = "true".equals(query.get("formatOptions.useInt64Timestamp"));
    ObjectNode o =
        JSON.createObjectNode()
            .put("kind", "bigquery#tableDataList")
            .put("totalRows", Integer.toString(rows.size()));
    ArrayNode out = o.putArray("rows");
    int to = Math.min(rows.size(), from + max);
    for (List<String> row : rows.subList(Math.min(from, to), to)) {
      ArrayNode f = out.addObject().putArray("f");
      for (int i = 0; i < fields.size(); i++) {
        String v = i < row.size() ? row.get(i) : null;
        ObjectNode cell = f.addObject();
        if (v == null) {
          cell.putNull("v");
        } else if (fields.get(i).type().equals("TIMESTAMP") && !int64) {
          cell.put("v", Double.toString(Long.parseLong(v) / 1e6));
        } else {
          cell.put("v", v);
        }
      }
    }
    if (to < rows.size()) {
      o.put("pageToken", Integer.toString(to));
    }
    return o;
  }

  /**
   * A row as {@code insertAll} sent it (its {@code json} object) as {@link #tabledataList} takes
   * it: text as sent, a TIMESTAMP (RFC 3339 text or seconds since the epoch) in microseconds, null
   * for a missing value. RECORD columns come out null (the tables read back have none).
   */
  public static List<String> cells(List<Field> fields, JsonNode json) {
    List<String> cells = new ArrayList<>();
    for (Field f : fields) {
      JsonNode v = json.path(f.name());
      if (v.isMissingNode() || v.isNull() || f.type().equals("RECORD")) {
        cells.add(null);
      } else if (f.type().equals("TIMESTAMP")) {
        cells.add(Long.toString(micros(v)));
      } else {
        cells.add(v.isValueNode() ? v.asText() : v.toString());
      }
    }
    return cells;
  }

  private static long micros(JsonNode v) {
    if (v.isNumber()) {
      return Math.round(v.asDouble() * 1e6);
    }
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse(v.asText()));
  }

  /** A request's query parameters, decoded; an empty map when {@code raw} is null. */
  public static Map<String, String> query(String raw) {
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

  /** An error answer as BigQuery sends it. */
  public static ObjectNode error(int code, String message, String reason) {
    ObjectNode o = JSON.createObjectNode();
    ObjectNode e = o.putObject("error").put("code", code).put("message", message);
    e.putArray("errors").addObject().put("message", message).put("reason", reason);
    return o;
  }
}
