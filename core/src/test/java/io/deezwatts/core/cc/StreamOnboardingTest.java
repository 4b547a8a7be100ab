package io.deezwatts.core.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onboarding after a stored admin bulk: the real decoder and {@link IngestService}, a small
 * in-memory {@link Sink}, {@link FakeConnectedCars} for the API.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a synchronous onboarding would hang on a held call
class StreamOnboardingTest {
  static final String ADMIN_BULK =
      """
      [
      {"type": "access_granted_to_vehicle", "id": 1, "vehicleId": 1337, "time": "2022-01-01T12:30:10Z"},
      {"type": "vehicle_added_to_fleet", "id": 2, "fleetId": 47583, "vehicleId": 2001, "time": "2022-01-01T12:30:11Z"},
      {"type": "vehicle_added_to_fleet", "id": 3, "fleetId": 999, "vehicleId": 2002, "time": "2022-01-01T12:30:12Z"},
      {"type": "access_granted_to_fleet", "id": 4, "fleetId": 555, "time": "2022-01-01T12:30:13Z"},
      {"type": "car_ignition", "id": 5, "value": true, "vehicleId": 1337, "time": "2022-01-01T12:31:00Z"}
      ]
      """;

  /** Keeps what it is given; a real Sink, for the acknowledgement contract. */
  static final class MemorySink implements Sink {
    final List<SinkBatch> batches = new ArrayList<>();

    @Override
    public synchronized WriteResult write(SinkBatch batch, Instant deadline) {
      batches.add(batch);
      return new WriteResult(batch.rows().size(), 0, batch.quarantine().size(), 0);
    }

    @Override
    public String describe() {
      return "memory:";
    }

    @Override
    public void close() {}
  }

  @TempDir Path dir;
  FakeConnectedCars cc;
  Map<String, String> env;
  MemorySink sink;
  StreamOnboarding onboarding;
  IngestService service;

  @BeforeEach
  void setUp() {
    cc = new FakeConnectedCars();
    cc.consent(1337, null).consent(2001, 47583L).consent(3001, 555L).consent(3002, 555L);
    cc.consent(4000, 47583L); // consented long ago; not in the bulk
    cc.topics(87, 88);
    env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87,88");
    sink = new MemorySink();
    onboarding = StreamOnboarding.fromEnvironment(env);
    service = new IngestService(sink, onboarding);
  }

  @AfterEach
  void tearDown() {
    onboarding.close(Duration.ofSeconds(5));
    cc.close();
  }

  private IngestOutcome ingest(String bulk) throws Exception {
    Instant now = Instant.now();
    return service.ingest(
        "data-streams",
        bulk.getBytes(StandardCharsets.UTF_8),
        new IngestContext(now, IngestContext.Source.HTTP, "req-1", null, Map.of()),
        now.plusSeconds(30));
  }

  @Test
  void anAdminBulkIsStoredThenItsConsentingVehiclesGetStreams() throws Exception {
    IngestOutcome outcome = ingest(ADMIN_BULK);

    assertTrue(outcome.accepted());
    assertEquals(5, outcome.written().rowsStored());
    assertTrue(onboarding.close(Duration.ofSeconds(20)));
    Set<List<Long>> expected =
        Set.of(
            List.of(1337L, 87L), List.of(1337L, 88L),
            List.of(2001L, 87L), List.of(2001L, 88L),
            List.of(3001L, 87L), List.of(3001L, 88L),
            List.of(3002L, 87L), List.of(3002L, 88L));
    assertEquals(expected, cc.streamPairs(), "not 2002 (its fleet has no access), not 4000");
    assertEquals(new StreamOnboarding.Stats(8, 0), onboarding.stats());
    assertEquals(
        List.of(
            "consentedIntegrationVehicles",
            "consentedIntegrationVehicles",
            "addVehicleDataStreams"),
        cc.operations());
    assertTrue(
        cc.requests().get(0).query().contains("vehicleIds:[1337,2001,2002]"),
        cc.requests().get(0).query());
    assertTrue(
        cc.requests().get(1).query().contains("fleetIds:[555]"), cc.requests().get(1).query());
  }

  @Test
  void theAcknowledgementDoesNotWaitForConnectedCars() throws Exception {
    cc.hold("consentedIntegrationVehicles");

    IngestOutcome outcome = ingest(ADMIN_BULK);

    assertTrue(outcome.accepted(), "answered while Connected Cars holds the request");
    assertEquals(1, sink.batches.size());
    assertTrue(cc.awaitRequest("consentedIntegrationVehicles", Duration.ofSeconds(20)));
    assertTrue(cc.streams().isEmpty());
    cc.release("consentedIntegrationVehicles");
    assertTrue(onboarding.close(Duration.ofSeconds(20)));
    assertEquals(8, cc.streams().size());
  }

  @Test
  void aBulkIsStillAcknowledgedWhenTheApiIsDownAndTheReconcileCatchesUp() throws Exception {
    cc.down(true);

    IngestOutcome outcome = ingest(ADMIN_BULK);

    assertTrue(outcome.accepted());
    assertEquals(5, sink.batches.get(0).rows().size());
    assertTrue(onboarding.close(Duration.ofSeconds(20)));
    assertEquals(new StreamOnboarding.Stats(0, 1), onboarding.stats());
    assertTrue(cc.streams().isEmpty());

    cc.down(false);
    StreamReconciler.Result r =
        StreamReconciler.fromSettings(env).reconcile(List.of(87L, 88L), true);
    assertEquals(10, r.added().size(), "the daily reconcile adds them (and 4000's)");
  }

  @Test
  void bulksWithoutGrantsCallNothing() throws Exception {
    ingest(
        """
        [{"type": "car_ignition", "id": 5, "value": true, "vehicleId": 1337, "time": "2022-01-01T12:31:00Z"},
         {"type": "access_removed_from_vehicle", "id": 6, "vehicleId": 1337, "time": "2022-01-01T12:32:00Z"}]
        """);

    assertTrue(onboarding.close(Duration.ofSeconds(20)));
    assertTrue(cc.requests().isEmpty());
    assertTrue(cc.logins().isEmpty());
  }

  @Test
  void aListenerThatThrowsDoesNotFailTheBulk() throws Exception {
    MemorySink other = new MemorySink();
    IngestService guarded =
        new IngestService(
            other,
            bulk -> {
              throw new IllegalStateException("a bug in a listener");
            });
    Instant now = Instant.now();

    IngestOutcome outcome =
        guarded.ingest(
            "data-streams",
            ADMIN_BULK.getBytes(StandardCharsets.UTF_8),
            new IngestContext(now, IngestContext.Source.PUBSUB, null, "m-1", Map.of()),
            now.plusSeconds(30));

    assertTrue(outcome.accepted());
    assertEquals(1, other.batches.size());
  }

  @Test
  void onboardingIsOffUnlessTopicsAreConfiguredAndOffWhenMisconfigured() {
    Map<String, String> noTopics = new HashMap<>(env);
    noTopics.remove("DEEZWATTS_CC_AUTO_STREAM_TOPICS");
    assertNull(StreamOnboarding.fromEnvironment(noTopics));
    assertNull(StreamOnboarding.fromEnvironment(Map.of()));

    Map<String, String> noNamespace = new HashMap<>(env);
    noNamespace.remove("DEEZWATTS_CC_NAMESPACE");
    assertNull(StreamOnboarding.fromEnvironment(noNamespace), "logged; ingestion runs on");
  }
}
