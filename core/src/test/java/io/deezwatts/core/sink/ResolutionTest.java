package io.deezwatts.core.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.Resolution.Outcome;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Resolutions as rows of {@code quarantine_resolutions}, and entries read back from columns. */
class ResolutionTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-21T10:00:00.123456Z");
  private static final Instant RESOLVED = Instant.parse("2026-12-04T08:00:00Z");

  private static Resolution resolution(String run) {
    return new Resolution(
        "0123456789abcdef0123456789abcdef", RECEIVED, RESOLVED, Outcome.STORED, null, 2, run);
  }

  @Test
  void valuesAreInTheCatalogsColumnOrder() {
    TableSpec t = Catalog.standard().table("quarantine_resolutions");
    assertEquals(
        List.of(
            "event_key",
            "entry_key",
            "received_at",
            "resolved_at",
            "outcome",
            "reason",
            "rows_stored",
            "run_id"),
        t.columns().stream().map(Column::name).toList());
    Object[] v = resolution("run-1").values();
    assertEquals(t.columns().size(), v.length);
    assertEquals(RECEIVED, v[2]);
    assertEquals("stored", v[4]);
    assertEquals(2L, v[6]);
  }

  @Test
  void theKeyIsStableWithinARunAndDiffersBetweenRuns() {
    assertEquals(resolution("run-1").key(), resolution("run-1").key());
    assertNotEquals(resolution("run-1").key(), resolution("run-2").key());
    assertTrue(resolution("run-1").key().matches("[0-9a-f]{32}"));
  }

  @Test
  void onlyStillQuarantinedLeavesAnEntryOpen() {
    assertTrue(Outcome.STORED.closes());
    assertTrue(Outcome.PARTLY_STORED.closes());
    assertTrue(Outcome.REFUSED.closes());
    assertFalse(Outcome.STILL_QUARANTINED.closes());
    assertEquals(Outcome.PARTLY_STORED, Outcome.ofWireName("partly_stored"));
  }

  private static Map<String, Object> quarantineRow() {
    Map<String, Object> row = new HashMap<>();
    row.put("event_key", "0123456789abcdef0123456789abcdef");
    row.put("feed", "legacy-push");
    row.put("type", null);
    row.put("event_index", null);
    row.put("reason", "the body is not UTF-8");
    row.put("raw", "H4sIAAAAAAAA");
    row.put("raw_length", 9L);
    row.put("received_at", RECEIVED);
    row.put("source", "pubsub");
    row.put("request_id", null);
    row.put("message_id", "m-1");
    row.put("metadata", "{\"a\":\"1\",\"b\":null}");
    row.put("raw_encoding", "base64");
    return row;
  }

  @Test
  void anEntryReadsBackWithTheIngestColumnsOfItsDelivery() {
    OpenEntry e = OpenEntry.fromColumns(quarantineRow()::get);
    assertTrue(e.wholeBulk());
    assertEquals(
        new IngestContext(RECEIVED, IngestContext.Source.PUBSUB, null, "m-1", Map.of("a", "1")),
        e.context());
    assertEquals(QuarantineEntry.BASE64, e.entry().rawEncoding());
    assertEquals(9, e.entry().rawBytes().length);
  }

  @Test
  void aVersion1RowIsTextAndABadRowIsNamed() {
    Map<String, Object> v1 = quarantineRow();
    v1.put("raw_encoding", null);
    v1.put("raw", "{\"type\":\"x\"}");
    v1.put("type", "x");
    v1.put("event_index", 3L);
    OpenEntry e = OpenEntry.fromColumns(v1::get);
    assertEquals(QuarantineEntry.TEXT, e.entry().rawEncoding());
    assertEquals(3, e.entry().eventIndex());
    assertFalse(e.wholeBulk());

    Map<String, Object> bad = quarantineRow();
    bad.put("source", "carrier-pigeon");
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> OpenEntry.fromColumns(bad::get))
            .getMessage()
            .contains("unknown source 'carrier-pigeon'"));
  }
}
