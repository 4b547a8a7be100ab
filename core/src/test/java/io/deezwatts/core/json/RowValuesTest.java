package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.catalog.Column;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value rules, through the JSON-embedding writer, against the fixture pair. */
class RowValuesTest {
  @Test
  void theFixtureRowIsWrittenAsExpected() throws IOException {
    Object[] values = RowValuesFixture.values();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JsonFactory.builder().build().createGenerator(out)) {
      RowJsonWriter.writeObject(g, null, RowValuesFixture.COLUMNS, i -> values[i]);
    }
    assertEquals(
        RowValuesFixture.expected("decode.json"), RowValuesFixture.parse(out.toByteArray()));
  }

  @Test
  void aValueItsColumnCannotHoldIsNamed() {
    Column rec = new Column("rec", "RECORD", "REPEATED", "", List.of());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RowJsonWriter.writeObject(
                    JsonFactory.builder().build().createGenerator(new ByteArrayOutputStream()),
                    null,
                    List.of(rec),
                    i -> List.of("not a record")));
    assertTrue(
        e.getMessage().contains("column rec (REPEATED RECORD) cannot hold a String"),
        e.getMessage());
  }
}
