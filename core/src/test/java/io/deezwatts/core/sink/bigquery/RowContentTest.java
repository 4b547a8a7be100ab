package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.api.client.json.gson.GsonFactory;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkBatch;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row values as {@code insertAll} JSON, and the size estimate that chunking relies on. */
class RowContentTest {
  private static Column column(String name, String type) {
    return new Column(name, type, "NULLABLE", "", List.of());
  }

  @Test
  void scalarValuesAreTypedForBigQueryAndNullsLeftOut() {
    List<Column> columns =
        List.of(
            column("s", "STRING"),
            column("i", "INT64"),
            column("n", "INT64"),
            column("f", "FLOAT64"),
            column("nan", "FLOAT64"),
            column("b", "BOOL"),
            column("t", "TIMESTAMP"),
            column("d", "DATE"),
            column("j", "JSON"),
            column("absent", "STRING"));
    Map<String, Object> content =
        RowContent.of(
            columns,
            new Object[] {
              "text",
              42L,
              7,
              1.5,
              Double.NaN,
              true,
              Instant.parse("2022-01-01T12:30:10.123456789Z"),
              LocalDate.of(2014, 1, 3),
              RawJson.ofCompact("{\"a\":[1,2]}"),
              null
            });

    assertEquals("text", content.get("s"));
    assertEquals(42L, content.get("i"));
    assertEquals(7L, content.get("n"));
    assertEquals(1.5, content.get("f"));
    assertEquals("NaN", content.get("nan"));
    assertEquals(true, content.get("b"));
    assertEquals("2022-01-01T12:30:10.123456Z", content.get("t"), "UTC, microseconds at most");
    assertEquals("2014-01-03", content.get("d"));
    assertEquals("{\"a\":[1,2]}", content.get("j"));
    assertFalse(content.containsKey("absent"));
    assertEquals(9, content.size());
  }

  @Test
  void aRepeatedRecordIsAListOfObjects() {
    SinkBatch batch = TestBulks.examples("legacy-push", "car_add");
    Row row = batch.rows().get(0);
    assertEquals("legacy_account_events", row.table().name());

    Map<String, Object> content = RowContent.of(row.table().columns(), row.values().toArray());

    List<?> cars = assertInstanceOf(List.class, content.get("cars"));
    assertEquals(1, cars.size());
    Map<?, ?> car = assertInstanceOf(Map.class, cars.get(0));
    assertEquals("3bbcee75-cecc-5b56-8031-b6641c1ed1f1", car.get("car_id"));
    assertEquals("WAUZZZ3GXJA123456", car.get("vin"));
    assertEquals("Audi", car.get("make"));
    assertFalse(car.containsValue(null));
    assertInstanceOf(String.class, content.get("payload"));
    assertInstanceOf(String.class, content.get("time"));
  }

  @Test
  void aRecordIsAnObjectOfItsFields() {
    Column gps =
        new Column(
            "gps",
            "RECORD",
            "NULLABLE",
            "",
            List.of(column("latitude", "FLOAT64"), column("eph", "INT64")));
    Map<String, Object> content =
        RowContent.of(List.of(gps), new Object[] {new Object[] {1.0, null}});
    assertEquals(Map.of("gps", Map.of("latitude", 1.0)), content);
  }

  @Test
  void aValueThatFitsNoColumnIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RowContent.of(List.of(column("x", "FLOAT64")), new Object[] {BigDecimal.ONE}));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> RowContent.of(List.of(column("x", "STRING")), new Object[] {"a", "b"}));
  }

  @Test
  void theEstimateIsAnUpperBoundOfWhatTheClientSends() throws IOException {
    String[] tricky = {
      "plain ascii",
      "quotes \" and \\ backslashes",
      "controls \n\t\u0001\u001f",
      "html <b>&amp;</b> = 'x'",
      "accents é ü ß",
      "emoji \uD83D\uDE97 and \u2028\u2029",
      "中文字符"
    };
    for (String s : tricky) {
      Map<String, Object> content = new LinkedHashMap<>();
      content.put("event_key", "0123456789abcdef0123456789abcdef");
      content.put("payload", "{\"note\":\"" + s + "\"}");
      content.put("n", Long.MIN_VALUE);
      content.put("f", -4.9e-324);
      content.put("b", false);
      content.put("gps", Map.of("latitude", 60.613747999999994));
      content.put("cars", List.of(Map.of("car_id", s)));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("insertId", "0123456789abcdef0123456789abcdef");
      row.put("json", content);
      int actual =
          GsonFactory.getDefaultInstance().toString(row).getBytes(StandardCharsets.UTF_8).length
              + 1;
      long estimate = RowContent.estimateBytes("0123456789abcdef0123456789abcdef", content);
      assertTrue(estimate >= actual, s + ": estimate " + estimate + " < actual " + actual);
      assertTrue(estimate < 3 * actual, s + ": estimate " + estimate + " far above " + actual);
    }
  }

  @Test
  void aPrefixWithinABudgetKeepsSurrogatePairsWhole() {
    assertEquals("abc", RowContent.prefixWithin("abcdef", 5));
    assertEquals("", RowContent.prefixWithin("abc", 2));
    assertEquals("abcdef", RowContent.prefixWithin("abcdef", 100));
    String car = "a\uD83D\uDE97b";
    assertEquals("a", RowContent.prefixWithin(car, 8), "a pair costs six, only five left");
    assertEquals("a\uD83D\uDE97", RowContent.prefixWithin(car, 9));
    String s = "x\"y".repeat(1000);
    String p = RowContent.prefixWithin(s, 1000);
    assertTrue(RowContent.stringBytes(p) <= 1000);
    assertTrue(RowContent.stringBytes(s.substring(0, p.length() + 1)) > 1000);
  }
}
