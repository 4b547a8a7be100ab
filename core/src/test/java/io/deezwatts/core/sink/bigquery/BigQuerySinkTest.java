package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.core.util.Backoff;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import io.deezwatts.testing.bigquery.BigQueryStandIn.Call;
import io.deezwatts.testing.bigquery.BigQueryStandIn.Reply;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The BigQuery sink against {@link BigQueryStandIn}: WireMock stands in for BigQuery's REST API
 * ({@code tabledata.insertAll}) over real HTTP, answering with the bodies BigQuery really sends,
 * because BigQuery has no local emulator here. Each test asserts which rows (insert ids) go out on
 * each attempt and what the caller sees.
 */
class BigQuerySinkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VEHICLE = "vehicle_events";
  private static final String QUARANTINE = "quarantine";

  /** Three attempts, backoff of a few milliseconds, short timeouts. */
  private static final BigQuerySink.Options FAST =
      BigQuerySink.Options.DEFAULTS
          .withMaxAttempts(3)
          .withBackoff(Duration.ofMillis(1), Duration.ofMillis(4))
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));

  private static BigQueryStandIn bigQuery;

  @BeforeAll
  static void start() {
    bigQuery = new BigQueryStandIn();
  }

  @AfterAll
  static void stop() {
    bigQuery.close();
  }

  @BeforeEach
  void reset() {
    bigQuery.reset();
  }

  private static Instant far() {
    return Instant.now().plusSeconds(60);
  }

  private static List<String> keys(SinkBatch batch) {
    return batch.rows().stream().map(Row::eventKey).toList();
  }

  private static List<String> keys(SinkBatch batch, int... indexes) {
    List<String> out = new ArrayList<>();
    for (int i : indexes) {
      out.add(batch.rows().get(i).eventKey());
    }
    return out;
  }

  private static WriteResult write(BigQuerySink.Options options, SinkBatch batch)
      throws SinkException {
    try (BigQuerySink sink = StandIns.sink(bigQuery, options)) {
      return sink.write(batch, far());
    }
  }

  private static SinkException failedWrite(BigQuerySink.Options options, SinkBatch batch) {
    try (BigQuerySink sink = StandIns.sink(bigQuery, options)) {
      return assertThrows(SinkException.class, () -> sink.write(batch, far()));
    }
  }

  /** Four vehicle_events rows: a GPS position, an ignition, a service date, an odometer. */
  private static SinkBatch fourVehicleRows() {
    return TestBulks.examples(
        "data-streams",
        "gps_position",
        "car_ignition",
        "can_last_service_at_date",
        "car_odometer_km");
  }

  // ---- success ----

  @Test
  void storesEachTableInOneRequestWithEventKeysAsInsertIdsAndTypedValues() throws Exception {
    SinkBatch batch =
        TestBulks.examples(
            "data-streams",
            "gps_position",
            "car_ignition",
            "can_last_service_at_date",
            "access_granted_to_fleet");

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(4, -1, 0, 0), result);
    List<Call> calls = bigQuery.calls();
    assertEquals(2, calls.size(), "one request per table");
    Call vehicle = bigQuery.calls(VEHICLE).get(0);
    Call admin = bigQuery.calls("admin_events").get(0);
    assertEquals(keys(batch, 0, 1, 2), vehicle.insertIds());
    assertEquals(keys(batch, 3), admin.insertIds());
    for (Call c : calls) {
      assertFalse(c.body().path("skipInvalidRows").asBoolean(true), "skipInvalidRows=false");
      assertFalse(c.body().path("ignoreUnknownValues").asBoolean(true));
      assertEquals(200, c.status());
    }

    JsonNode gps = vehicle.row(batch.rows().get(0).eventKey());
    assertEquals(batch.rows().get(0).eventKey(), gps.path("event_key").asText());
    assertEquals("gps_position", gps.path("type").asText());
    assertEquals("2022-10-12T07:06:45Z", gps.path("time").textValue());
    assertTrue(gps.path("id").isIntegralNumber());
    assertEquals(157659647L, gps.path("id").longValue());
    assertEquals(228745L, gps.path("vehicle_id").longValue());
    JsonNode record = gps.path("gps");
    assertTrue(record.isObject(), "the gps RECORD is a nested object");
    assertEquals(60.613747999999994, record.path("latitude").doubleValue());
    assertEquals(17.414016999999998, record.path("longitude").doubleValue());
    assertEquals(3L, record.path("speed").longValue());
    assertEquals(120L, record.path("direction").longValue());
    assertEquals(69L, record.path("hdop").longValue());
    assertFalse(record.has("eph"), "a null sub-field is left out");
    assertFalse(gps.has("value_bool"), "a null column is left out");
    assertFalse(gps.has("dtc"));
    assertFalse(gps.has("request_id"));
    assertEquals("2024-05-01T10:00:00.123456Z", gps.path("received_at").textValue());
    assertEquals("replay", gps.path("source").textValue());
    assertTrue(gps.path("payload").isTextual(), "JSON columns are sent as JSON text");
    JsonNode payload = JSON.readTree(gps.path("payload").textValue());
    assertEquals("gps_position", payload.path("type").asText());
    assertEquals(157659647L, payload.path("id").longValue());

    JsonNode ignition = vehicle.row(batch.rows().get(1).eventKey());
    assertTrue(ignition.path("value_bool").isBoolean());
    assertFalse(ignition.path("value_bool").booleanValue());
    assertEquals("2022-01-01T12:30:10Z", ignition.path("time").textValue());

    JsonNode date = vehicle.row(batch.rows().get(2).eventKey());
    assertEquals("2014-01-03", date.path("value_date").textValue());

    assertEquals(4, bigQuery.stored(VEHICLE).size() + bigQuery.stored("admin_events").size());
  }

  @Test
  void sendsQuarantineEntriesOfTheBatchToTheQuarantineTable() throws Exception {
    String bad =
        "{\"type\":\"car_ignition\",\"id\":7,\"value\":true,\"vehicleId\":1,\"time\":\"yesterday\"}";
    SinkBatch batch =
        TestBulks.batch("data-streams", "[" + TestBulks.ignition(1) + "," + bad + "]");
    assertEquals(1, batch.rows().size());
    assertEquals(1, batch.quarantine().size());
    QuarantineEntry entry = batch.quarantine().get(0);

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(1, -1, 1, 0), result);
    assertEquals(List.of(VEHICLE, QUARANTINE), bigQuery.calls().stream().map(Call::table).toList());
    Call q = bigQuery.calls(QUARANTINE).get(0);
    assertEquals(List.of(entry.eventKey()), q.insertIds());
    JsonNode row = q.row(entry.eventKey());
    assertEquals("data-streams", row.path("feed").textValue());
    assertEquals(1L, row.path("event_index").longValue());
    assertEquals(entry.reason(), row.path("reason").textValue());
    assertEquals(entry.raw(), row.path("raw").textValue());
    assertEquals(entry.rawLength(), row.path("raw_length").longValue());
    assertEquals("2024-05-01T10:00:00.123456Z", row.path("received_at").textValue());
    assertEquals("replay", row.path("source").textValue());
    assertFalse(row.has("metadata"));
  }

  @Test
  void cutsTheRawOfAQuarantinedBulkTooBigForOneRequest() throws Exception {
    // A 9.5 MB body that is not JSON: kept whole in quarantine up to 10 MiB, but its quotes
    // escaped it would pass BigQuery's 10 MB request limit.
    String body = "[{\"type\":\"car_ignition\",\"id\":1,\"note\":\"" + "x".repeat(9_500_000);
    SinkBatch batch =
        SinkBatch.rejected(
            "data-streams",
            body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            TestBulks.CONTEXT,
            "not JSON: unexpected end of input");
    QuarantineEntry entry = batch.quarantine().get(0);
    assertEquals(body, entry.raw());

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(0, -1, 1, 0), result);
    Call q = bigQuery.calls(QUARANTINE).get(0);
    assertTrue(q.bodyBytes() < 9_000_000, q.bodyBytes() + " bytes");
    JsonNode row = q.row(entry.eventKey());
    String raw = row.path("raw").textValue();
    assertTrue(raw.length() > 8_000_000, "most of it is kept: " + raw.length());
    assertTrue(body.startsWith(raw), "a prefix of what was received");
    assertEquals(body.length(), row.path("raw_length").longValue(), "the whole length");
    String reason = row.path("reason").textValue();
    assertTrue(reason.startsWith("not JSON: unexpected end of input"), reason);
    assertTrue(reason.contains("raw cut"), reason);
  }

  @Test
  void sendsGzippedBodiesAsTheClientLibraryDid() throws Exception {
    WriteResult result = write(FAST, fourVehicleRows());

    assertEquals(4, result.rowsStored());
    bigQuery
        .server()
        .verify(
            1,
            com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(".*/insertAll"))
                .withHeader(
                    "Content-Encoding",
                    com.github.tomakehurst.wiremock.client.WireMock.equalTo("gzip"))
                .withHeader(
                    "Content-Type",
                    com.github.tomakehurst.wiremock.client.WireMock.containing(
                        "application/json")));
  }

  @Test
  void sendsTheCredentialsTokenWhenCredentialsAreConfigured() throws Exception {
    // Fixed-token credentials: Google's token endpoints have no local stand-in here; the
    // federated and default credentials reach the request the same way, as request metadata.
    GoogleCredentials credentials =
        GoogleCredentials.create(
            new AccessToken("test-token", java.util.Date.from(Instant.now().plusSeconds(3600))));
    URI endpoint = BigQueryEnvironment.endpoint(bigQuery.environment());
    try (BigQuerySink sink =
        new BigQuerySink(
            BigQueryEnvironment.newClient("proj", "ds", endpoint, false, credentials, FAST),
            FAST,
            new Backoff(FAST.initialBackoff(), FAST.maxBackoff()),
            Chunker.standard(),
            "test")) {
      assertEquals(4, sink.write(fourVehicleRows(), far()).rowsStored());
    }
    assertEquals(1, bigQuery.calls().size());
    assertEquals("Bearer test-token", bigQuery.calls().get(0).authorization());
  }

  @Test
  void sendsNoCredentialsToAnOverriddenEndpoint() throws Exception {
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      assertTrue(sink.describe().endsWith("(no credentials)"), sink.describe());
      sink.write(fourVehicleRows(), far());
    }
    assertFalse(bigQuery.calls().isEmpty());
    for (Call c : bigQuery.calls()) {
      assertNull(c.authorization(), "no Authorization header");
    }
    bigQuery
        .server()
        .verify(
            com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching(".*/insertAll"))
                .withoutHeader("Authorization"));
  }

  @Test
  void writesNothingForAnEmptyBatch() throws Exception {
    SinkBatch empty = new SinkBatch("data-streams", TestBulks.CONTEXT, List.of(), List.of());
    assertEquals(new WriteResult(0, -1, 0, 0), write(FAST, empty));
    assertTrue(bigQuery.calls().isEmpty());
  }

  // ---- chunking ----

  @Test
  void splitsRowsIntoRequestsOfAtMost500() throws Exception {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(1201, TestBulks::mixed));
    assertEquals(1201, batch.rows().size());

    WriteResult result = write(FAST, batch);

    assertEquals(1201, result.rowsStored());
    // The chunks may go out in any order; each keeps its rows in order.
    List<Call> calls = inChunkOrder(batch, bigQuery.calls(VEHICLE));
    assertEquals(List.of(500, 500, 201), calls.stream().map(c -> c.insertIds().size()).toList());
    List<String> sent = new ArrayList<>();
    calls.forEach(c -> sent.addAll(c.insertIds()));
    assertEquals(keys(batch), sent, "every row once, in order");
  }

  /** Calls sorted by the position in the batch of their first row. */
  private static List<Call> inChunkOrder(SinkBatch batch, List<Call> calls) {
    List<String> keys = keys(batch);
    return calls.stream()
        .sorted(Comparator.comparingInt(c -> keys.indexOf(c.insertIds().get(0))))
        .toList();
  }

  @Test
  void splitsRowsWithBigPayloadsUnderTheNineMegabyteCap() throws Exception {
    String blob = "x".repeat(700_000);
    SinkBatch batch =
        TestBulks.batch(
            "data-streams",
            TestBulks.bulk(
                30, i -> TestBulks.ignition(i).replace("}", ",\"note\":\"" + blob + "\"}")));
    assertEquals(30, batch.rows().size());
    assertTrue(batch.rows().get(0).payload().toString().length() > 700_000, "payload keeps it");

    WriteResult result = write(FAST, batch);

    assertEquals(30, result.rowsStored());
    List<Call> calls = inChunkOrder(batch, bigQuery.calls(VEHICLE));
    assertEquals(3, calls.size(), "21 MB of rows in three requests");
    for (Call c : calls) {
      assertTrue(c.bodyBytes() < 9_000_000, c.bodyBytes() + " bytes");
    }
    assertTrue(calls.get(0).bodyBytes() > 7_000_000, "requests are filled, not one row each");
    List<String> sent = new ArrayList<>();
    calls.forEach(c -> sent.addAll(c.insertIds()));
    assertEquals(keys(batch), sent);
  }

  // ---- chunks in flight together ----

  @Test
  void sendsTheChunksOfAWriteConcurrently() throws Exception {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(1201, TestBulks::mixed));
    // Each request waits until all three are in flight (or 4 s, short of the read timeout).
    bigQuery.holdUntilHeld(3, Duration.ofSeconds(4));

    WriteResult result = write(FAST.withMaxConcurrentChunks(3), batch);

    assertEquals(new WriteResult(1201, -1, 0, 0), result);
    assertEquals(3, bigQuery.mostHeldAtOnce(), "three requests in flight at once");
    assertEquals(1, bigQuery.holdsFilled(), "the requests met rather than timed out");
    List<String> sent = new ArrayList<>();
    inChunkOrder(batch, bigQuery.calls(VEHICLE)).forEach(c -> sent.addAll(c.insertIds()));
    assertEquals(keys(batch), sent, "every row once");
    assertEquals(1201, new HashSet<>(bigQuery.stored(VEHICLE)).size());
  }

  @Test
  void keepsAtMostTheChosenNumberOfChunksInFlight() throws Exception {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(2500, TestBulks::mixed));
    // Five chunks, two at a time: a hold for three never fills, so each times out.
    bigQuery.holdUntilHeld(3, Duration.ofMillis(200));

    WriteResult result = write(FAST.withMaxConcurrentChunks(2), batch);

    assertEquals(2500, result.rowsStored());
    assertEquals(2, bigQuery.mostHeldAtOnce());
    assertEquals(0, bigQuery.holdsFilled());
    assertEquals(5, bigQuery.calls(VEHICLE).size());
  }

  @Test
  void sendsTheChunksOneAfterAnotherWithOneAtATime() throws Exception {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(1201, TestBulks::mixed));
    // A hold for two never fills when requests go one at a time; each waits 200 ms.
    bigQuery.holdUntilHeld(2, Duration.ofMillis(200));

    WriteResult result = write(FAST.withMaxConcurrentChunks(1), batch);

    assertEquals(1201, result.rowsStored());
    assertEquals(1, bigQuery.mostHeldAtOnce(), "never two requests in flight");
    assertEquals(0, bigQuery.holdsFilled());
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(List.of(500, 500, 201), calls.stream().map(c -> c.insertIds().size()).toList());
    List<String> sent = new ArrayList<>();
    calls.forEach(c -> sent.addAll(c.insertIds()));
    assertEquals(keys(batch), sent, "in arrival order, every row once, in order");
  }

  @Test
  void failsPermanentlyAndStartsNoFurtherChunkWhenOneChunkFailsPermanently() {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(2500, TestBulks::mixed));
    List<String> firstTwoChunks = keys(batch).subList(0, 2 * Chunker.MAX_ROWS);
    // Five chunks, two at a time. The first call is refused at once; the other one in flight is
    // held until a third call arrives (which must not happen) or 2 s pass, then succeeds.
    bigQuery.failCall(1, Reply.fixture(400, "error-400-invalid.json"));
    bigQuery.holdUntilHeld(2, Duration.ofSeconds(2));

    SinkException e = failedWrite(FAST.withMaxConcurrentChunks(2), batch);

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("400"), e.getMessage());
    List<Call> calls = bigQuery.calls();
    assertTrue(calls.size() <= 2, "only the two chunks started first: " + calls.size());
    Set<String> sent = new HashSet<>();
    for (Call c : calls) {
      assertTrue(firstTwoChunks.containsAll(c.insertIds()), "call " + c.number());
      sent.addAll(c.insertIds());
    }
    assertEquals(0, bigQuery.holdsFilled(), "no third call arrived");
    assertEquals(0, bigQuery.heldNow(), "the chunk in flight ended before the write returned");
    assertTrue(bigQuery.stored(VEHICLE).size() <= Chunker.MAX_ROWS);
    assertTrue(bigQuery.calls(QUARANTINE).isEmpty());
  }

  @Test
  void failsPermanentlyWhenOneChunkFailsTransientlyAndAnotherPermanently() {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(1000, TestBulks::mixed));
    // Two chunks of one attempt each, both in flight before either is answered: the first call
    // gets a 503 (a transient failure), the second a 404 (a permanent one).
    bigQuery.holdUntilHeld(2, Duration.ofSeconds(4));
    bigQuery.failFromCall(1, Reply.fixture(503, "error-503-backend-error.json"));
    bigQuery.failCall(2, Reply.fixture(404, "error-404-not-found.json"), true);

    SinkException e = failedWrite(FAST.withMaxAttempts(1).withMaxConcurrentChunks(2), batch);

    assertEquals(1, bigQuery.holdsFilled(), "both chunks were in flight together");
    assertFalse(e.isTransient(), "a permanent failure wins");
    assertTrue(e.getMessage().contains("Not found: Table"), e.getMessage());
    assertEquals(1, e.getSuppressed().length, "the other chunk's failure is kept");
    assertTrue(((SinkException) e.getSuppressed()[0]).isTransient());
    assertEquals(2, bigQuery.calls().size());
    assertTrue(bigQuery.stored(VEHICLE).isEmpty());
    assertEquals(0, bigQuery.heldNow());
  }

  @Test
  void failsTransientlyWhenEveryFailedChunkFailedTransiently() {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(1000, TestBulks::mixed));
    // Two chunks in flight together; one is stored, the other gets a 503 on its only attempt.
    bigQuery.holdUntilHeld(2, Duration.ofSeconds(4));
    bigQuery.failCall(2, Reply.fixture(503, "error-503-backend-error.json"), true);

    SinkException e = failedWrite(FAST.withMaxAttempts(1).withMaxConcurrentChunks(2), batch);

    assertEquals(1, bigQuery.holdsFilled());
    assertTrue(e.isTransient());
    assertTrue(e.getMessage().contains("1 attempt"), e.getMessage());
    assertEquals(2, bigQuery.calls().size());
    assertEquals(Chunker.MAX_ROWS, bigQuery.stored(VEHICLE).size(), "the other chunk is stored");
  }

  @Test
  void stopsCleanlyWhenTheCallerIsInterrupted() throws Exception {
    SinkBatch batch = TestBulks.batch("data-streams", TestBulks.bulk(2500, TestBulks::mixed));
    List<String> firstTwoChunks = keys(batch).subList(0, 2 * Chunker.MAX_ROWS);
    // Five chunks, two at a time; the first two are held until the caller is interrupted.
    bigQuery.holdUntilHeld(3, Duration.ofSeconds(3));
    BlockingQueue<Object> outcome = new ArrayBlockingQueue<>(2);
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST.withMaxConcurrentChunks(2))) {
      Thread caller =
          new Thread(
              () -> {
                try {
                  outcome.add(sink.write(batch, far()));
                } catch (SinkException e) {
                  outcome.add(e);
                }
                outcome.add(Thread.currentThread().isInterrupted());
              });
      caller.start();
      bigQuery.awaitHeld(2, Duration.ofSeconds(10));
      caller.interrupt();

      Object result = outcome.poll(30, TimeUnit.SECONDS);
      Object interrupted = outcome.poll(30, TimeUnit.SECONDS);
      caller.join();

      assertTrue(result instanceof SinkException, String.valueOf(result));
      assertTrue(((SinkException) result).isTransient());
      assertTrue(((SinkException) result).getMessage().contains("interrupted"));
      assertEquals(Boolean.TRUE, interrupted, "the interrupt is kept");
    }
    assertEquals(0, bigQuery.heldNow());
    assertEquals(2, bigQuery.calls().size(), "no chunk starts after the interrupt");
    for (Call c : bigQuery.calls()) {
      assertTrue(firstTwoChunks.containsAll(c.insertIds()));
    }
  }

  @Test
  void optionsDefaultToEightChunksAtOnceAndRefuseOutOfRangeCounts() {
    assertEquals(8, BigQuerySink.Options.DEFAULTS.maxConcurrentChunks());
    assertEquals(1, FAST.withMaxConcurrentChunks(1).maxConcurrentChunks());
    assertEquals(3, FAST.withMaxConcurrentChunks(3).withMaxAttempts(2).maxConcurrentChunks());
    assertThrows(IllegalArgumentException.class, () -> FAST.withMaxConcurrentChunks(0));
    assertThrows(IllegalArgumentException.class, () -> FAST.withMaxConcurrentChunks(65));
  }

  // ---- insertErrors in a 200 ----

  @Test
  void movesAnInvalidRowToQuarantineAndResendsExactlyTheStoppedRows() throws Exception {
    SinkBatch batch = fourVehicleRows();
    Row refused = batch.rows().get(1);
    bigQuery.respond(
        VEHICLE, Reply.fixture(200, "insert-invalid-row1-others-stopped.json"), Reply.ok());

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(3, -1, 1, 1), result);
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(2, calls.size());
    assertEquals(keys(batch), calls.get(0).insertIds());
    assertEquals(keys(batch, 0, 2, 3), calls.get(1).insertIds(), "only the stopped rows again");
    assertEquals(keys(batch, 0, 2, 3), bigQuery.stored(VEHICLE));

    List<Call> quarantine = bigQuery.calls(QUARANTINE);
    assertEquals(1, quarantine.size());
    assertEquals(List.of(refused.eventKey()), quarantine.get(0).insertIds());
    JsonNode row = quarantine.get(0).row(refused.eventKey());
    assertEquals(refused.eventKey(), row.path("event_key").textValue());
    assertEquals("data-streams", row.path("feed").textValue());
    assertEquals(refused.type(), row.path("type").textValue());
    assertEquals(refused.payload().toString(), row.path("raw").textValue());
    String reason = row.path("reason").textValue();
    assertTrue(reason.contains("no such field: gps.hdop."), reason);
    assertTrue(reason.contains("invalid"), reason);
    assertTrue(reason.contains(VEHICLE), reason);
    assertFalse(row.has("event_index"));
    assertEquals(List.of(refused.eventKey()), bigQuery.stored(QUARANTINE));
  }

  @Test
  void resendsOnlyTheRowsWithErrorsWhenARowHadABackendError() throws Exception {
    // Row 0 has a backendError, row 1 was stopped; rows 2 and 3 are not named, so stored.
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(VEHICLE, Reply.fixture(200, "insert-row0-backend-error.json"), Reply.ok());

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(4, -1, 0, 0), result);
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(2, calls.size());
    assertEquals(keys(batch), calls.get(0).insertIds());
    assertEquals(keys(batch, 0, 1), calls.get(1).insertIds(), "only the failed rows again");
    assertTrue(bigQuery.calls(QUARANTINE).isEmpty());
  }

  @Test
  void failsPermanentlyOnARowErrorThatIsNeitherInvalidNorTransient() {
    SinkBatch batch = TestBulks.examples("data-streams", "gps_position");
    bigQuery.respond(VEHICLE, Reply.fixture(200, "insert-row0-access-denied.json"));

    SinkException e = failedWrite(FAST, batch);

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("accessDenied"), e.getMessage());
    assertEquals(1, bigQuery.calls().size(), "no retry");
  }

  // ---- HTTP failures ----

  @Test
  void resendsTheSameRowsAfter503And500() throws Exception {
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(
        VEHICLE,
        Reply.fixture(503, "error-503-backend-error.json"),
        Reply.fixture(500, "error-500-internal-error.json"),
        Reply.ok());

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(4, -1, 0, 0), result);
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(List.of(503, 500, 200), calls.stream().map(Call::status).toList());
    for (Call c : calls) {
      assertEquals(keys(batch), c.insertIds());
    }
  }

  @Test
  void retriesARateLimitAnsweredAs403() throws Exception {
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(VEHICLE, Reply.fixture(403, "error-403-rate-limit.json"), Reply.ok());

    assertEquals(4, write(FAST, batch).rowsStored());
    assertEquals(List.of(403, 200), bigQuery.calls(VEHICLE).stream().map(Call::status).toList());
  }

  @Test
  void failsTransientlyAfterTheCappedAttemptsWhen503Persists() {
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(VEHICLE, Reply.fixture(503, "error-503-backend-error.json"));

    SinkException e = failedWrite(FAST, batch);

    assertTrue(e.isTransient());
    assertTrue(e.getMessage().contains("3 attempt"), e.getMessage());
    List<Call> calls = bigQuery.calls();
    assertEquals(3, calls.size(), "maxAttempts, then no more");
    for (Call c : calls) {
      assertEquals(VEHICLE, c.table());
      assertEquals(keys(batch), c.insertIds());
    }
  }

  @Test
  void failsPermanentlyWithoutRetryOn400() {
    bigQuery.respond(VEHICLE, Reply.fixture(400, "error-400-invalid.json"));

    SinkException e = failedWrite(FAST, fourVehicleRows());

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("400"), e.getMessage());
    assertEquals(1, bigQuery.calls().size());
  }

  @Test
  void failsPermanentlyWithoutRetryOn404() {
    bigQuery.respond(VEHICLE, Reply.fixture(404, "error-404-not-found.json"));

    SinkException e = failedWrite(FAST, fourVehicleRows());

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("Not found: Table"), e.getMessage());
    assertEquals(1, bigQuery.calls().size());
  }

  @Test
  void retriesAnAnswerThatIsNotBigQuerysJson() throws Exception {
    // A proxy's HTML page with a 502, then a 200 cut short: neither says which rows were stored.
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(
        VEHICLE,
        new Reply(502, "<html><body>Bad Gateway</body></html>", 0),
        new Reply(200, "{\"kind\":\"bigquery#tableDataInsertAllResponse\",\"insertErr", 0),
        Reply.ok());

    WriteResult result = write(FAST, batch);

    assertEquals(new WriteResult(4, -1, 0, 0), result);
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(List.of(502, 200, 200), calls.stream().map(Call::status).toList());
    for (Call c : calls) {
      assertEquals(keys(batch), c.insertIds(), "the same rows each time");
    }
  }

  @Test
  void failsPermanentlyOnANonJsonClientError() {
    bigQuery.respond(VEHICLE, new Reply(401, "Unauthorized", 0));

    SinkException e = failedWrite(FAST, fourVehicleRows());

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
    assertEquals(1, bigQuery.calls().size());
  }

  @Test
  void failsTransientlyWhenBigQueryCannotBeReached() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (BigQuerySink sink =
        BigQuerySink.open(
            "proj",
            "ds",
            java.util.Map.of(BigQuerySink.ENDPOINT_VARIABLE, "http://127.0.0.1:" + port),
            FAST)) {
      SinkException e =
          assertThrows(SinkException.class, () -> sink.write(fourVehicleRows(), far()));
      assertTrue(e.isTransient());
      assertTrue(e.getMessage().contains("I/O error"), e.getMessage());
    }
  }

  // ---- timeouts and deadlines ----

  @Test
  void retriesARequestThatTimedOut() throws Exception {
    BigQuerySink.Options shortRead =
        FAST.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(VEHICLE, Reply.ok().delayed(1_500), Reply.ok());

    WriteResult result = write(shortRead, batch);

    assertEquals(4, result.rowsStored());
    List<Call> calls = bigQuery.calls(VEHICLE);
    assertEquals(2, calls.size());
    assertEquals(keys(batch), calls.get(0).insertIds());
    assertEquals(keys(batch), calls.get(1).insertIds());
  }

  @Test
  void failsTransientlyWhenEveryAttemptTimesOut() {
    BigQuerySink.Options shortRead =
        FAST.withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
    bigQuery.respond(VEHICLE, Reply.ok().delayed(1_500));

    long start = System.nanoTime();
    SinkException e = failedWrite(shortRead, fourVehicleRows());
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(e.isTransient());
    assertTrue(e.getMessage().contains("I/O error"), e.getMessage());
    assertEquals(3, bigQuery.calls(VEHICLE).size());
    assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0, "three read timeouts: " + took);
    assertTrue(took.compareTo(Duration.ofMillis(4_500)) < 0, "not the server's delay: " + took);
  }

  @Test
  void stopsAtOnceWhenTheNextBackoffWouldPassTheDeadline() throws Exception {
    // Backoff of 10 s with the jitter at its ceiling, deadline in 300 ms.
    BigQuerySink.Options slow =
        FAST.withMaxAttempts(5).withBackoff(Duration.ofSeconds(10), Duration.ofSeconds(10));
    URI endpoint = BigQueryEnvironment.endpoint(bigQuery.environment());
    bigQuery.respond(VEHICLE, Reply.fixture(503, "error-503-backend-error.json"));
    try (BigQuerySink sink =
        new BigQuerySink(
            BigQueryEnvironment.newClient("proj", "ds", endpoint, true, null, slow),
            slow,
            new Backoff(slow.initialBackoff(), slow.maxBackoff(), ceiling -> ceiling),
            Chunker.standard(),
            "test")) {
      long start = System.nanoTime();
      SinkException e =
          assertThrows(
              SinkException.class,
              () -> sink.write(fourVehicleRows(), Instant.now().plusMillis(300)));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertTrue(e.isTransient());
      assertTrue(e.getMessage().contains("deadline"), e.getMessage());
      assertEquals(1, bigQuery.calls().size(), "one attempt, not five");
      assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "no 10 s wait: " + took);
    }
  }

  @Test
  void sendsNothingWhenTheDeadlineHasPassed() {
    try (BigQuerySink sink = StandIns.sink(bigQuery, FAST)) {
      SinkException e =
          assertThrows(
              SinkException.class,
              () -> sink.write(fourVehicleRows(), Instant.now().minusSeconds(1)));
      assertTrue(e.isTransient());
    }
    assertTrue(bigQuery.calls().isEmpty());
  }

  // ---- quarantine failures ----

  @Test
  void failsTheBulkWhenTheQuarantineTableCannotBeWritten() {
    String bad =
        "{\"type\":\"car_ignition\",\"id\":7,\"value\":true,\"vehicleId\":1,\"time\":\"yesterday\"}";
    SinkBatch batch =
        TestBulks.batch("data-streams", "[" + TestBulks.ignition(1) + "," + bad + "]");
    bigQuery.respond(QUARANTINE, Reply.fixture(503, "error-503-backend-error.json"));

    SinkException e = failedWrite(FAST, batch);

    assertTrue(e.isTransient());
    assertEquals(1, bigQuery.calls(VEHICLE).size(), "the data rows went through");
    assertEquals(200, bigQuery.calls(VEHICLE).get(0).status());
    List<Call> q = bigQuery.calls(QUARANTINE);
    assertEquals(3, q.size());
    for (Call c : q) {
      assertEquals(List.of(batch.quarantine().get(0).eventKey()), c.insertIds());
    }
  }

  @Test
  void failsTheBulkWhenARefusedRowCannotBeQuarantined() {
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(
        VEHICLE, Reply.fixture(200, "insert-invalid-row1-others-stopped.json"), Reply.ok());
    bigQuery.respond(QUARANTINE, Reply.fixture(503, "error-503-backend-error.json"));

    SinkException e = failedWrite(FAST, batch);

    assertTrue(e.isTransient(), "the sender retries; the row is not lost");
    assertEquals(keys(batch, 0, 2, 3), bigQuery.stored(VEHICLE));
    assertEquals(3, bigQuery.calls(QUARANTINE).size());
    assertTrue(bigQuery.stored(QUARANTINE).isEmpty());
  }

  @Test
  void failsPermanentlyWhenTheQuarantineTableRefusesAnEntryAsInvalid() {
    SinkBatch batch = fourVehicleRows();
    bigQuery.respond(
        VEHICLE, Reply.fixture(200, "insert-invalid-row1-others-stopped.json"), Reply.ok());
    // A refusal for index 1 of a one-row request would be malformed; refuse index 0.
    bigQuery.respond(
        QUARANTINE,
        new Reply(
            200,
            "{\"kind\":\"bigquery#tableDataInsertAllResponse\",\"insertErrors\":[{\"index\":0,"
                + "\"errors\":[{\"reason\":\"invalid\",\"location\":\"raw\",\"debugInfo\":\"\","
                + "\"message\":\"no such field: raw.\"}]}]}",
            0));

    SinkException e = failedWrite(FAST, batch);

    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("quarantine"), e.getMessage());
    assertEquals(1, bigQuery.calls(QUARANTINE).size());
  }

  @Test
  void refusesWritesOnceClosed() {
    BigQuerySink sink = StandIns.sink(bigQuery, FAST);
    sink.close();
    assertThrows(IllegalStateException.class, () -> sink.write(fourVehicleRows(), far()));
    assertTrue(bigQuery.calls().isEmpty());
  }
}
