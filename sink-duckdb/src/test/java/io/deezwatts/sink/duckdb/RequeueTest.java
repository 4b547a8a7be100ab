package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.Resolution.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts requeue} on a real DuckDB file: events quarantined under an older catalog (one
 * that lacked the vendor's {@code percent} alias and ViriCiti's {@code chargestations.soc}) are
 * stored once the current catalog accepts them, with the keys first delivery would have given.
 */
class RequeueTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-21T10:00:00.123456Z");
  private static final Instant LATER = Instant.parse("2026-11-22T08:00:00Z");
  private static final Instant DEADLINE = Instant.now().plusSeconds(600);

  private static final String LEGACY =
      "[{\"type\":\"charge_level_percent\",\"carId\":\"3bbcee75-cecc-5b56-8031-b6641c1ed1f1\","
          + "\"time\":\"2017-01-01T12:30:10Z\",\"percent\":55},"
          + "{\"type\":\"can_odometer\",\"carId\":\"3bbcee75-cecc-5b56-8031-b6641c1ed1f1\","
          + "\"time\":\"2017-01-01T12:30:10Z\",\"odometer\":123123.0},"
          + "{\"type\":\"charge_level_percent\",\"carId\":\"3bbcee75-cecc-5b56-8031-b6641c1ed1f1\","
          + "\"time\":\"2017-01-01T12:31:10Z\",\"percent\":155}]";

  private static final String VIRICITI =
      "{\"type\":\"chargestations\",\"payload\":{\"parameter\":\"alive\",\"identity\":\"c1\","
          + "\"time\":\"2019-11-07T09:00:36.258Z\",\"value\":true}}\n"
          + "{\"type\":\"chargestations\",\"payload\":{\"parameter\":\"soc\",\"identity\":\"c2\","
          + "\"connector\":2,\"time\":\"2019-11-07T09:11:01.144Z\",\"value\":69}}\n";

  @TempDir Path dir;
  private DuckDbSink sink;

  @BeforeEach
  void open() {
    sink = new DuckDbSink(dir.resolve("data/test.duckdb"), Catalog.standard());
  }

  @AfterEach
  void close() {
    sink.close();
  }

  /** The standard catalog as it was before the {@code percent} alias and the soc parameter. */
  static Catalog olderCatalog() throws IOException {
    String json;
    try (InputStream in =
        Catalog.class.getResourceAsStream("/io/deezwatts/core/catalog/catalog.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String alias = "\"aliases\": [\n        \"percent\"\n       ],\n";
    assertEquals(1, json.split(java.util.regex.Pattern.quote(alias), -1).length - 1);
    json =
        json.replace(alias, "")
            .replace("\"type\": \"chargestations.soc\"", "\"type\": \"chargestations.soc_v0\"");
    return Catalog.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private void ingestWithOlderCatalog() throws Exception {
    IngestService old = new IngestService(sink, olderCatalog());
    IngestContext http =
        new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of());
    IngestOutcome legacy =
        old.ingest("legacy-push", LEGACY.getBytes(StandardCharsets.UTF_8), http, DEADLINE);
    assertEquals(2, legacy.quarantined().size(), "the older catalog lacks the percent alias");
    IngestContext bridge =
        new IngestContext(
            RECEIVED, IngestContext.Source.VIRICITI, null, "m-7", Map.of("socket", "s1"));
    IngestOutcome viriciti =
        old.ingest("viriciti", VIRICITI.getBytes(StandardCharsets.UTF_8), bridge, DEADLINE);
    assertEquals(1, viriciti.quarantined().size());
  }

  private Requeue requeue() {
    return new Requeue(sink, sink, Catalog.standard(), Clock.systemUTC());
  }

  private static Requeue.Options apply(boolean apply) {
    return new Requeue.Options(null, null, apply, 2); // pages of 2: several pages
  }

  @Test
  void storedEntriesGetTheKeysOfFirstDeliveryAndStayClosed() throws Exception {
    ingestWithOlderCatalog();
    assertEquals(1, count("SELECT count(*) FROM legacy_car_events")); // the odometer

    RequeueReport report = requeue().run(apply(true));

    assertEquals(3, report.entries());
    assertEquals(2, report.count(Outcome.STORED)); // the 55 % event, the soc message
    assertEquals(1, report.count(Outcome.STILL_QUARANTINED)); // 155 % is out of range still
    assertEquals(2, count("SELECT count(*) FROM legacy_car_events"));
    assertEquals(2, count("SELECT count(*) FROM viriciti_chargestation_data"));
    // The same bulks ingested with the current catalog into another file give the same rows.
    List<String> expected = firstDelivery();
    assertEquals(expected, keys());
    assertEquals(
        1,
        count(
            "SELECT count(*) FROM legacy_car_events WHERE request_id = 'req-1'"
                + " AND source = 'http' AND received_at = TIMESTAMPTZ '2026-11-21 10:00:00.123456Z'"
                + " AND value_num = 55"));
    assertEquals(
        2, // the alive message stored at first, the soc message now: the same delivery
        count(
            "SELECT count(*) FROM viriciti_chargestation_data WHERE message_id = 'm-7'"
                + " AND json_extract_string(metadata, '$.socket') = 's1'"));
    assertEquals(3, count("SELECT count(*) FROM quarantine_resolutions"));
    assertEquals(1, count("SELECT count(*) FROM quarantine_open"));
    assertEquals(
        "event 2 (charge_level_percent): field 'charge_level_percent': 155 is outside [0, 100]",
        string(
            "SELECT reason FROM quarantine_resolutions WHERE outcome = 'still_quarantined'"
                + " AND reason LIKE 'event 2%'"));
  }

  private List<String> firstDelivery() throws Exception {
    try (DuckDbSink other = new DuckDbSink(dir.resolve("other.duckdb"), Catalog.standard())) {
      IngestService current = new IngestService(other);
      current.ingest(
          "legacy-push",
          LEGACY.getBytes(StandardCharsets.UTF_8),
          new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of()),
          DEADLINE);
      current.ingest(
          "viriciti",
          VIRICITI.getBytes(StandardCharsets.UTF_8),
          new IngestContext(
              RECEIVED, IngestContext.Source.VIRICITI, null, "m-7", Map.of("socket", "s1")),
          DEADLINE);
      return keys(other);
    }
  }

  private List<String> keys() throws SQLException {
    return keys(sink);
  }

  private static List<String> keys(DuckDbSink s) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Statement st = s.connection().createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT event_key || ' ' || received_at FROM legacy_car_events_dedup UNION ALL"
                    + " SELECT event_key || ' ' || received_at FROM"
                    + " viriciti_chargestation_data_dedup ORDER BY 1")) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    }
    return keys;
  }

  @Test
  void aDryRunWritesNothing() throws Exception {
    ingestWithOlderCatalog();
    long quarantine = count("SELECT count(*) FROM quarantine");

    RequeueReport report = requeue().run(apply(false));

    assertEquals(2, report.count(Outcome.STORED));
    assertEquals(2, report.rowsStored());
    assertEquals(1, count("SELECT count(*) FROM legacy_car_events"));
    assertEquals(1, count("SELECT count(*) FROM viriciti_chargestation_data"));
    assertEquals(quarantine, count("SELECT count(*) FROM quarantine"));
    assertEquals(0, count("SELECT count(*) FROM quarantine_resolutions"));
    assertEquals(quarantine, count("SELECT count(*) FROM quarantine_open"));
  }

  @Test
  void aSecondRunStoresNothingTwice() throws Exception {
    ingestWithOlderCatalog();
    requeue().run(apply(true));
    long rows = count("SELECT count(*) FROM legacy_car_events");
    long resolutions = count("SELECT count(*) FROM quarantine_resolutions");

    RequeueReport again = requeue().run(apply(true));

    assertEquals(1, again.entries(), "only the entry still open");
    assertEquals(1, again.count(Outcome.STILL_QUARANTINED));
    assertEquals(0, again.rowsStored());
    assertEquals(rows, count("SELECT count(*) FROM legacy_car_events"));
    assertEquals(resolutions + 1, count("SELECT count(*) FROM quarantine_resolutions"));
  }

  @Test
  void aGzipBulkSentWithoutItsEncodingIsDecodedAgainAsABulk() throws Exception {
    // Sent without Content-Encoding: gzip, the bulk was not UTF-8 and was kept whole, as base64.
    byte[] gzip = gzip(LEGACY);
    IngestService current = new IngestService(sink);
    IngestContext http =
        new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-2", null, Map.of());
    assertTrue(!current.ingest("legacy-push", gzip, http, DEADLINE).accepted());
    assertEquals("base64", string("SELECT raw_encoding FROM quarantine"));

    RequeueReport report = requeue().run(new Requeue.Options(null, "utf-8", true, 100));

    assertEquals(1, report.entries());
    assertEquals(1, report.count(Outcome.PARTLY_STORED)); // the 155 % event is bad still
    assertEquals(2, report.rowsStored());
    assertEquals(2, count("SELECT count(*) FROM legacy_car_events WHERE request_id = 'req-2'"));
    assertEquals(
        "partly_stored",
        string("SELECT outcome FROM quarantine_resolutions WHERE rows_stored = 2"));
    // The bad event is an entry of its own now, open, with the bulk's ingest columns.
    assertEquals(
        1,
        count(
            "SELECT count(*) FROM quarantine_open WHERE event_index = 2 AND request_id = 'req-2'"
                + " AND raw_encoding = 'text'"));
    assertEquals(1, count("SELECT count(*) FROM quarantine_open"));

    RequeueReport again = requeue().run(apply(true));
    assertEquals(1, again.count(Outcome.STILL_QUARANTINED));
    assertEquals(2, count("SELECT count(*) FROM legacy_car_events"));
  }

  @Test
  void sinceAndReasonSelectEntries() throws Exception {
    ingestWithOlderCatalog();
    assertEquals(
        0, requeue().run(new Requeue.Options(LATER, null, false, 10)).entries(), "received before");
    assertEquals(
        1,
        requeue()
            .run(new Requeue.Options(RECEIVED, "UNKNOWN TYPE 'chargestations.soc", false, 10))
            .entries());
  }

  @Test
  void aTruncatedBulkStaysQuarantinedWithTheReason() throws Exception {
    String tooBig = "[" + " ".repeat(10 * 1024 * 1024) + "x";
    IngestService current = new IngestService(sink);
    current.ingest(
        "legacy-push",
        tooBig.getBytes(StandardCharsets.UTF_8),
        IngestContext.replay(RECEIVED),
        DEADLINE);

    RequeueReport report = requeue().run(apply(true));

    assertEquals(1, report.count(Outcome.STILL_QUARANTINED));
    assertTrue(
        report.topReasons(1).get(0).getKey().startsWith("only the first 10485760 of 10485762"),
        report.topReasons(1).toString());
    assertEquals(1, count("SELECT count(*) FROM quarantine_open"));
  }

  private static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  private long count(String sql) throws SQLException {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String string(String sql) throws SQLException {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }
}
