package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code deezwatts requeue} on a {@code bigquery:} sink in {@code insertAll} mode, end to end over
 * HTTP against {@link BigQueryStandIn}: the sink writes with {@code insertAll} and lists the
 * quarantine and the resolutions back with {@code tables.get} and {@code tabledata.list} from what
 * the stand-in stored. A row the table refused ({@code insertErrors}, reason {@code invalid}) is
 * quarantined; it stays open on a dry run and while the table still refuses it; once the table is
 * fixed requeue stores it with the key and ingest columns of first delivery, and a second run
 * stores nothing. {@link BigQueryRequeueIT} runs the same story on the Storage Write API.
 */
class InsertAllRequeueIT {
  private BigQueryStandIn bigQuery;
  private BigQuerySink sink;

  @BeforeEach
  void open() {
    bigQuery = StandIns.insertAll();
    sink = StandIns.sink(bigQuery, BigQueryRequeueIT.FAST);
    assertTrue(!sink.describe().contains("Storage Write API"), "insertAll: " + sink.describe());
  }

  @AfterEach
  void close() {
    sink.close();
    bigQuery.close();
  }

  /** The 55 % row, as a feed row (quarantine rows have a reason). */
  private static boolean chargeLevel55(JsonNode row) {
    return !row.has("reason") && row.path("value_num").asDouble() == 55.0;
  }

  private Requeue requeue() {
    return BigQueryRequeueIT.requeueOn(sink);
  }

  /** Each stored row's event_key, received_at (microseconds) and request_id. */
  private TreeSet<String> stored(String table) {
    TreeSet<String> keys = new TreeSet<>();
    for (JsonNode r : bigQuery.storedRows(table)) {
      Instant at = Instant.parse(r.path("received_at").asText());
      keys.add(
          r.path("event_key").asText()
              + " "
              + ChronoUnit.MICROS.between(Instant.EPOCH, at)
              + " "
              + r.path("request_id").asText());
    }
    return keys;
  }

  @Test
  void aRowTheTableRefusedIsStoredOnceTheTableIsFixedAndOnlyOnce() throws Exception {
    bigQuery.refuseRows(InsertAllRequeueIT::chargeLevel55, "value_num");
    IngestContext http =
        new IngestContext(
            BigQueryRequeueIT.RECEIVED, IngestContext.Source.HTTP, "req-1", null, Map.of());
    var first =
        new IngestService(sink)
            .ingest(
                "legacy-push",
                BigQueryRequeueIT.LEGACY.getBytes(StandardCharsets.UTF_8),
                http,
                BigQueryRequeueIT.far());
    assertEquals(1, first.written().movedToQuarantine());
    assertEquals(1, bigQuery.stored("legacy_car_events").size(), "the odometer row");
    assertEquals(2, bigQuery.stored("quarantine").size()); // the refused row, the 155 % event
    assertTrue(
        bigQuery.storedRows("quarantine").stream()
            .anyMatch(r -> r.path("reason").asText().contains("no such field: value_num.")),
        "BigQuery's reason is kept");
    assertEquals(
        new QuarantineStore.OpenCount(2, false),
        sink.countOpen(null, null),
        "tables.get's rows (the streaming buffer's here) bound the open entries");

    // Not fixed yet: the row is refused again and stays open; the 155 % event stays bad.
    RequeueReport notYet = requeue().run(BigQueryRequeueIT.options(true));
    assertEquals(2, notYet.entries());
    assertEquals(2, notYet.count(Outcome.STILL_QUARANTINED));
    assertEquals(1, bigQuery.stored("legacy_car_events").size());
    assertEquals(2, bigQuery.stored("quarantine_resolutions").size());

    bigQuery.refuseRows(row -> false, "value_num"); // the table is fixed
    int calls = bigQuery.calls().size();
    RequeueReport dry = requeue().run(BigQueryRequeueIT.options(false));
    assertEquals(2, dry.entries(), "still_quarantined does not close an entry");
    assertEquals(1, dry.count(Outcome.STORED));
    assertEquals(calls, bigQuery.calls().size(), "a dry run sends no insertAll");

    RequeueReport fixed = requeue().run(BigQueryRequeueIT.options(true));
    assertEquals(2, fixed.entries(), "the refused row's two copies are one entry");
    assertEquals(1, fixed.count(Outcome.STORED));
    assertEquals(1, fixed.count(Outcome.STILL_QUARANTINED));
    assertEquals(BigQueryRequeueIT.expectedRows(), stored("legacy_car_events"));
    assertEquals(
        bigQuery.stored("legacy_car_events"),
        bigQuery.storedRows("legacy_car_events").stream()
            .map(r -> r.path("event_key").asText())
            .toList(),
        "each row's insert id is its event_key");

    int listed = bigQuery.lists();
    int stored = bigQuery.stored("legacy_car_events").size();
    RequeueReport again = requeue().run(BigQueryRequeueIT.options(true));
    assertEquals(1, again.entries(), "only the 155 % event is open");
    assertEquals(0, again.rowsStored());
    assertEquals(stored, bigQuery.stored("legacy_car_events").size(), "nothing stored twice");
    assertTrue(bigQuery.lists() > listed, "listed through tabledata.list");
  }
}
