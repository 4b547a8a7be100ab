package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DynamicMessage;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code bigquery:} sink on its default path, the Storage Write API, against {@link
 * StorageWriteStandIn}: a real gRPC server on a loopback port that stands in for BigQuery (which
 * has no local emulator), speaking the generated {@code BigQueryWrite} service and decoding each
 * row with the writer schema the client sent.
 */
class StorageWriteSinkIT {
  private static final String VEHICLE = "vehicle_events";
  private static final int EVENTS = 10_000;

  /** Retries without waiting, so that a test's time goes to the appends. */
  private static final BigQuerySink.Options FAST =
      BigQuerySink.Options.DEFAULTS
          .withBackoff(Duration.ZERO, Duration.ofMillis(1))
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10));

  private static StorageWriteStandIn bigQuery;
  private static SinkBatch bulk;
  private static List<String> eventKeys;

  @BeforeAll
  static void setUp() {
    bigQuery = StandIns.storageWrite();
    bulk = TestBulks.batch("data-streams", TestBulks.bulk(EVENTS, TestBulks::mixed));
    eventKeys = bulk.rows().stream().map(Row::eventKey).toList();
  }

  @AfterAll
  static void tearDown() {
    bigQuery.close();
  }

  @BeforeEach
  @AfterEach
  void reset() {
    bigQuery.reset();
  }

  private static Instant far() {
    return Instant.now().plusSeconds(60);
  }

  /** A sink whose appends carry at most {@code maxRequestBytes} of rows. */
  private static BigQuerySink sink(BigQuerySink.Options options, long maxRequestBytes) {
    return BigQuerySink.open(
        BigQueryEnvironment.open(
            StorageWriteStandIn.PROJECT,
            StorageWriteStandIn.DATASET,
            bigQuery.environment(),
            options,
            maxRequestBytes),
        options);
  }

  @Test
  void aBulkGoesInOneAppendPerTableAndDecodesWithTheWriterSchema() throws Exception {
    int connectionsBefore = bigQuery.connections();
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      assertTrue(sink.describe().contains("Storage Write API"), sink.describe());
      WriteResult r = sink.write(bulk, far());
      assertEquals(EVENTS, r.rowsStored());
      assertEquals(List.of(EVENTS), bigQuery.rowsPerAppend(), "10,000 rows fit one append");
      assertEquals(new HashSet<>(eventKeys), bigQuery.eventKeyCounts(VEHICLE).keySet());

      Row first = bulk.rows().get(0);
      DynamicMessage stored = bigQuery.stored(VEHICLE).get(0);
      assertEquals(first.eventKey(), stored.getField(field(stored, "event_key")));
      Instant time = first.time();
      assertEquals(
          time.getEpochSecond() * 1_000_000L + time.getNano() / 1000,
          stored.getField(field(stored, "time")),
          "TIMESTAMP as microseconds");
      assertEquals(first.payload().toString(), stored.getField(field(stored, "payload")));

      // The writer is kept: a second bulk goes on the same connection.
      sink.write(bulk, far());
      assertEquals(1, bigQuery.connections() - connectionsBefore, "one writer per table, reused");
    }
  }

  private static com.google.protobuf.Descriptors.FieldDescriptor field(
      DynamicMessage m, String name) {
    return m.getDescriptorForType().findFieldByName(name);
  }

  @Test
  void aFailureAtEveryAppendLosesNothingAfterAReplay() throws Exception {
    BigQuerySink.Options once = FAST.withMaxAttempts(1).withMaxConcurrentChunks(1);
    long small = 256_000; // several appends per bulk
    int appends;
    try (BigQuerySink sink = sink(once, small)) {
      sink.write(bulk, far());
      appends = bigQuery.appends();
    }
    assertTrue(appends >= 5, "the bulk takes several appends: " + appends);
    List<Integer> sizes = bigQuery.rowsPerAppend();

    for (int n = 1; n <= appends; n++) {
      bigQuery.reset();
      bigQuery.failAppend(n, Status.Code.UNAVAILABLE);
      try (BigQuerySink sink = sink(once, small)) {
        SinkException e = assertThrows(SinkException.class, () -> sink.write(bulk, far()));
        assertTrue(e.isTransient(), "append " + n + ": the sender is told to retry");
        int storedBefore = sizes.subList(0, n - 1).stream().mapToInt(Integer::intValue).sum();
        assertEquals(storedBefore, bigQuery.stored(VEHICLE).size(), "appends before " + n);

        sink.write(bulk, far()); // the replay
        Map<String, Integer> counts = bigQuery.eventKeyCounts(VEHICLE);
        assertEquals(new HashSet<>(eventKeys), counts.keySet(), "every event_key, append " + n);
        assertEquals(
            storedBefore + EVENTS,
            bigQuery.stored(VEHICLE).size(),
            "repeats only from the failed write, which the _dedup views remove");
      }
    }
  }

  @Test
  void refusedRowsGoToQuarantineAndTheOthersAreStored() throws Exception {
    Set<String> bad = Set.of(eventKeys.get(3), eventKeys.get(500), eventKeys.get(9_999));
    // Rows of the feed table only (they have a payload): their quarantine entries are stored.
    bigQuery.refuseRows(
        m ->
            m.getDescriptorForType().findFieldByName("payload") != null
                && bad.contains((String) m.getField(field(m, "event_key"))));
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      WriteResult r = sink.write(bulk, far());
      assertEquals(EVENTS - 3, r.rowsStored());
      assertEquals(3, r.movedToQuarantine());
    }
    Set<String> stored = bigQuery.eventKeyCounts(VEHICLE).keySet();
    assertEquals(EVENTS - 3, stored.size());
    assertTrue(stored.stream().noneMatch(bad::contains));
    assertEquals(bad, bigQuery.eventKeyCounts("quarantine").keySet());
    for (Object reason : bigQuery.column("quarantine", "reason")) {
      assertTrue(
          ((String) reason).contains("Invalid value for a column of row"),
          "BigQuery's message is kept: " + reason);
    }
    for (Object raw : bigQuery.column("quarantine", "raw")) {
      assertTrue(((String) raw).startsWith("{\"type\":"), "the raw event is kept: " + raw);
    }
  }

  @Test
  void anIdleClosedStreamIsReopenedAndTheOldWriterLeavesNothingOpen() throws Exception {
    int connectionsBefore = bigQuery.connections();
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      sink.write(bulk, far());
      int threadsAfterOne = Thread.activeCount();
      for (int i = 0; i < 5; i++) {
        bigQuery.closeIdle(1);
        WriteResult r = sink.write(bulk, far());
        assertEquals(EVENTS, r.rowsStored());
      }
      assertEquals(6 * EVENTS, bigQuery.stored(VEHICLE).size(), "every write stored once");
      assertTrue(
          bigQuery.connections() - connectionsBefore >= 6, "a new connection after each close");
      waitUntil(() -> bigQuery.openConnections() <= 1, "old connections end");
      waitUntil(
          () -> Thread.activeCount() <= threadsAfterOne + 2,
          "no threads pile up: " + threadsAfterOne + " after one writer");
    }
    waitUntil(() -> bigQuery.openConnections() == 0, "closing the sink ends its connection");
  }

  @Test
  void aWriterTheServerClosedForGoodIsReplaced() throws Exception {
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      sink.write(bulk, far());
      int before = bigQuery.connections();
      bigQuery.closeWith(1, Status.FAILED_PRECONDITION.withDescription("stream closed"));
      assertEquals(EVENTS, sink.write(bulk, far()).rowsStored());
      assertEquals(before + 1, bigQuery.connections(), "one new writer");
      assertEquals(2 * EVENTS, bigQuery.stored(VEHICLE).size());
    }
  }

  @Test
  void aTableLaggingTheCatalogGetsTheColumnsItHas() throws Exception {
    bigQuery.lack(VEHICLE, Set.of("gps"));
    try {
      try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
        assertEquals(EVENTS, sink.write(bulk, far()).rowsStored());
        assertEquals(EVENTS, sink.write(bulk, far()).rowsStored());
      }
      assertEquals(1, bigQuery.schemaReads(), "the table's schema is read once");
      assertEquals(2 * EVENTS, bigQuery.stored(VEHICLE).size());
      DynamicMessage gps = bigQuery.stored(VEHICLE).get(1); // odd indexes are GPS positions
      assertNull(gps.getDescriptorForType().findFieldByName("gps"), "gps left out");
      assertTrue(
          ((String) gps.getField(field(gps, "payload"))).contains("\"latitude\":60.6137"),
          "the payload keeps the whole event");
    } finally {
      bigQuery.lack(VEHICLE, Set.of());
    }
  }

  @Test
  void transientStatusesAreRetriedAndPermanentOnesFailAtOnce() throws Exception {
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      for (Status.Code code :
          List.of(
              Status.Code.UNAVAILABLE,
              Status.Code.INTERNAL,
              Status.Code.ABORTED,
              Status.Code.DEADLINE_EXCEEDED,
              Status.Code.RESOURCE_EXHAUSTED)) {
        bigQuery.reset();
        bigQuery.failAppend(1, code);
        assertEquals(EVENTS, sink.write(bulk, far()).rowsStored(), code + " is retried");
        assertEquals(2, bigQuery.appends(), code.toString());
      }
      for (Status.Code code :
          List.of(
              Status.Code.PERMISSION_DENIED, Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT)) {
        bigQuery.reset();
        bigQuery.failAppend(1, code);
        SinkException e = assertThrows(SinkException.class, () -> sink.write(bulk, far()));
        assertFalse(e.isTransient(), code + " is permanent");
        assertTrue(e.getMessage().contains(code.toString()), e.getMessage());
        assertEquals(1, bigQuery.appends(), code + " is not retried");
      }
    }
  }

  @Test
  void aDeadServiceFailsTheWriteWithinItsDeadline() throws Exception {
    bigQuery.goSilent();
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      long start = System.nanoTime();
      SinkException e =
          assertThrows(
              SinkException.class, () -> sink.write(bulk, Instant.now().plusMillis(1_500)));
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(e.isTransient(), e.getMessage());
      assertTrue(tookMs < 2_500, "failed after " + tookMs + " ms, deadline 1,500 ms");
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(20);
    }
  }
}
