package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkBatch;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of {@link ProtoRowEncoder}: each expected encoding was worked out by hand from the
 * protobuf wire format (tag = field number &lt;&lt; 3 | wire type, varints, little-endian doubles)
 * and is checked byte for byte, then decoded with protobuf's own parser against the descriptor.
 */
class ProtoRowEncoderTest {
  private static final List<Column> COLUMNS =
      List.of(
          column("a", "INT64", "NULLABLE"),
          column("b", "INT64", "NULLABLE"),
          column("t", "TIMESTAMP", "NULLABLE"),
          column("d", "DATE", "NULLABLE"),
          new Column(
              "s",
              "RECORD",
              "NULLABLE",
              "",
              List.of(column("x", "FLOAT64", "NULLABLE"), column("y", "STRING", "NULLABLE"))),
          column("j", "JSON", "NULLABLE"),
          new Column("r", "RECORD", "REPEATED", "", List.of(column("k", "STRING", "NULLABLE"))),
          column("f", "BOOL", "NULLABLE"));

  private static final ProtoTableSchema SCHEMA = ProtoTableSchema.of(COLUMNS);

  private static Column column(String name, String type, String mode) {
    return new Column(name, type, mode, "", List.of());
  }

  /** The encoding of a row with one value set at {@code index}, all others null. */
  private static String encodeOne(int index, Object value) {
    Object[] values = new Object[COLUMNS.size()];
    values[index] = value;
    return HexFormat.of().formatHex(ProtoRowEncoder.encode(SCHEMA, values).toByteArray());
  }

  @Test
  void nullIsLeftOutAndZeroIsWritten() {
    assertEquals("1000", encodeOne(1, 0L), "b = 0: tag 0x10, varint 0");
    assertEquals("0800", encodeOne(0, 0L), "a = 0: tag 0x08, varint 0");
    assertEquals("", encodeOne(0, null), "all null: nothing at all");
    assertEquals("4000", encodeOne(7, false), "false is written too");
  }

  @Test
  void timestampsAreMicrosecondsSinceTheEpoch() {
    // 1714557600123456 µs; the nanoseconds past the microsecond are dropped.
    assertEquals(
        "18c094cfe598ec8503", encodeOne(2, Instant.parse("2024-05-01T10:00:00.123456789Z")));
    // Before 1970: -1 µs, a ten-byte varint.
    assertEquals(
        "18ffffffffffffffffff01", encodeOne(2, Instant.parse("1969-12-31T23:59:59.999999Z")));
  }

  @Test
  void datesAreDaysSinceTheEpoch() {
    assertEquals("20849b01", encodeOne(3, LocalDate.parse("2024-05-01")), "19844 days");
  }

  @Test
  void structsAreNestedMessages() {
    // Tag 0x2a, length 13: x = 1.5 (tag 0x09, 8 bytes LE), y = "é" (tag 0x12, 2 bytes UTF-8).
    assertEquals("2a0d09000000000000f83f1202c3a9", encodeOne(4, new Object[] {1.5, "é"}));
    assertEquals(
        "3a030a01783a030a0179",
        encodeOne(6, List.of(new Object[] {"x"}, new Object[] {"y"})),
        "a REPEATED RECORD is one nested message per element");
  }

  @Test
  void jsonIsItsCompactText() {
    assertEquals("32077b2261223a317d", encodeOne(5, RawJson.ofCompact("{\"a\":1}")));
    assertEquals("32077b2261223a317d", encodeOne(5, "{\"a\":1}"), "or a string");
  }

  @Test
  void protobufsOwnParserReadsWhatWasWritten() throws Exception {
    Object[] values = {
      -7L,
      0L,
      Instant.parse("2024-05-01T10:00:00.5Z"),
      LocalDate.parse("1969-12-31"),
      new Object[] {null, "z"},
      null,
      List.<Object[]>of(new Object[] {"k1"}),
      true
    };
    ByteString bytes = ProtoRowEncoder.encode(SCHEMA, values);
    assertEquals(bytes.size(), ProtoRowEncoder.size(SCHEMA, values));
    DynamicMessage m = DynamicMessage.parseFrom(SCHEMA.descriptor(), bytes);
    assertEquals(-7L, m.getField(SCHEMA.descriptor().findFieldByName("a")));
    assertTrue(m.hasField(SCHEMA.descriptor().findFieldByName("b")), "zero is present");
    assertEquals(1_714_557_600_500_000L, m.getField(SCHEMA.descriptor().findFieldByName("t")));
    assertEquals(-1, m.getField(SCHEMA.descriptor().findFieldByName("d")));
    assertFalse(m.hasField(SCHEMA.descriptor().findFieldByName("j")), "null is absent");
    DynamicMessage s = (DynamicMessage) m.getField(SCHEMA.descriptor().findFieldByName("s"));
    assertFalse(s.hasField(s.getDescriptorForType().findFieldByName("x")));
    assertEquals("z", s.getField(s.getDescriptorForType().findFieldByName("y")));
    assertEquals(1, m.getRepeatedFieldCount(SCHEMA.descriptor().findFieldByName("r")));
  }

  @Test
  void aValueOfTheWrongTypeNamesItsColumn() {
    Object[] values = new Object[COLUMNS.size()];
    values[3] = "2024-05-01";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ProtoRowEncoder.encode(SCHEMA, values));
    assertTrue(e.getMessage().contains("column d (NULLABLE DATE)"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> ProtoRowEncoder.encode(SCHEMA, new Object[2]));
  }

  @Test
  void aLaggingTableKeepsItsColumnNumbersAndSkipsTheOthers() {
    ProtoTableSchema kept =
        SCHEMA.keeping(
            List.of(
                TableFieldSchema.newBuilder().setName("A").build(),
                TableFieldSchema.newBuilder()
                    .setName("s")
                    .addFields(TableFieldSchema.newBuilder().setName("y"))
                    .build()));
    assertEquals(List.of("b", "t", "d", "s.x", "j", "r", "f"), kept.leftOut());
    Object[] values = {1L, 2L, null, null, new Object[] {1.5, "é"}, null, null, null};
    assertEquals(
        "0801" + "2a04" + "1202c3a9",
        HexFormat.of().formatHex(ProtoRowEncoder.encode(kept, values).toByteArray()),
        "a keeps field 1, s keeps field 5 with only y (field 2)");
  }

  @Test
  void everyCatalogTableHasAProtobufSchemaAndItsRowsEncode() {
    for (var table : Catalog.standard().tables()) {
      assertEquals(
          table.columns().size(),
          ProtoTableSchema.of(table.columns()).descriptor().getFields().size());
    }
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(4, TestBulks::mixed));
    for (Row row : batch.rows()) {
      ProtoTableSchema schema = ProtoTableSchema.of(row.table().columns());
      Object[] values = row.values().toArray();
      assertTrue(ProtoRowEncoder.encode(schema, values).size() > 0);
    }
  }
}
