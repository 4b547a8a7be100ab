package io.deezwatts.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * One row with every kind of value ({@link RowValues}), and what each row writer must make of it:
 * {@code row-values/decode.json} (JSON embedded) and {@code row-values/insertall.json} (JSON as
 * strings). Every row writer's test writes this row and compares.
 */
public final class RowValuesFixture {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RowValuesFixture() {}

  /** A NULLABLE column with no description. */
  public static Column column(String name, String type) {
    return new Column(name, type, "NULLABLE", "", List.of());
  }

  public static final List<Column> COLUMNS =
      List.of(
          column("s", "STRING"),
          column("i", "INT64"),
          column("n", "INT64"),
          column("f", "FLOAT64"),
          column("nan", "FLOAT64"),
          column("inf", "FLOAT64"),
          column("b", "BOOL"),
          column("t", "TIMESTAMP"),
          column("whole", "TIMESTAMP"),
          column("d", "DATE"),
          column("raw", "JSON"),
          column("meta", "JSON"),
          new Column(
              "rec",
              "RECORD",
              "NULLABLE",
              "",
              List.of(column("lat", "FLOAT64"), column("at", "TIMESTAMP"))),
          new Column(
              "reps",
              "RECORD",
              "REPEATED",
              "",
              List.of(column("k", "STRING"), column("v", "INT64"))),
          column("nothing", "STRING"));

  public static Object[] values() {
    return new Object[] {
      "héllo \"q\"",
      42L,
      7,
      1.5,
      Double.NaN,
      Double.NEGATIVE_INFINITY,
      true,
      Instant.parse("2019-03-15T16:03:40.742123456Z"),
      Instant.parse("2019-03-15T16:03:40Z"),
      LocalDate.of(2019, 3, 15),
      RawJson.ofCompact("{\"a\":[1,2]}"),
      "{\"file\":\"x\"}",
      new Object[] {52.1, Instant.parse("2019-03-15T16:03:41.5Z")},
      List.of(new Object[] {"a", 1L}, new Object[] {"b", null}),
      null
    };
  }

  /** An expected output, {@code decode.json} or {@code insertall.json}. */
  public static JsonNode expected(String name) throws IOException {
    try (InputStream in = RowValuesFixture.class.getResourceAsStream("/row-values/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource row-values/" + name);
      }
      return JSON.readTree(in);
    }
  }

  public static JsonNode parse(byte[] json) throws IOException {
    return JSON.readTree(json);
  }
}
