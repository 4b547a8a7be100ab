package io.deezwatts.testing.bigquery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * How {@link BigQueryStandIn} refuses rows as a table lacking a column does: the rows a predicate
 * picks get an {@code invalid} insert error at {@code location}; with {@code skipInvalidRows=false}
 * every other row of the request is {@code stopped}, as BigQuery answers.
 */
record InsertAllRefusal(Predicate<JsonNode> rows, String location) {
  private static final ObjectMapper JSON = new ObjectMapper();

  InsertAllRefusal {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(location, "location");
  }

  /**
   * The indexes of the rows of an {@code insertAll} body whose {@code json} the predicate picks.
   */
  Set<Integer> refused(JsonNode body) {
    Set<Integer> out = new TreeSet<>();
    int i = 0;
    for (JsonNode r : body.path("rows")) {
      if (rows.test(r.path("json"))) {
        out.add(i);
      }
      i++;
    }
    return out;
  }

  /** The {@code insertAll} answer: the refused rows {@code invalid}, the others stopped. */
  ObjectNode insertErrors(JsonNode body, Set<Integer> refused) {
    boolean skip = skipsInvalidRows(body);
    ObjectNode o = JSON.createObjectNode().put("kind", "bigquery#tableDataInsertAllResponse");
    ArrayNode errors = o.putArray("insertErrors");
    int count = body.path("rows").size();
    for (int i = 0; i < count; i++) {
      boolean invalid = refused.contains(i);
      if (skip && !invalid) {
        continue; // stored
      }
      errors
          .addObject()
          .put("index", i)
          .putArray("errors")
          .addObject()
          .put("reason", invalid ? "invalid" : "stopped")
          .put("location", invalid ? location : "")
          .put("debugInfo", "")
          .put("message", invalid ? "no such field: " + location + "." : "");
    }
    return o;
  }

  /** Whether the request asked BigQuery to store the valid rows beside the invalid ones. */
  static boolean skipsInvalidRows(JsonNode body) {
    return body.path("skipInvalidRows").asBoolean(false);
  }
}
