package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.json.RowValues;
import io.deezwatts.core.sink.SinkBatch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The body writer gives, byte for byte, what Jackson's UTF-8 generator (which wrote the bodies
 * before) gives for the same tokens: the reference here is that generator, driven as the sink drove
 * it.
 */
class JsonBodyWriterTest {
  private static final JsonFactory FACTORY = new JsonFactory();

  private interface Body {
    void write(JsonBodyWriter w) throws IOException;
  }

  private interface Reference {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] ours(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonBodyWriter w = new JsonBodyWriter(out);
    body.write(w);
    w.flush();
    return out.toByteArray();
  }

  private static byte[] jackson(Reference body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    }
    return out.toByteArray();
  }

  private static void assertSameBytes(byte[] expected, byte[] actual, String what) {
    assertArrayEquals(
        expected,
        actual,
        () ->
            what
                + ": expected "
                + new String(expected, StandardCharsets.UTF_8)
                + " got "
                + new String(actual, StandardCharsets.UTF_8));
  }

  @Test
  void stringsAreEscapedAndEncodedAsJacksonDoes() throws IOException {
    List<String> strings = new ArrayList<>();
    StringBuilder ascii = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      ascii.append(c);
    }
    strings.add(ascii.toString());
    strings.add("");
    strings.add("accents é ü ß, 中文字符, \u07ff\u0800\uffff\u2028\u2029");
    strings.add("emoji \uD83D\uDE97, lone \uD83D and \uDE97 surrogates");
    SplittableRandom random = new SplittableRandom(7);
    for (int n = 0; n < 300; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(1, 40_000); // beyond the buffer, now and then
      for (int i = 0; i < length; i++) {
        int kind = random.nextInt(10);
        s.append(
            (char)
                (kind < 6
                    ? random.nextInt(0x80)
                    : kind < 8 ? random.nextInt(0x80, 0x800) : random.nextInt(0x800, 0x10000)));
      }
      strings.add(s.toString());
    }
    for (String s : strings) {
      assertSameBytes(jackson(g -> g.writeString(s)), ours(w -> w.string(s)), "string");
    }
    // All in one body: strings that start with the buffer partly full.
    byte[] expected =
        jackson(
            g -> {
              g.writeStartArray();
              for (String s : strings) {
                g.writeString(s);
              }
              g.writeEndArray();
            });
    byte[] actual =
        ours(
            w -> {
              w.raw('[');
              for (int i = 0; i < strings.size(); i++) {
                if (i > 0) {
                  w.raw(',');
                }
                w.string(strings.get(i));
              }
              w.raw(']');
            });
    assertSameBytes(expected, actual, "strings in one body");
  }

  @Test
  void numbersAndBooleansAreSpelledAsJacksonDoes() throws IOException {
    List<Long> longs =
        new ArrayList<>(
            List.of(0L, 1L, -1L, 9L, 10L, -10L, 99L, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53));
    List<Double> doubles =
        new ArrayList<>(
            List.of(
                0.0,
                -0.0,
                1.0,
                1.5,
                -4.9e-324,
                Double.MAX_VALUE,
                1e-5,
                1e7,
                1e21,
                123456789.125,
                60.613747999999994));
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 2_000; i++) {
      longs.add(random.nextLong() >> random.nextInt(64));
      doubles.add(Double.longBitsToDouble(random.nextLong()));
      doubles.add(random.nextDouble() * Math.pow(10, random.nextInt(-10, 12)));
    }
    for (long v : longs) {
      assertSameBytes(jackson(g -> g.writeNumber(v)), ours(w -> w.number(v)), "long " + v);
    }
    for (double v : doubles) {
      if (Double.isFinite(v)) {
        assertSameBytes(jackson(g -> g.writeNumber(v)), ours(w -> w.number(v)), "double " + v);
      }
    }
    assertSameBytes(jackson(g -> g.writeBoolean(true)), ours(w -> w.bool(true)), "true");
    assertSameBytes(jackson(g -> g.writeBoolean(false)), ours(w -> w.bool(false)), "false");
  }

  @Test
  void rowsAreWrittenAsTheGeneratorWroteThem() throws IOException {
    Column gps =
        new Column(
            "gps",
            "RECORD",
            "NULLABLE",
            "",
            List.of(column("latitude", "FLOAT64"), column("eph", "INT64")));
    Column cars = new Column("cars", "RECORD", "REPEATED", "", List.of(column("car_id", "STRING")));
    List<Column> columns =
        List.of(
            column("event_key", "STRING"),
            column("payload", "JSON"),
            column("n", "INT64"),
            column("i", "INT64"),
            column("f", "FLOAT64"),
            column("nan", "FLOAT64"),
            column("inf", "FLOAT64"),
            column("b", "BOOL"),
            column("t", "TIMESTAMP"),
            column("d", "DATE"),
            column("absent", "STRING"),
            gps,
            cars,
            column("quote\"d \u00e9", "STRING"));
    Object[] values = {
      "0123456789abcdef0123456789abcdef",
      RawJson.ofCompact("{\"note\":\"tab\\t \\\"q\\\" \u00e9 \uD83D\uDE97\"}"),
      Long.MIN_VALUE,
      7,
      60.613747999999994,
      Double.NaN,
      Double.NEGATIVE_INFINITY,
      false,
      Instant.parse("2022-01-01T12:30:10.123456789Z"),
      LocalDate.of(2014, 1, 3),
      null,
      new Object[] {1.0, null},
      List.<Object[]>of(new Object[] {"a\nb"}, new Object[] {null}, new Object[] {"c"}),
      "last"
    };
    assertSameBytes(
        jackson(g -> reference(g, columns, values)),
        ours(w -> RowContent.write(w, columns, values)),
        "row");
  }

  @Test
  void aWholeBodyOfDecodedRowsIsWhatTheGeneratorWrote() throws IOException {
    SinkBatch batch =
        TestBulks.examples(
            "legacy-push", "car_add", "car_remove", "position", "user_signup", "refuel");
    List<Row> rows = new ArrayList<>(batch.rows());
    rows.addAll(TestBulks.batch("data-streams", sampleBulk()).rows());
    List<PendingRow> pending = new ArrayList<>();
    for (Row row : rows) {
      Object[] values = row.values().toArray();
      pending.add(PendingRow.of(row.eventKey(), row.table().columns(), values, row));
    }
    assertTrue(pending.size() > 100, "rows: " + pending.size());

    InsertAllClient client =
        new InsertAllClient(
            "http://localhost:1",
            "p",
            "d",
            InsertAllClient.Authorization.none(),
            java.time.Duration.ofSeconds(1),
            java.time.Duration.ofSeconds(1));
    byte[] body;
    try (GZIPInputStream in =
        new GZIPInputStream(new java.io.ByteArrayInputStream(client.body(pending).toByteArray()))) {
      body = in.readAllBytes();
    }
    byte[] expected =
        jackson(
            g -> {
              g.writeStartObject();
              g.writeBooleanField("skipInvalidRows", false);
              g.writeBooleanField("ignoreUnknownValues", false);
              g.writeArrayFieldStart("rows");
              for (PendingRow r : pending) {
                g.writeStartObject();
                g.writeStringField("insertId", r.insertId());
                g.writeFieldName("json");
                reference(g, r.columns(), r.values());
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeEndObject();
            });
    assertEquals(expected.length, body.length);
    assertSameBytes(expected, body, "body");
  }

  private static String sampleBulk() {
    return TestBulks.bulk(
        300,
        i ->
            "{\"id\":"
                + i
                + ",\"vehicleId\":"
                + (100 + i % 7)
                + ",\"time\":\"2026-11-20T06:00:0"
                + (i % 10)
                + ".763Z\",\"type\":\"gps_position\",\"latitude\":"
                + (55 + i / 97.0)
                + ",\"longitude\":"
                + (8 + i / 31.0)
                + ",\"speed\":"
                + i % 130
                + ",\"direction\":"
                + i % 360
                + ",\"eph\":null,\"hdop\":"
                + i
                + "}");
  }

  private static Column column(String name, String type) {
    return new Column(name, type, "NULLABLE", "", List.of());
  }

  /** How the sink wrote a row's {@code json} object with Jackson's generator. */
  private static void reference(JsonGenerator g, List<Column> columns, Object[] values)
      throws IOException {
    g.writeStartObject();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null) {
        Column c = columns.get(i);
        g.writeFieldName(c.name());
        referenceValue(g, c, v);
      }
    }
    g.writeEndObject();
  }

  private static void referenceValue(JsonGenerator g, Column column, Object v) throws IOException {
    if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Long l) {
      g.writeNumber(l.longValue());
    } else if (v instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        g.writeString(d.toString());
      } else {
        g.writeNumber(d.doubleValue());
      }
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Instant t) {
      g.writeString(RowValues.timestamp(t));
    } else if (v instanceof Integer i) {
      g.writeNumber(i.longValue());
    } else if (v instanceof LocalDate d) {
      g.writeString(d.toString());
    } else if (v instanceof RawJson j) {
      g.writeString(j.toString());
    } else if (v instanceof Object[] record) {
      reference(g, column.fields(), record);
    } else if (v instanceof List<?> list) {
      g.writeStartArray();
      for (Object element : list) {
        reference(g, column.fields(), (Object[]) element);
      }
      g.writeEndArray();
    } else {
      throw new AssertionError("unexpected " + v.getClass());
    }
  }
}
