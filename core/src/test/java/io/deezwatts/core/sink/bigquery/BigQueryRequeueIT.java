package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deezwatts requeue} on the {@code bigquery:} sink: it writes through the Storage Write
 * stand-in (gRPC) and lists the quarantine and the resolutions back through {@link
 * TableDataStandIn} ({@code tabledata.list} over HTTP) from what the sink stored there. A row
 * BigQuery refused (the table lacked what the row needs) is quarantined; once the table is fixed,
 * requeue stores it with the key and ingest columns of first delivery, and a second run stores
 * nothing.
 */
class BigQueryRequeueIT {
  static final Instant RECEIVED = Instant.parse("2026-11-21T10:00:00.123456Z");
  static final String LEGACY =
      "[{\"type\":\"charge_level_percent\",\"carId\":\"car-1\",\"time\":\"2017-01-01T12:30:10Z\","
          + "\"percent\":55},"
          + "{\"type\":\"can_odometer\",\"carId\":\"car-1\",\"time\":\"2017-01-01T12:30:10Z\","
          + "\"odometer\":123123.0},"
          + "{\"type\":\"charge_level_percent\",\"carId\":\"car-1\",\"time\":\"2017-01-01T12:31:10Z\","
          + "\"percent\":155}]";
  static final BigQuerySink.Options FAST =
      BigQuerySink.Options.DEFAULTS
          .withBackoff(Duration.ZERO, Duration.ofMillis(1))
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

  private StorageWriteStandIn bigQuery;
  private TableDataStandIn rest;
  private BigQuerySink sink;

  @BeforeEach
  void open() {
    bigQuery = StandIns.storageWrite();
    rest = new TableDataStandIn(bigQuery);
    Map<String, String> env = new HashMap<>(bigQuery.environment());
    env.putAll(rest.environment());
    sink = BigQuerySink.open(StorageWriteStandIn.PROJECT, StorageWriteStandIn.DATASET, env, FAST);
    assertTrue(sink.describe().contains("Storage Write API"), sink.describe());
  }

  @AfterEach
  void close() {
    sink.close();
    rest.close();
    bigQuery.close();
  }

  /** The table refuses the 55 % row (as a table lacking a column would): not a quarantine row. */
  private static boolean chargeLevel55(DynamicMessage m) {
    Descriptors.Descriptor d = m.getDescriptorForType();
    Descriptors.FieldDescriptor value = d.findFieldByName("value_num");
    return d.findFieldByName("reason") == null
        && value != null
        && m.hasField(value)
        && ((Double) m.getField(value)) == 55.0;
  }

  private Requeue requeue() {
    return requeueOn(sink);
  }

  /** Requeue on a BigQuery sink, which is its own quarantine store. */
  static Requeue requeueOn(BigQuerySink sink) {
    return new Requeue(sink, sink, Catalog.standard(), Clock.systemUTC());
  }

  static Requeue.Options options(boolean apply) {
    return new Requeue.Options(null, null, apply, 1); // pages of one: several tabledata pages
  }

  private TreeSet<String> stored(String table) {
    TreeSet<String> keys = new TreeSet<>();
    for (DynamicMessage m : bigQuery.stored(table)) {
      Descriptors.Descriptor d = m.getDescriptorForType();
      keys.add(
          m.getField(d.findFieldByName("event_key"))
              + " "
              + m.getField(d.findFieldByName("received_at"))
              + " "
              + m.getField(d.findFieldByName("request_id")));
    }
    return keys;
  }

  @Test
  void aRefusedRowIsStoredOnceTheTableIsFixedAndOnlyOnce() throws Exception {
    bigQuery.refuseRows(BigQueryRequeueIT::chargeLevel55);
    IngestContext http =
        new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of());
    var first =
        new IngestService(sink)
            .ingest("legacy-push", LEGACY.getBytes(StandardCharsets.UTF_8), http, far());
    assertEquals(1, first.written().movedToQuarantine());
    assertEquals(2, bigQuery.stored("quarantine").size()); // the refused row, the 155 % event
    assertEquals(
        new QuarantineStore.OpenCount(2, false),
        sink.countOpen(null, null),
        "tables.get's rows (the streaming buffer's here) bound the open entries");

    // Not fixed yet: the row is refused again and stays open; the 155 % event stays bad.
    RequeueReport notYet = requeue().run(options(true));
    assertEquals(2, notYet.entries());
    assertEquals(2, notYet.count(Outcome.STILL_QUARANTINED));
    assertEquals(1, bigQuery.stored("legacy_car_events").size());
    assertEquals(2, bigQuery.stored("quarantine_resolutions").size());

    bigQuery.refuseRows(m -> false); // the table is fixed
    int appends = bigQuery.appends();
    RequeueReport dry = requeue().run(options(false));
    assertEquals(1, dry.count(Outcome.STORED));
    assertEquals(appends, bigQuery.appends(), "a dry run writes nothing");

    RequeueReport fixed = requeue().run(options(true));
    assertEquals(2, fixed.entries(), "the refused row's two copies are one entry");
    assertEquals(1, fixed.count(Outcome.STORED));
    assertEquals(1, fixed.count(Outcome.STILL_QUARANTINED));
    assertEquals(expectedRows(), stored("legacy_car_events"));

    int listed = rest.lists();
    RequeueReport again = requeue().run(options(true));
    assertEquals(1, again.entries(), "only the 155 % event is open");
    assertEquals(0, again.rowsStored());
    assertEquals(expectedRows(), stored("legacy_car_events"), "nothing stored twice");
    assertTrue(rest.lists() > listed);
    assertTrue(
        again.topReasons(1).get(0).getKey().startsWith("event N (charge_level_percent)"),
        again.topReasons(1).toString());
  }

  /** Refuses feed rows whose value_num is one of these (never a quarantine row). */
  private static java.util.function.Predicate<DynamicMessage> valueNum(double... refused) {
    return m -> {
      Descriptors.Descriptor d = m.getDescriptorForType();
      Descriptors.FieldDescriptor value = d.findFieldByName("value_num");
      if (d.findFieldByName("reason") != null || value == null || !m.hasField(value)) {
        return false;
      }
      for (double r : refused) {
        if (((Double) m.getField(value)) == r) {
          return true;
        }
      }
      return false;
    };
  }

  private static String charge(int percent) {
    return "{\"type\":\"charge_level_percent\",\"carId\":\"car-1\",\"time\":"
        + "\"2017-01-01T12:30:10Z\",\"percent\":"
        + percent
        + "}";
  }

  @Test
  void rowsRefusedTogetherAreToldApartEntryByEntry() throws Exception {
    bigQuery.refuseRows(valueNum(55.0, 56.0));
    IngestContext http =
        new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-2", null, Map.of());
    byte[] bulk = ("[" + charge(55) + "," + charge(56) + "]").getBytes(StandardCharsets.UTF_8);
    assertEquals(
        2,
        new IngestService(sink)
            .ingest("legacy-push", bulk, http, far())
            .written()
            .movedToQuarantine());

    bigQuery.refuseRows(valueNum(56.0)); // half fixed: the 56 % row is refused still
    RequeueReport report = requeue().run(new Requeue.Options(null, null, true, 10));

    assertEquals(2, report.entries());
    assertEquals(1, report.count(Outcome.STORED));
    assertEquals(1, report.count(Outcome.STILL_QUARANTINED));
    // The group's write stored the 55 % row, and writing each entry again to tell them apart
    // stored it again: a copy with the same key, which the _dedup view hides.
    assertEquals(1, stored("legacy_car_events").size());
    assertEquals(Set.of(55.0), Set.copyOf(bigQuery.column("legacy_car_events", "value_num")));
  }

  @Test
  void aBulkWhoseOneRowIsRefusedIsClosedAndItsRowCarriesOn() throws Exception {
    // Gzip sent without saying so: kept whole; requeue gunzips it, and the table refuses its row.
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(("[" + charge(55) + "]").getBytes(StandardCharsets.UTF_8));
    }
    IngestContext http =
        new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-3", null, Map.of());
    assertTrue(
        !new IngestService(sink).ingest("legacy-push", gz.toByteArray(), http, far()).accepted());
    bigQuery.refuseRows(valueNum(55.0));

    RequeueReport refused = requeue().run(options(true));
    assertEquals(1, refused.count(Outcome.REFUSED));
    assertEquals(2, bigQuery.stored("quarantine").size(), "the bulk, and its row now refused");

    bigQuery.refuseRows(m -> false);
    RequeueReport fixed = requeue().run(options(true));
    assertEquals(1, fixed.entries(), "the bulk is closed; its refused row is open");
    assertEquals(1, fixed.count(Outcome.STORED));
    assertEquals(1, bigQuery.stored("legacy_car_events").size());
    assertEquals(0, requeue().run(options(true)).entries());
  }

  /** The rows first delivery would have stored with the current table: keys and ingest columns. */
  static TreeSet<String> expectedRows() throws Exception {
    TreeSet<String> keys = new TreeSet<>();
    List<Row> rows =
        BulkDecoder.forFeed("legacy-push")
            .decode(
                LEGACY.getBytes(StandardCharsets.UTF_8),
                new IngestContext(RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of()))
            .rows();
    assertEquals(2, rows.size());
    for (Row r : rows) {
      keys.add(r.eventKey() + " " + ChronoUnit.MICROS.between(Instant.EPOCH, RECEIVED) + " req-1");
    }
    return keys;
  }

  static Instant far() {
    return Instant.now().plusSeconds(60);
  }
}
