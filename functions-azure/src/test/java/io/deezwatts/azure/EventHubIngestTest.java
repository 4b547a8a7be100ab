package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EventHubIngest} called as the Java worker calls it, storing into a real DuckDB file. The
 * dead-letter hub is the one fake ({@link RecordingDeadLetter}): Event Hubs has no local emulator.
 */
class EventHubIngestTest {
  private static final Map<String, String> ENV = Map.of("DEEZWATTS_FEED", "data-streams");

  @TempDir Path dir;
  private TestStore store;
  private RecordingDeadLetter deadLetter;
  private EventHubIngest function;
  private final EventHubBatch batch = EventHubBatch.fixture("batch-three-bulks.json");

  @BeforeEach
  void setUp() {
    store = new TestStore(dir.resolve("azure.duckdb"));
    deadLetter = new RecordingDeadLetter();
    function = ingest(ENV, () -> store);
  }

  /** The function with these settings and sink, parking into {@link #deadLetter}. */
  private EventHubIngest ingest(Map<String, String> env, Supplier<Sink> sink) {
    return new EventHubIngest(
        new FunctionApp(FunctionApp.components(env).sink(sink).build(), () -> deadLetter));
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  @Test
  void storesEveryBulkOfTheBatchWithItsEventHubsMetadata() throws Exception {
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");
    batch.deliverTo(function, context);

    assertEquals(
        expectedRows("vehicle_events"), store.count("SELECT count(*) FROM vehicle_events"));
    assertEquals(expectedRows("admin_events"), store.count("SELECT count(*) FROM admin_events"));
    assertEquals(0, store.count("SELECT count(*) FROM vehicle_events WHERE source <> 'eventhubs'"));
    List<String> ids = List.of("3/1201", "3/1202", "3/1203");
    for (String id : ids) {
      assertTrue(
          store.count("SELECT count(*) FROM vehicle_events WHERE message_id = '" + id + "'") > 0,
          "rows of " + id);
    }
    assertEquals(
        "3|4294969856|1201|2026-11-21T10:15:00.112Z",
        store.text(
            "SELECT json_extract_string(metadata, '$.partition_id') || '|' ||"
                + " json_extract_string(metadata, '$.offset') || '|' ||"
                + " json_extract_string(metadata, '$.sequence_number') || '|' ||"
                + " json_extract_string(metadata, '$.enqueued_time')"
                + " FROM vehicle_events WHERE message_id = '3/1201' LIMIT 1"));
    assertTrue(deadLetter.parked().isEmpty());
    assertTrue(context.logged(Level.INFO).contains("3 stored"), context.logged(Level.INFO));
    // One line per bulk through the ExecutionContext logger, with the same fields as on GCP.
    assertTrue(
        context
            .logged(Level.INFO)
            .contains(
                "bulk stored outcome=stored feed=data-streams source=eventhubs"
                    + " message_id=3/1201 events="),
        context.logged(Level.INFO));
    assertTrue(context.logged(Level.INFO).contains(" duration_ms="), context.logged(Level.INFO));
  }

  @Test
  void aRedeliveredBatchAddsNothingToTheDedupViews() throws Exception {
    batch.deliverTo(function, TestExecutionContext.firstAttempt("EventHubIngest"));
    long once = store.count("SELECT count(*) FROM vehicle_events_dedup");
    long admin = store.count("SELECT count(*) FROM admin_events_dedup");

    batch.deliverTo(function, TestExecutionContext.firstAttempt("EventHubIngest"));

    assertEquals(expectedRows("vehicle_events"), once);
    assertEquals(once, store.count("SELECT count(*) FROM vehicle_events_dedup"));
    assertEquals(admin, store.count("SELECT count(*) FROM admin_events_dedup"));
  }

  @Test
  void aTransientFailureThrowsForTheRetryPolicyAndTheRetryStoresEverything() throws Exception {
    store.failNext(SinkException.transientFailure("BigQuery: backendError (test)", null));

    SinkException thrown =
        assertThrows(
            SinkException.class,
            () -> batch.deliverTo(function, TestExecutionContext.attempt("EventHubIngest", 0, 5)));
    assertTrue(thrown.isTransient());
    assertTrue(deadLetter.parked().isEmpty(), "nothing is parked while retries remain");

    batch.deliverTo(function, TestExecutionContext.attempt("EventHubIngest", 1, 5));

    assertEquals(
        expectedRows("vehicle_events"), store.count("SELECT count(*) FROM vehicle_events_dedup"));
    assertTrue(deadLetter.parked().isEmpty());
  }

  @Test
  void aBulkThatCannotBeStoredForGoodIsParkedWithItsOriginAndTheRestIsStored() throws Exception {
    store.failNext(SinkException.permanent("no such table: vehicle_events (test)", null));
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");

    batch.deliverTo(function, context);

    List<ParkedBulk> parked = deadLetter.parked();
    assertEquals(1, parked.size());
    ParkedBulk p = parked.get(0);
    assertEquals(batch.body(0), new String(p.body(), StandardCharsets.UTF_8));
    assertEquals("data-streams", p.feed());
    assertFalse(p.transientFailure());
    assertEquals(1, p.attempts());
    assertEquals("no such table: vehicle_events (test)", p.error());
    assertEquals(
        new EventHubOrigin("3", "4294969856", "1201", "2026-11-21T10:15:00.112Z", null),
        p.origin());
    assertEquals(0, store.count("SELECT count(*) FROM vehicle_events WHERE message_id = '3/1201'"));
    assertTrue(store.count("SELECT count(*) FROM vehicle_events WHERE message_id = '3/1202'") > 0);
    assertTrue(context.logged(Level.SEVERE).contains("parked bulk partition 3 offset 4294969856"));
  }

  @Test
  void onTheLastAttemptATransientFailureIsParkedInsteadOfThrown() throws Exception {
    store.failAlways(SinkException.transientFailure("BigQuery: rateLimitExceeded (test)", null));

    batch.deliverTo(function, TestExecutionContext.attempt("EventHubIngest", 5, 5));

    List<ParkedBulk> parked = deadLetter.parked();
    assertEquals(3, parked.size());
    assertTrue(parked.stream().allMatch(ParkedBulk::transientFailure));
    assertTrue(parked.stream().allMatch(p -> p.attempts() == 6));
    assertEquals(
        List.of("1201", "1202", "1203"),
        parked.stream().map(p -> p.origin().sequenceNumber()).toList());
  }

  @Test
  void whenParkingFailsTooTheFunctionThrowsAndLogsWhereTheBulkIs() throws Exception {
    deadLetter.down();
    store.failNext(SinkException.permanent("schema mismatch (test)", null));
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");

    DeadLetterHub.ParkingException thrown =
        assertThrows(
            DeadLetterHub.ParkingException.class, () -> batch.deliverTo(function, context));

    assertTrue(thrown.getMessage().contains("unreachable"));
    String severe = context.logged(Level.SEVERE);
    assertTrue(severe.contains("partition 3 offset 4294969856 sequence number 1201"), severe);
    assertTrue(severe.contains("schema mismatch (test)"), severe);
  }

  @Test
  void aBodyThatIsNotABulkIsQuarantinedRawAndAcknowledged() throws Exception {
    EventHubBatch broken = batch.withBody(1, "{\"not\": \"an array\"}");

    broken.deliverTo(function, TestExecutionContext.firstAttempt("EventHubIngest"));

    assertTrue(deadLetter.parked().isEmpty());
    assertEquals(
        "{\"not\": \"an array\"}",
        store.text("SELECT CAST(raw AS VARCHAR) FROM quarantine WHERE message_id = '3/1202'"));
  }

  @Test
  void theFeedPropertyChoosesTheDecoder() throws Exception {
    String car = Files.readString(Path.of("../samples/legacy-car.json"), StandardCharsets.UTF_8);
    EventHubBatch legacy = batch.withBody(2, car).withFeed(2, "legacy-push");

    legacy.deliverTo(function, TestExecutionContext.firstAttempt("EventHubIngest"));

    assertEquals(
        rowsOf("legacy-push", car, "legacy_car_events"),
        store.count("SELECT count(*) FROM legacy_car_events WHERE message_id = '3/1203'"));
  }

  @Test
  void withoutADeadLetterHubABulkThatCannotBeStoredFailsTheInvocation() throws Exception {
    EventHubIngest unconfigured =
        new EventHubIngest(
            new FunctionApp(
                FunctionApp.components(ENV).sink(() -> store).build(),
                () -> EventHubDeadLetter.fromEnvironment(ENV)));
    store.failNext(SinkException.permanent("schema mismatch (test)", null));
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");

    DeadLetterHub.ParkingException thrown =
        assertThrows(
            DeadLetterHub.ParkingException.class, () -> batch.deliverTo(unconfigured, context));
    assertTrue(thrown.getMessage().contains("DEEZWATTS_DEADLETTER_CONNECTION"));
  }

  @Test
  void anUnexpectedExceptionParksItsBulkAndNeverAbortsTheBatch() throws Exception {
    // Not a SinkException: what a bug below the port would throw. The bulks after it are stored.
    store.failNextUnexpectedly(new IllegalStateException("a bug (test)"));
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");

    batch.deliverTo(function, context);

    List<ParkedBulk> parked = deadLetter.parked();
    assertEquals(List.of("1201"), parked.stream().map(p -> p.origin().sequenceNumber()).toList());
    assertFalse(parked.get(0).transientFailure());
    assertTrue(parked.get(0).error().contains("a bug (test)"), parked.get(0).error());
    assertEquals(batch.body(0), new String(parked.get(0).body(), StandardCharsets.UTF_8));
    assertTrue(store.count("SELECT count(*) FROM vehicle_events WHERE message_id = '3/1202'") > 0);
    assertTrue(store.count("SELECT count(*) FROM vehicle_events WHERE message_id = '3/1203'") > 0);
  }

  @Test
  void anUnexpectedExceptionThatCannotBeParkedWritesTheLostLine() throws Exception {
    deadLetter.down();
    store.failNextUnexpectedly(new IllegalStateException("a bug (test)"));
    TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");

    assertThrows(DeadLetterHub.ParkingException.class, () -> batch.deliverTo(function, context));

    String severe = context.logged(Level.SEVERE);
    assertTrue(
        severe.contains("LOST unless replayed from the source hub: bulk partition 3 offset"),
        severe);
    assertTrue(severe.contains("sequence number 1201"), severe);
  }

  @Test
  void aMalformedSettingParksEveryBulkOnTheFirstAttemptNamingIt() throws Exception {
    // Read at the first bulk, not when the function is made: a function class that cannot be
    // made fails its invocations, and the trigger checkpoints past them with nothing parked.
    EventHubIngest misconfigured =
        ingest(
            Map.of("DEEZWATTS_FEED", "data-streams", "DEEZWATTS_DEADLINE_SECONDS", "0"),
            () -> store);
    TestExecutionContext context = TestExecutionContext.attempt("EventHubIngest", 0, 5);

    batch.deliverTo(misconfigured, context);

    assertEquals(3, deadLetter.parked().size());
    assertFalse(deadLetter.parked().get(0).transientFailure());
    assertTrue(context.logged(Level.SEVERE).contains("DEEZWATTS_DEADLINE_SECONDS"));
    assertEquals(0, store.writes(), "nothing is stored with settings no retry can fix");
  }

  @Test
  void aBodyThatIsNotUtf8IsParkedByteForByte() throws Exception {
    byte[] latin1 = "[{\"type\":\"caf\u00e9\"}]".getBytes(StandardCharsets.ISO_8859_1);
    store.failNext(SinkException.permanent("schema mismatch (test)", null));

    batch
        .withBody(0, latin1)
        .deliverTo(function, TestExecutionContext.firstAttempt("EventHubIngest"));

    assertArrayEquals(latin1, deadLetter.parked().get(0).body());
  }

  @Test
  void aSinkSettingNoRetryCanFixParksEveryBulkOnTheFirstAttempt() throws Exception {
    EventHubIngest misconfigured =
        ingest(
            ENV,
            () -> {
              throw new SettingException("DEEZWATTS_SINK", "no sink for 'duckdb:' here", null);
            });
    TestExecutionContext context = TestExecutionContext.attempt("EventHubIngest", 0, 5);

    batch.deliverTo(misconfigured, context);

    assertEquals(3, deadLetter.parked().size());
    assertFalse(deadLetter.parked().get(0).transientFailure());
    assertTrue(context.logged(Level.SEVERE).contains("DEEZWATTS_SINK"));
  }

  private long expectedRows(String table) throws Exception {
    long n = 0;
    for (int i = 0; i < batch.bodies().length; i++) {
      n += rowsOf("data-streams", batch.body(i), table);
    }
    return n;
  }

  private static long rowsOf(String feed, String body, String table) throws Exception {
    return BulkDecoder.forFeed(Catalog.standard(), feed)
        .decode(body.getBytes(StandardCharsets.UTF_8), IngestContext.replay(Instant.now()))
        .rows()
        .stream()
        .filter(r -> r.table().name().equals(table))
        .count();
  }
}
