package io.deezwatts.core.sink.bigquery;

import static io.deezwatts.core.json.RowValuesFixture.column;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.json.RowValues;
import io.deezwatts.core.json.RowValuesFixture;
import io.deezwatts.core.sink.SinkBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Row values as {@code insertAll} JSON, and the size estimate that chunking relies on. */
class RowContentTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The bytes {@link RowContent#write} gives for a row, as the request body carries them. */
  private static byte[] written(List<Column> columns, Object[] values) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonBodyWriter w = new JsonBodyWriter(out);
    RowContent.write(w, columns, values);
    w.flush();
    return out.toByteArray();
  }

  /** The {@code json} object of a row, checked against the estimate on the way. */
  private static JsonNode content(List<Column> columns, Object[] values) throws IOException {
    long estimate = RowContent.estimateBytes("id", columns, values);
    byte[] bytes = written(columns, values);
    assertTrue(estimate >= bytes.length, estimate + " < " + bytes.length);
    return JSON.readTree(bytes);
  }

  @Test
  void scalarValuesAreTypedForBigQueryAndNullsLeftOut() throws IOException {
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
    JsonNode content =
        content(
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

    assertEquals("text", content.get("s").textValue());
    assertTrue(content.get("i").isIntegralNumber());
    assertEquals(42L, content.get("i").longValue());
    assertTrue(content.get("n").isIntegralNumber());
    assertEquals(7L, content.get("n").longValue());
    assertTrue(content.get("f").isFloatingPointNumber());
    assertEquals(1.5, content.get("f").doubleValue());
    assertEquals("NaN", content.get("nan").textValue(), "JSON has no NaN: sent as a string");
    assertTrue(content.get("b").booleanValue());
    assertEquals(
        "2022-01-01T12:30:10.123456Z", content.get("t").textValue(), "UTC, microseconds at most");
    assertEquals("2014-01-03", content.get("d").textValue());
    assertEquals("{\"a\":[1,2]}", content.get("j").textValue(), "JSON as JSON text");
    assertFalse(content.has("absent"));
    assertEquals(9, content.size());
  }

  @Test
  void aRepeatedRecordIsAListOfObjects() throws IOException {
    SinkBatch batch = TestBulks.examples("legacy-push", "car_add");
    Row row = batch.rows().get(0);
    assertEquals("legacy_account_events", row.table().name());

    JsonNode content = content(row.table().columns(), row.values().toArray());

    JsonNode cars = content.get("cars");
    assertTrue(cars.isArray());
    assertEquals(1, cars.size());
    JsonNode car = cars.get(0);
    assertTrue(car.isObject());
    assertEquals("3bbcee75-cecc-5b56-8031-b6641c1ed1f1", car.get("car_id").textValue());
    assertEquals("WAUZZZ3GXJA123456", car.get("vin").textValue());
    assertEquals("Audi", car.get("make").textValue());
    for (var field : car.properties()) {
      assertFalse(field.getValue().isNull(), field.getKey());
    }
    assertTrue(content.get("payload").isTextual());
    assertTrue(content.get("time").isTextual());
  }

  @Test
  void aRecordIsAnObjectOfItsFields() throws IOException {
    Column gps =
        new Column(
            "gps",
            "RECORD",
            "NULLABLE",
            "",
            List.of(column("latitude", "FLOAT64"), column("eph", "INT64")));
    JsonNode content = content(List.of(gps), new Object[] {new Object[] {1.0, null}});
    assertEquals(JSON.readTree("{\"gps\":{\"latitude\":1.0}}"), content);
  }

  @Test
  void aValueThatFitsNoColumnIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RowContent.estimateBytes(
                    "id", List.of(column("x", "FLOAT64")), new Object[] {BigDecimal.ONE}));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RowContent.estimateBytes(
                "id", List.of(column("x", "STRING")), new Object[] {"a", "b"}));
    Column cars = new Column("cars", "RECORD", "REPEATED", "", List.of(column("vin", "STRING")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            RowContent.estimateBytes("id", List.of(cars), new Object[] {List.of("not a record")}));
  }

  @Test
  void theEstimateIsAnUpperBoundOfWhatIsSent() throws IOException {
    String[] tricky = {
      "plain ascii",
      "quotes \" and \\ backslashes",
      "controls \n\t\u0001\u001f",
      "html <b>&amp;</b> = 'x'",
      "accents é ü ß",
      "emoji \uD83D\uDE97 and \u2028\u2029",
      "中文字符",
      "lone surrogates \uD83D and \uDE97"
    };
    Column gps =
        new Column("gps", "RECORD", "NULLABLE", "", List.of(column("latitude", "FLOAT64")));
    Column cars = new Column("cars", "RECORD", "REPEATED", "", List.of(column("car_id", "STRING")));
    List<Column> columns =
        List.of(
            column("event_key", "STRING"),
            column("payload", "JSON"),
            column("n", "INT64"),
            column("f", "FLOAT64"),
            column("b", "BOOL"),
            column("t", "TIMESTAMP"),
            column("d", "DATE"),
            gps,
            cars);
    String id = "0123456789abcdef0123456789abcdef";
    for (String s : tricky) {
      Object[] values = {
        id,
        RawJson.ofCompact("{\"note\":\"" + s + "\"}"),
        Long.MIN_VALUE,
        -4.9e-324,
        false,
        Instant.parse("-1000000000-01-01T00:00:00.999999Z"),
        LocalDate.MIN,
        new Object[] {60.613747999999994},
        List.<Object[]>of(new Object[] {s})
      };
      // {"insertId":"...","json":{...}} and the comma after it.
      int actual =
          ("{\"insertId\":\"" + id + "\",\"json\":").length() + written(columns, values).length + 2;
      long estimate = RowContent.estimateBytes(id, columns, values);
      assertTrue(estimate >= actual, s + ": estimate " + estimate + " < actual " + actual);
      long quick = RowContent.quickBound(id, columns, values);
      assertTrue(quick >= estimate, s + ": quick bound " + quick + " < estimate " + estimate);
      assertTrue(estimate < 3 * actual, s + ": estimate " + estimate + " far above " + actual);
    }
  }

  @Test
  void smallRowsTakeTheQuickBoundAndBigOnesTheExactEstimate() {
    List<Column> columns = List.of(column("event_key", "STRING"), column("payload", "JSON"));
    Object[] small = {"k1", RawJson.ofCompact("{\"note\":\"" + "\\\"".repeat(100) + "\"}")};
    PendingRow s = PendingRow.of("k1", columns, small, null);
    assertEquals(RowContent.quickBound("k1", columns, small), s.estimatedBytes());
    assertTrue(s.estimatedBytes() <= PendingRow.SMALL_ROW_BYTES);
    assertTrue(
        Chunker.MAX_ROWS * PendingRow.SMALL_ROW_BYTES + Chunker.ENVELOPE_BYTES <= Chunker.MAX_BYTES,
        "a full request of small rows stays under the cap");

    Object[] big = {"k2", RawJson.ofCompact("{\"note\":\"" + "x".repeat(5_000) + "\"}")};
    PendingRow b = PendingRow.of("k2", columns, big, null);
    assertEquals(RowContent.estimateBytes("k2", columns, big), b.estimatedBytes());
    assertTrue(b.estimatedBytes() < RowContent.quickBound("k2", columns, big));

    assertThrows(
        IllegalArgumentException.class,
        () -> PendingRow.of("k3", columns, new Object[] {"k3", BigDecimal.ONE}, null),
        "the quick bound checks the values too");
  }

  @Test
  void timestampsAreWhatInstantToStringGivesAtMicroseconds() {
    List<Instant> instants =
        new java.util.ArrayList<>(
            List.of(
                Instant.EPOCH,
                Instant.parse("2022-10-12T07:06:45Z"),
                Instant.parse("2022-01-01T12:30:10.123456789Z"),
                Instant.parse("2024-02-29T23:59:59.120Z"),
                Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("0000-01-01T00:00:00.000001Z"),
                Instant.parse("9999-12-31T23:59:59.999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-06-15T10:00:00.5Z"),
                Instant.ofEpochSecond(0, 1_000)));
    SplittableRandom random = new SplittableRandom(4);
    for (int i = 0; i < 10_000; i++) {
      instants.add(
          Instant.ofEpochSecond(
              random.nextLong(-62_167_219_200L, 253_402_300_800L),
              random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000)));
    }
    for (Instant t : instants) {
      assertEquals(t.truncatedTo(ChronoUnit.MICROS).toString(), RowValues.timestamp(t));
    }
  }

  @Test
  void aPrefixWithinABudgetKeepsSurrogatePairsWhole() {
    assertEquals("abc", RowContent.prefixWithin("abcdef", 5));
    assertEquals("", RowContent.prefixWithin("abc", 2));
    assertEquals("abcdef", RowContent.prefixWithin("abcdef", 100));
    String car = "a\uD83D\uDE97b";
    assertEquals("a", RowContent.prefixWithin(car, 14), "a pair costs twelve, only eleven left");
    assertEquals("a\uD83D\uDE97", RowContent.prefixWithin(car, 15));
    String s = "x\"y".repeat(1000);
    String p = RowContent.prefixWithin(s, 1000);
    assertTrue(RowContent.stringBytes(p) <= 1000);
    assertTrue(RowContent.stringBytes(s.substring(0, p.length() + 1)) > 1000);
  }

  @Test
  void theSharedFixtureRowIsWrittenAsInsertAllTakesIt() throws IOException {
    assertEquals(
        RowValuesFixture.expected("insertall.json"),
        content(RowValuesFixture.COLUMNS, RowValuesFixture.values()));
  }
}
