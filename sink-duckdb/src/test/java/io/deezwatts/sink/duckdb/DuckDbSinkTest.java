package io.deezwatts.sink.duckdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.sink.WriteResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DuckDB sink against a real DuckDB file. */
class DuckDbSinkTest {
  private static final Instant RECEIVED = Instant.parse("2026-11-21T10:00:00Z");
  private static final Instant DEADLINE = Instant.now().plusSeconds(600);

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

  private static byte[] bulk(int events, int firstId) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < events; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"type\":\"gps_position\",\"id\":")
          .append(firstId + i)
          .append(",\"vehicleId\":")
          .append(1000 + (firstId + i) % 7)
          .append(",\"time\":\"2022-10-12T07:06:45.000Z\",\"latitude\":")
          .append(55.0 + (firstId + i) * 1e-5)
          .append(",\"longitude\":12.5,\"speed\":")
          .append((firstId + i) % 130)
          .append(",\"direction\":90,\"eph\":null,\"hdop\":69}");
    }
    return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static DecodedBulk decode(String feed, byte[] body) throws BulkRejectedException {
    return BulkDecoder.forFeed(feed)
        .decode(
            body, new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of()));
  }

  private long count(String sql) throws SQLException {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  @Test
  void theSameBulkTwiceLeavesTheRowCountUnchanged() throws Exception {
    DecodedBulk decoded = decode("data-streams", bulk(2_000, 1));
    WriteResult first = sink.write(SinkBatch.of(decoded), DEADLINE);
    assertEquals(2_000, first.rowsStored());
    assertEquals(0, first.duplicatesSkipped());
    assertEquals(2_000, count("SELECT count(*) FROM vehicle_events"));

    WriteResult again = sink.write(SinkBatch.of(decode("data-streams", bulk(2_000, 1))), DEADLINE);
    assertEquals(0, again.rowsStored());
    assertEquals(2_000, again.duplicatesSkipped());
    assertEquals(2_000, count("SELECT count(*) FROM vehicle_events"));
    assertEquals(2_000, count("SELECT count(*) FROM vehicle_events_dedup"));

    WriteResult overlapping =
        sink.write(SinkBatch.of(decode("data-streams", bulk(1_000, 1_501))), DEADLINE);
    assertEquals(500, overlapping.rowsStored(), "ids 2001-2500 are new");
    assertEquals(500, overlapping.duplicatesSkipped());
    assertEquals(2_500, count("SELECT count(*) FROM vehicle_events_dedup"));
  }

  @Test
  void columnsHoldTypedValuesAndThePayload() throws Exception {
    byte[] body = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    sink.write(SinkBatch.of(decode("data-streams", body)), DEADLINE);
    try (Statement s = sink.connection().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT vehicle_id, gps.latitude, gps.hdop, gps.eph, time, received_at, source,"
                    + " request_id, payload->>'$.type', epoch_us(time) FROM vehicle_events"
                    + " WHERE type = 'gps_position'")) {
      assertTrue(rs.next());
      assertEquals(228745, rs.getLong(1));
      assertEquals(60.613747999999994, rs.getDouble(2));
      assertEquals(69, rs.getLong(3));
      rs.getLong(4);
      assertTrue(rs.wasNull(), "eph was null");
      assertEquals(Instant.parse("2022-10-12T07:06:45Z").toEpochMilli() * 1000, rs.getLong(10));
      assertEquals("http", rs.getString(7));
      assertEquals("req-1", rs.getString(8));
      assertEquals("gps_position", rs.getString(9));
      assertFalse(rs.next());
    }
    assertEquals(
        53,
        count("SELECT count(*) FROM vehicle_events") + count("SELECT count(*) FROM admin_events"));
    assertEquals(
        1, count("SELECT count(*) FROM vehicle_events WHERE value_date = DATE '2014-01-03'"));
  }

  @Test
  void legacyCarsLandAsAListOfRecords() throws Exception {
    byte[] body = Files.readAllBytes(Path.of("../samples/legacy-account.json"));
    sink.write(SinkBatch.of(decode("legacy-push", body)), DEADLINE);
    assertEquals(
        2,
        count(
            "SELECT count(*) FROM legacy_account_events, unnest(cars) AS c(car)"
                + " WHERE car.car_id = '3bbcee75-cecc-5b56-8031-b6641c1ed1f1' AND car.year = '2018'"));
  }

  @Test
  void quarantinedEventsKeepRawJsonReasonIndexAndDelivery() throws Exception {
    String body =
        "[{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":5,"
            + "\"time\":\"2022-01-01T00:00:00Z\"},"
            + "{\"type\":\"gps_position\",\"id\":2,\"vehicleId\":5,\"time\":\"2022-01-01T00:00:00Z\","
            + "\"latitude\":91,\"longitude\":0}]";
    WriteResult r =
        sink.write(
            SinkBatch.of(decode("data-streams", body.getBytes(StandardCharsets.UTF_8))), DEADLINE);
    assertEquals(1, r.rowsStored());
    assertEquals(1, r.quarantined());
    try (Statement s = sink.connection().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT feed, type, event_index, reason, raw, raw_length, source, request_id,"
                    + " received_at FROM quarantine")) {
      assertTrue(rs.next());
      assertEquals("data-streams", rs.getString(1));
      assertEquals("gps_position", rs.getString(2));
      assertEquals(1, rs.getLong(3));
      assertTrue(rs.getString(4).contains("event 1") && rs.getString(4).contains("latitude"));
      assertTrue(rs.getString(5).contains("\"latitude\":91"));
      assertEquals(rs.getString(5).length(), rs.getLong(6));
      assertEquals("http", rs.getString(7));
      assertEquals("req-1", rs.getString(8));
      assertFalse(rs.next());
    }
  }

  @Test
  void anUnparseableBulkIsKeptWholeAndABigOneTruncatedAt10MiB() throws Exception {
    IngestService service = new IngestService(sink);
    IngestContext ctx = IngestContext.replay(RECEIVED);
    IngestOutcome small =
        service.ingest("data-streams", "not json".getBytes(StandardCharsets.UTF_8), ctx, DEADLINE);
    assertFalse(small.accepted());
    assertEquals(1, small.written().quarantined());

    byte[] big = new byte[QuarantineEntry.MAX_RAW_BYTES + 12_345];
    java.util.Arrays.fill(big, (byte) 'x');
    big[0] = '{';
    IngestOutcome truncated = service.ingest("data-streams", big, ctx, DEADLINE);
    assertFalse(truncated.accepted());
    try (Statement s = sink.connection().createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT raw, raw_length, event_index FROM quarantine ORDER BY raw_length")) {
      assertTrue(rs.next());
      assertEquals("not json", rs.getString(1));
      assertEquals(8, rs.getLong(2));
      rs.getLong(3);
      assertTrue(rs.wasNull(), "a whole bulk has no event index");
      assertTrue(rs.next());
      assertEquals(QuarantineEntry.MAX_RAW_BYTES, rs.getString(1).length());
      assertEquals(big.length, rs.getLong(2));
    }
    IngestOutcome again =
        service.ingest("data-streams", "not json".getBytes(StandardCharsets.UTF_8), ctx, DEADLINE);
    assertEquals(0, again.written().quarantined(), "the same bad bulk is not quarantined twice");
  }

  @Test
  void tablesHaveTheCatalogsColumnsInOrder() throws Exception {
    for (TableSpec t : Catalog.standard().tables()) {
      List<String> actual = new ArrayList<>();
      try (Statement s = sink.connection().createStatement();
          ResultSet rs = s.executeQuery("DESCRIBE " + t.name())) {
        while (rs.next()) {
          actual.add(rs.getString(1));
        }
      }
      assertEquals(t.columns().stream().map(Column::name).toList(), actual, t.name());
      assertEquals(0, count("SELECT count(*) FROM " + t.name() + "_dedup"), t.name() + "_dedup");
    }
  }

  @Test
  void aFailedWriteStoresNothing() throws Exception {
    sink.write(SinkBatch.of(decode("data-streams", bulk(10, 1))), DEADLINE);
    try (Statement s = sink.connection().createStatement()) {
      s.execute("ALTER TABLE quarantine RENAME TO quarantine_gone"); // make the second load fail
    }
    String body =
        "[{\"type\":\"car_ignition\",\"id\":99,\"value\":true,\"vehicleId\":5,"
            + "\"time\":\"2022-01-01T00:00:00Z\"}, 42]";
    SinkException e =
        assertThrows(
            SinkException.class,
            () ->
                sink.write(
                    SinkBatch.of(decode("data-streams", body.getBytes(StandardCharsets.UTF_8))),
                    DEADLINE));
    assertFalse(e.isTransient(), "a missing table will not appear by retrying");
    assertEquals(10, count("SELECT count(*) FROM vehicle_events"), "the row before it rolled back");
  }

  @Test
  void sinksOpensDuckDbByScheme() {
    try (Sink s = Sinks.open("duckdb:" + dir.resolve("other.duckdb"), Map.of())) {
      assertInstanceOf(DuckDbSink.class, s);
      assertTrue(s.describe().endsWith("other.duckdb"));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Sinks.open("mysql:x", Map.of()));
    assertTrue(e.getMessage().contains("duckdb:"), e.getMessage());
    assertEquals(Sinks.DEFAULT_URI, Sinks.uriFrom(Map.of()));
    assertEquals("bigquery:p.d", Sinks.uriFrom(Map.of("DEEZWATTS_SINK", "bigquery:p.d")));
  }

  @Test
  void aBulkThatIsNotUtf8IsKeptByteForByteAsBase64() throws Exception {
    byte[] latin1 = "[{\"type\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    IngestOutcome o =
        new IngestService(sink)
            .ingest("data-streams", latin1, IngestContext.replay(RECEIVED), DEADLINE);
    assertFalse(o.accepted());
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery("SELECT raw, raw_encoding, raw_length FROM quarantine")) {
      assertTrue(rs.next());
      assertEquals("base64", rs.getString(2));
      assertArrayEquals(latin1, java.util.Base64.getDecoder().decode(rs.getString(1)));
      assertEquals(latin1.length, rs.getLong(3));
    }
  }

  @Test
  void aFileFromQuarantineSchemaVersion1GainsRawEncoding() throws Exception {
    sink.close();
    Path old = dir.resolve("v1.duckdb");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:" + old);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE quarantine (event_key VARCHAR PRIMARY KEY, feed VARCHAR NOT NULL,"
              + " type VARCHAR, event_index BIGINT, reason VARCHAR NOT NULL, raw VARCHAR NOT NULL,"
              + " raw_length BIGINT NOT NULL, received_at TIMESTAMPTZ NOT NULL,"
              + " source VARCHAR NOT NULL, request_id VARCHAR, message_id VARCHAR, metadata JSON)");
    }
    sink = new DuckDbSink(old, Catalog.standard());
    new IngestService(sink)
        .ingest(
            "data-streams",
            "not json".getBytes(StandardCharsets.UTF_8),
            IngestContext.replay(RECEIVED),
            DEADLINE);
    assertEquals(1, count("SELECT count(*) FROM quarantine WHERE raw_encoding = 'text'"));
  }
}
