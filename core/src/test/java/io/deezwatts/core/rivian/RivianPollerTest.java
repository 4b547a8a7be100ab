package io.deezwatts.core.rivian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.testing.rivian.FakeRivian;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poller against the fake Rivian, storing into {@link RecordingSink}, a fake of our port. */
class RivianPollerTest {
  static final Instant DEADLINE = Instant.parse("2100-01-01T00:00:00Z");

  /** Records every batch; optionally fails. */
  static final class RecordingSink implements Sink {
    final List<SinkBatch> batches = new ArrayList<>();

    @Override
    public WriteResult write(SinkBatch batch, Instant deadline) {
      batches.add(batch);
      return new WriteResult(batch.rows().size(), 0, 0, 0);
    }

    List<Row> rows() {
      return batches.stream().flatMap(b -> b.rows().stream()).toList();
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {}
  }

  /** A clock that moves one second each time it is read. */
  static final class TickingClock extends Clock {
    private Instant now = Instant.parse("2024-03-02T18:30:00Z");

    @Override
    public synchronized Instant instant() {
      now = now.plusSeconds(1);
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @TempDir Path dir;
  FakeRivian rivian;
  RecordingSink sink;
  FileTokenStore store;
  RivianPoller poller;

  @BeforeEach
  void setUp() throws IOException {
    rivian = new FakeRivian();
    sink = new RecordingSink();
    store = new FileTokenStore(dir.resolve("session.json"));
    store.save(RivianClientTest.session());
    poller =
        new RivianPoller(
            new RivianClient(rivian.endpoint(), Duration.ofSeconds(5), Clock.systemUTC()),
            store,
            sink,
            Catalog.standard(),
            new TickingClock());
  }

  @AfterEach
  void stop() {
    rivian.close();
  }

  private void queueTwoVehicles(String liveSession, int liveStatus) {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", liveStatus, liveSession);
  }

  @Test
  void storesOneRowPerVehicleAndSkipsTheRemovedChargingQueryWithOneWarning() throws Exception {
    queueTwoVehicles("live-session-removed.json", 400);

    RivianPoller.PollResult result = poller.poll(DEADLINE);

    assertEquals(2, result.vehicles());
    assertEquals(1, result.warnings().size(), result.warnings().toString());
    assertTrue(result.warnings().get(0).contains("getLiveSessionData"));
    // The rejected charging query is asked once, not once per vehicle.
    assertEquals(
        List.of("getUserInfo", "GetVehicleState", "getLiveSessionData", "GetVehicleState"),
        rivian.operations());
    for (FakeRivian.Request r : rivian.requests()) {
      RivianClientTest.assertBaseHeaders(r);
      assertEquals("csrf-3f1c9a", r.header("Csrf-Token"));
      assertEquals("asess-7d2e41", r.header("A-Sess"));
      assertEquals("usess-0a9b8c", r.header("U-Sess"));
    }
    List<FakeRivian.Request> rs = rivian.requests();
    assertTrue(rs.get(0).variables().isNull());
    assertEquals("01-226513452", rs.get(1).variables().path("vehicleID").asText());
    assertEquals("01-226513452", rs.get(2).variables().path("vehicleId").asText());
    assertEquals("01-229874561", rs.get(3).variables().path("vehicleID").asText());
    assertEquals(RivianClient.GATEWAY_PATH, rs.get(1).path());
    assertEquals(RivianClient.CHARGING_PATH, rs.get(2).path());

    assertEquals(1, sink.batches.size());
    assertEquals("rivian", sink.batches.get(0).feed());
    List<Row> rows = sink.rows();
    assertEquals(2, rows.size());
    Row r1t = rows.get(0);
    assertEquals("rivian_vehicle_states", r1t.table().name());
    assertEquals("vehicle_state", r1t.type());
    assertEquals(Instant.parse("2024-03-02T18:21:31.007Z"), r1t.time());
    assertEquals("01-226513452", r1t.get("vehicle_id"));
    assertEquals("7FCTGAAL1NN000123", r1t.get("vin"));
    assertEquals("Trail Truck", r1t.get("vehicle_name"));
    assertEquals("R1T 2022", r1t.get("model"));
    assertEquals(53.400002, (Double) r1t.get("battery_level"), 1e-9);
    assertEquals(80.0, r1t.get("battery_limit"));
    assertEquals(266.0, r1t.get("distance_to_empty"));
    assertEquals("charging_ready", r1t.get("charger_state"));
    assertEquals("chrgr_sts_not_connected", r1t.get("charger_status"));
    assertEquals(8928840.0, r1t.get("odometer"));
    assertEquals(42.3601866, r1t.get("gps.latitude"));
    assertEquals(-71.0589682, r1t.get("gps.longitude"));
    assertEquals("sleep", r1t.get("power_state"));
    assertEquals("park", r1t.get("gear"));
    assertEquals("everyday", r1t.get("drive_mode"));
    assertEquals(21.5, r1t.get("cabin_temperature"));
    assertEquals("rivian", r1t.get("source"));
    assertTrue(r1t.eventKey().matches("[0-9a-f]{32}"));
    JsonNode payload = FakeRivian.JSON.readTree(r1t.payload().toString());
    assertEquals(
        FakeRivian.JSON.readTree(FakeRivian.fixture("vehicle-state-r1t.json")),
        payload.get("vehicleState"));
    assertEquals("01-226513452", payload.path("vehicle").path("id").asText());
    assertFalse(payload.has("liveSession"));

    Row r1s = rows.get(1);
    assertEquals("01-229874561", r1s.get("vehicle_id"));
    assertEquals("R1S 2023", r1s.get("model"));
    assertEquals("charging_active", r1s.get("charger_state"));
    assertEquals(78.5, r1s.get("battery_level"));
    assertNotEquals(r1t.eventKey(), r1s.eventKey());
  }

  @Test
  void aServedChargingSessionIsStoredInThePayload() throws Exception {
    queueTwoVehicles("live-session-charging.json", 200);
    rivian.answer("getLiveSessionData", "live-session-charging.json");

    RivianPoller.PollResult result = poller.poll(DEADLINE);

    assertTrue(result.warnings().isEmpty());
    assertEquals(
        List.of(
            "getUserInfo",
            "GetVehicleState",
            "getLiveSessionData",
            "GetVehicleState",
            "getLiveSessionData"),
        rivian.operations());
    JsonNode payload = FakeRivian.JSON.readTree(sink.rows().get(0).payload().toString());
    assertEquals(
        "charging_active",
        payload
            .path("liveSession")
            .path("data")
            .path("getLiveSessionData")
            .path("vehicleChargerState")
            .path("value")
            .asText());
  }

  @Test
  void anUnchangedStateKeepsItsKeyAcrossPolls() throws Exception {
    queueTwoVehicles("live-session-removed.json", 400);
    poller.poll(DEADLINE);
    queueTwoVehicles("live-session-removed.json", 400);
    poller.poll(DEADLINE);

    List<Row> rows = sink.rows();
    assertEquals(4, rows.size());
    assertEquals(rows.get(0).eventKey(), rows.get(2).eventKey());
    assertEquals(rows.get(1).eventKey(), rows.get(3).eventKey());
    assertNotEquals(rows.get(0).get("fetched_at"), rows.get(2).get("fetched_at"));
  }

  @Test
  void theKeyIgnoresFieldOrderButNotValues() throws Exception {
    JsonNode a = FakeRivian.JSON.readTree("{\"b\":{\"value\":1.0},\"a\":\"x\"}");
    JsonNode b = FakeRivian.JSON.readTree("{\"a\":\"x\",\"b\":{\"value\":1}}");
    JsonNode c = FakeRivian.JSON.readTree("{\"a\":\"x\",\"b\":{\"value\":2}}");
    assertEquals(VehicleSnapshots.eventKey("v", a, null), VehicleSnapshots.eventKey("v", b, null));
    assertNotEquals(
        VehicleSnapshots.eventKey("v", a, null), VehicleSnapshots.eventKey("v", c, null));
    assertNotEquals(
        VehicleSnapshots.eventKey("v", a, null), VehicleSnapshots.eventKey("w", a, null));
  }

  @Test
  void anExpiredSessionStoresNothingAndSaysToLogInAgain() {
    rivian.answer("getUserInfo", "unauthenticated.json");

    RivianException e =
        assertThrows(RivianException.SessionExpired.class, () -> poller.poll(DEADLINE));
    assertTrue(e.getMessage().contains("deezwatts rivian login"));
    assertEquals(List.of("getUserInfo"), rivian.operations());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void noStoredSessionSaysToLogIn() throws IOException {
    java.nio.file.Files.delete(store.file());
    RivianException e =
        assertThrows(RivianException.SessionExpired.class, () -> poller.poll(DEADLINE));
    assertTrue(e.getMessage().contains("deezwatts rivian login"));
    assertTrue(rivian.requests().isEmpty());
  }

  /** A poller whose rate-limit waits are recorded in {@code waits} instead of slept. */
  private RivianPoller pollerRecording(List<Duration> waits) {
    return new RivianPoller(
        new RivianClient(rivian.endpoint(), Duration.ofSeconds(5), Clock.systemUTC()),
        store,
        sink,
        Catalog.standard(),
        new TickingClock(),
        waits::add);
  }

  private List<Object> storedVehicleIds() {
    return sink.rows().stream().map(r -> r.get("vehicle_id")).map(Object.class::cast).toList();
  }

  @Test
  void aRateLimitedVehicleIsAskedAgainAfterTheWaitRivianNames() throws Exception {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "7"))
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
    List<Duration> waits = new ArrayList<>();

    RivianPoller.PollResult result = pollerRecording(waits).poll(DEADLINE);

    assertEquals(List.of(Duration.ofSeconds(7)), waits);
    assertFalse(result.partial());
    assertEquals(2, result.vehicles());
    assertEquals(List.of("01-226513452", "01-229874561"), storedVehicleIds());
    assertEquals(
        List.of(
            "getUserInfo",
            "GetVehicleState",
            "GetVehicleState",
            "getLiveSessionData",
            "GetVehicleState"),
        rivian.operations());
  }

  @Test
  void aVehicleStillRateLimitedIsLeftForTheNextPollAndTheOthersAreStored() throws Exception {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "rate-limit.json")
        .answer("GetVehicleState", "rate-limit.json")
        .answer("GetVehicleState", "rate-limit.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
    List<Duration> waits = new ArrayList<>();

    RivianPoller.PollResult result = pollerRecording(waits).poll(DEADLINE);

    // RATE_LIMIT inside a 200 names no wait: the default one, until the attempts run out.
    assertEquals(
        List.of(RivianPoller.RATE_LIMIT_WAIT, RivianPoller.RATE_LIMIT_WAIT),
        waits,
        "one wait between each of the " + RivianPoller.RATE_LIMIT_ATTEMPTS + " attempts");
    assertTrue(result.partial());
    assertEquals(List.of("01-226513452"), result.rateLimited());
    assertEquals(1, result.vehicles());
    assertEquals(1, result.written().rowsStored());
    assertEquals(List.of("01-229874561"), storedVehicleIds());
  }

  @Test
  void theDeadlineBoundsTheRetries() throws Exception {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json")
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "60"));
    List<Duration> waits = new ArrayList<>();
    // The clock starts at 18:30:00 and ticks a second a read: a 60 s wait would pass the deadline.
    Instant deadline = Instant.parse("2024-03-02T18:31:00Z");

    RivianPoller.PollResult result = pollerRecording(waits).poll(deadline);

    assertEquals(List.of(), waits);
    assertEquals(List.of("01-229874561"), result.rateLimited());
    assertEquals(List.of("01-226513452"), storedVehicleIds());
  }

  @Test
  void whenEveryVehicleIsRateLimitedThePollFailsAndStoresNothing() {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "600"))
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "600"));
    List<Duration> waits = new ArrayList<>();

    assertThrows(
        RivianException.RateLimited.class,
        () -> pollerRecording(waits).poll(Instant.parse("2024-03-02T18:35:00Z")));

    assertEquals(List.of(), waits);
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void rateLimitBacksOffExponentiallyThenReturnsToTheInterval() throws Exception {
    rivian.answer("getUserInfo", "rate-limit.json").answer("getUserInfo", "rate-limit.json");
    queueTwoVehicles("live-session-removed.json", 400);
    queueTwoVehicles("live-session-removed.json", 400);
    List<Duration> waits = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    List<RivianPoller.PollResult> results = new ArrayList<>();
    PollSchedule schedule =
        new PollSchedule(
            poller,
            Duration.ofSeconds(90),
            waits::add,
            new PollSchedule.Listener() {
              @Override
              public void polled(RivianPoller.PollResult result) {
                results.add(result);
              }

              @Override
              public void backingOff(Exception failure, Duration wait) {
                failures.add(failure);
              }
            },
            () -> DEADLINE);

    schedule.run(4);

    assertEquals(
        List.of(Duration.ofSeconds(180), Duration.ofSeconds(360), Duration.ofSeconds(90)), waits);
    assertEquals(2, failures.size());
    assertTrue(failures.get(0) instanceof RivianException.RateLimited);
    assertEquals(2, results.size()); // third and fourth polls
    assertEquals(2, results.get(0).vehicles());
  }

  @Test
  void anExpiredSessionEndsTheScheduleWithoutRetrying() {
    rivian.answer("getUserInfo", "unauthenticated.json");
    List<Duration> waits = new ArrayList<>();
    PollSchedule schedule =
        new PollSchedule(
            poller,
            PollSchedule.MINIMUM_INTERVAL,
            waits::add,
            new PollSchedule.Listener() {
              @Override
              public void polled(RivianPoller.PollResult result) {}

              @Override
              public void backingOff(Exception failure, Duration wait) {}
            },
            () -> DEADLINE);

    assertThrows(RivianException.SessionExpired.class, () -> schedule.run(0));
    assertTrue(waits.isEmpty());
    assertEquals(List.of("getUserInfo"), rivian.operations());
  }

  @Test
  void backoffIsCappedAndNeverBelowTheInterval() {
    assertEquals(Duration.ofSeconds(60), PollSchedule.backoff(Duration.ofSeconds(60), 0));
    assertEquals(Duration.ofSeconds(240), PollSchedule.backoff(Duration.ofSeconds(60), 2));
    assertEquals(PollSchedule.MAXIMUM_BACKOFF, PollSchedule.backoff(Duration.ofSeconds(60), 40));
    assertEquals(Duration.ofHours(2), PollSchedule.backoff(Duration.ofHours(2), 3));
  }

  @Test
  void anIntervalFasterThanTheMinimumIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PollSchedule.checkInterval(Duration.ofSeconds(30)));
    assertTrue(e.getMessage().contains("minimum of 60 s"), e.getMessage());
    PollSchedule.checkInterval(Duration.ofSeconds(60));
  }

  @Test
  void aTransientSinkFailureBacksOffToo() throws Exception {
    queueTwoVehicles("live-session-removed.json", 400);
    Sink flaky =
        new Sink() {
          @Override
          public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
            throw SinkException.transientFailure("locked", null);
          }

          @Override
          public String describe() {
            return "flaky";
          }

          @Override
          public void close() {}
        };
    RivianPoller p =
        new RivianPoller(
            new RivianClient(rivian.endpoint(), Duration.ofSeconds(5), Clock.systemUTC()),
            store,
            flaky,
            Catalog.standard(),
            Clock.systemUTC());
    List<Duration> waits = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    new PollSchedule(
            p,
            Duration.ofSeconds(60),
            waits::add,
            new PollSchedule.Listener() {
              @Override
              public void polled(RivianPoller.PollResult result) {}

              @Override
              public void backingOff(Exception failure, Duration wait) {
                failures.add(failure);
              }
            },
            () -> DEADLINE)
        .run(1);
    assertEquals(1, failures.size());
    assertTrue(failures.get(0) instanceof SinkException);
    assertArrayEquals(new Object[0], waits.toArray());
  }
}
