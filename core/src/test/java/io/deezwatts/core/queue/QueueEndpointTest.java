package io.deezwatts.core.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.log.RecordingLog;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.queue.QueueOutcome.Decision;
import io.deezwatts.core.sink.FakeSink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The platform-neutral queue endpoint: each outcome, and every exception type on the path that
 * acknowledges. The sink is a small fake of our own port ({@link FakeSink}) that fails as told, so
 * each failure can be produced on demand; the decoding and the {@link IngestService} are the real
 * ones.
 */
class QueueEndpointTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final String GOOD =
      "[{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":5,"
          + "\"time\":\"2022-01-01T00:00:00Z\"}]";
  private static final PushSettings SETTINGS =
      new PushSettings("fake:", "data-streams", Duration.ofSeconds(30));
  private static final QueueDelivery PUBSUB =
      QueueDelivery.redelivered(IngestContext.Source.PUBSUB, "message_id", "m-1");

  private final FakeSink sink = new FakeSink();
  private final List<String> lines = new ArrayList<>();
  private final Logger log = RecordingLog.into(lines);

  private QueueEndpoint endpoint(Supplier<IngestService> service, Supplier<PushSettings> settings) {
    return new QueueEndpoint(
        service, settings, Catalog::standard, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private QueueEndpoint endpoint() {
    IngestService service = new IngestService(sink);
    return endpoint(() -> service, () -> SETTINGS);
  }

  private static QueueMessage message(String body, String id, Map<String, String> attributes) {
    return new QueueMessage(
        body.getBytes(StandardCharsets.UTF_8),
        attributes,
        id,
        Map.of("partition_id", "3"),
        "partition 3 sequence number " + id);
  }

  private static List<QueueMessage> three() {
    return List.of(
        message(GOOD, "1", Map.of()),
        message(GOOD, "2", Map.of("feed", "data-streams")),
        message(GOOD, "3", Map.of()));
  }

  private static QueueDelivery eventHubs(int attempt) {
    return QueueDelivery.parkedAfter(
        IngestContext.Source.EVENTHUBS,
        attempt,
        5,
        "the dead-letter hub",
        "the source hub",
        "partition",
        "3");
  }

  private String logged() {
    return String.join("\n", lines);
  }

  @Test
  void aStoredBulkIsAcknowledgedWithItsIdsMetadataDeadlineAndOneLogLine() {
    QueueOutcome outcome =
        endpoint()
            .handle(List.of(message(GOOD, "m-1", Map.of("feed", "data-streams"))), PUBSUB, log);

    assertEquals(Decision.ACK, outcome.decision());
    assertNull(outcome.retry());
    assertTrue(outcome.toPark().isEmpty());
    assertEquals(1, outcome.stored());
    assertEquals("m-1", sink.batches.get(0).rows().get(0).get("message_id"));
    assertEquals("pubsub", sink.batches.get(0).rows().get(0).get("source"));
    assertEquals(Map.of("partition_id", "3"), sink.batches.get(0).context().metadata());
    assertEquals(NOW.plusSeconds(30), sink.lastDeadline);
    assertEquals(1, lines.size(), logged());
    assertTrue(
        lines
            .get(0)
            .matches(
                "INFO bulk stored outcome=stored feed=data-streams source=pubsub message_id=m-1"
                    + " events=1 stored=1 quarantined=0 duration_ms=\\d+"),
        logged());
  }

  @Test
  void aBodyThatIsNotABulkIsQuarantinedRawAndAcknowledged() {
    QueueOutcome outcome =
        endpoint().handle(List.of(message("{\"not\":\"a bulk\"}", "m-2", Map.of())), PUBSUB, log);

    assertEquals(Decision.ACK, outcome.decision());
    assertEquals(1, outcome.rejected());
    assertEquals(0, outcome.stored());
    assertArrayEquals(
        "{\"not\":\"a bulk\"}".getBytes(StandardCharsets.UTF_8),
        sink.batches.get(0).quarantine().get(0).rawBytes());
    assertTrue(logged().contains("WARNING bulk rejected and quarantined raw outcome=rejected"));
  }

  @Test
  void theFeedAttributeChoosesTheFeedAndAnUnknownOneFallsBackToTheSettingWithAWarning() {
    QueueEndpoint e = endpoint();
    e.handle(List.of(message("[]", "a", Map.of("feed", "legacy-push"))), PUBSUB, log);
    e.handle(List.of(message("[]", "b", Map.of("feed", "no-such-feed"))), PUBSUB, log);
    e.handle(List.of(message("[]", "c", Map.of("feed", ""))), PUBSUB, log);

    assertEquals(
        List.of("legacy-push", "data-streams", "data-streams"),
        sink.batches.stream().map(SinkBatch::feed).toList());
    assertTrue(
        logged()
            .contains(
                "WARNING unknown feed attribute; using data-streams message_id=b"
                    + " feed_attribute=no-such-feed"),
        logged());
    assertFalse(logged().contains("message_id=c feed_attribute"), logged());
  }

  @Test
  void aTransientFailureRetriesTheWholeBatchWhileRetriesRemainAndParksNothing() {
    SinkException backendError = SinkException.transientFailure("backendError (test)", null);
    sink.failNext(backendError);

    QueueOutcome outcome = endpoint().handle(three(), eventHubs(0), log);

    assertEquals(Decision.RETRY, outcome.decision());
    assertSame(backendError, outcome.retry());
    assertTrue(outcome.toPark().isEmpty());
    assertEquals(2, outcome.stored(), "the rest of the batch is still stored");
    assertTrue(
        logged().contains("WARNING bulk not stored outcome=failed_transient feed=data-streams"),
        logged());
    assertTrue(
        logged().contains("1 of 3 bulks failed (attempt 1 of 6); retrying the batch: backendError"),
        logged());
  }

  @Test
  void onTheLastAttemptATransientFailureIsParkedWithItsAttempts() {
    sink.failWith = SinkException.transientFailure("rateLimitExceeded (test)", null);

    QueueOutcome outcome = endpoint().handle(three(), eventHubs(5), log);

    assertEquals(Decision.PARK, outcome.decision());
    assertNull(outcome.retry());
    assertEquals(List.of(0, 1, 2), outcome.toPark().stream().map(f -> f.index()).toList());
    assertTrue(outcome.toPark().stream().allMatch(QueueOutcome.Failed::transientFailure));
    assertTrue(outcome.toPark().stream().allMatch(f -> f.attempts() == 6));
    assertEquals("rateLimitExceeded (test)", outcome.toPark().get(0).reason());
  }

  @Test
  void aPermanentFailureIsParkedAtOnceWithItsRawBytesAndTheRestIsStored() {
    sink.failNext(SinkException.permanent("no such table (test)", null));

    QueueOutcome outcome = endpoint().handle(three(), eventHubs(0), log);

    assertEquals(Decision.PARK, outcome.decision());
    QueueOutcome.Failed f = outcome.toPark().get(0);
    assertEquals(1, outcome.toPark().size());
    assertEquals(0, f.index());
    assertFalse(f.transientFailure());
    assertEquals(1, f.attempts());
    assertEquals("data-streams", f.feed());
    assertEquals("no such table (test)", f.reason());
    assertArrayEquals(GOOD.getBytes(StandardCharsets.UTF_8), f.message().body());
    assertEquals(2, outcome.stored());
    assertEquals("batch of 3: 2 stored, 0 quarantined raw, 1 parked", outcome.summary());
    assertTrue(logged().contains("outcome=failed feed=data-streams source=eventhubs"), logged());
  }

  @Test
  void aQueueThatDeadLettersItselfRetriesEveryFailureTransientOrNot() {
    SinkException permanent = SinkException.permanent("schema mismatch (test)", null);
    sink.failNext(permanent);

    QueueOutcome outcome = endpoint().handle(List.of(message(GOOD, "m-3", Map.of())), PUBSUB, log);

    assertEquals(Decision.RETRY, outcome.decision());
    assertSame(permanent, outcome.retry());
    assertTrue(outcome.toPark().isEmpty(), "the function parks nothing on such a queue");
    assertFalse(logged().contains("retrying the batch"), "no attempts are known to count");
  }

  @Test
  void anyOtherExceptionFromStoringFailsItsBulkForGoodAndNeverAbortsTheBatch() {
    sink.crashNext(new IllegalStateException("a bug below the endpoint (test)"));

    QueueOutcome outcome = endpoint().handle(three(), eventHubs(0), log);

    assertEquals(Decision.PARK, outcome.decision());
    assertEquals(List.of(0), outcome.toPark().stream().map(f -> f.index()).toList());
    assertFalse(outcome.toPark().get(0).transientFailure());
    assertEquals(
        "unexpected IllegalStateException: a bug below the endpoint (test)",
        outcome.toPark().get(0).reason());
    assertEquals(2, outcome.stored());
    assertTrue(
        logged()
            .contains(
                "SEVERE bulk partition 3 sequence number 1 failed unexpectedly outcome=failed"),
        logged());

    sink.crashNext(new IllegalStateException("again (test)"));
    QueueOutcome onPubSub = endpoint().handle(List.of(message(GOOD, "m", Map.of())), PUBSUB, log);
    assertEquals(Decision.RETRY, onPubSub.decision());
    assertFalse(onPubSub.retry().isTransient());
  }

  @Test
  void anUnknownFeedSettingFailsOnlyTheBulksThatNeedIt() {
    IngestService service = new IngestService(sink);
    QueueEndpoint misfed =
        endpoint(
            () -> service, () -> new PushSettings("fake:", "no-such-feed", Duration.ofSeconds(5)));

    QueueOutcome outcome = misfed.handle(three(), eventHubs(0), log);

    assertEquals(List.of(0, 2), outcome.toPark().stream().map(f -> f.index()).toList());
    assertTrue(
        outcome.toPark().get(0).reason().contains("unknown feed 'no-such-feed'"),
        outcome.toPark().get(0).reason());
    assertEquals(1, outcome.stored(), "the bulk with a feed attribute is stored");
  }

  @Test
  void aSinkSettingNoRetryCanFixFailsEveryBulkForGoodLoggedOnceNamingIt() {
    QueueEndpoint misconfigured =
        endpoint(
            () -> {
              throw new SettingException("DEEZWATTS_SINK", "no sink for 'nosuch:' here", null);
            },
            () -> SETTINGS);

    QueueOutcome outcome = misconfigured.handle(three(), eventHubs(0), log);

    assertEquals(Decision.PARK, outcome.decision());
    assertEquals(3, outcome.toPark().size());
    assertFalse(outcome.toPark().get(0).transientFailure());
    assertTrue(outcome.toPark().get(0).reason().contains("fix the setting DEEZWATTS_SINK"));
    assertEquals(1, lines.size(), logged());
    assertTrue(
        lines.get(0).contains("outcome=not_ready setting=DEEZWATTS_SINK partition=3"), logged());

    QueueOutcome onPubSub =
        misconfigured.handle(List.of(message(GOOD, "m", Map.of())), PUBSUB, log);
    assertEquals(Decision.RETRY, onPubSub.decision());
    assertTrue(logged().contains("setting=DEEZWATTS_SINK message_id=m-1"), logged());
  }

  @Test
  void aMalformedSettingOfTheEndpointItselfFailsEveryBulkForGood() {
    QueueEndpoint misconfigured =
        endpoint(
            () -> new IngestService(sink),
            () -> PushSettings.fromEnvironment(Map.of("DEEZWATTS_DEADLINE_SECONDS", "soon")));

    QueueOutcome outcome = misconfigured.handle(three(), eventHubs(0), log);

    assertEquals(Decision.PARK, outcome.decision());
    assertEquals(3, outcome.toPark().size());
    assertFalse(outcome.toPark().get(0).transientFailure());
    assertTrue(logged().contains("fix the setting DEEZWATTS_DEADLINE_SECONDS"), logged());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void aSinkThatCannotOpenForNowRetriesTheBatch() {
    QueueEndpoint unavailable =
        endpoint(
            () -> {
              throw new IllegalStateException("the file is locked (test)");
            },
            () -> SETTINGS);

    QueueOutcome outcome = unavailable.handle(three(), eventHubs(0), log);

    assertEquals(Decision.RETRY, outcome.decision());
    assertTrue(outcome.retry().isTransient());
    assertTrue(outcome.retry().getMessage().contains("the file is locked (test)"));
    assertEquals(Decision.PARK, unavailable.handle(three(), eventHubs(5), log).decision());
  }

  @Test
  void parkingLogsEachBulkAndWhatCannotBeParkedIsLostAndReturnedButTheRestIsStillParked() {
    sink.failWith = SinkException.permanent("schema mismatch (test)", null);
    QueueOutcome outcome = endpoint().handle(three(), eventHubs(0), log);
    List<Integer> parked = new ArrayList<>();
    Exception refused = new Exception("the dead-letter hub is unreachable (test)");

    Exception lost =
        outcome.park(
            f -> {
              if (f.index() == 1) {
                throw refused;
              }
              parked.add(f.index());
            },
            log);

    assertSame(refused, lost);
    assertEquals(List.of(0, 2), parked);
    assertTrue(
        logged()
            .contains(
                "SEVERE parked bulk partition 3 sequence number 1 on the dead-letter hub"
                    + " outcome=parked feed=data-streams source=eventhubs message_id=1 bytes="),
        logged());
    assertTrue(
        logged()
            .contains(
                "SEVERE LOST unless replayed from the source hub: bulk partition 3 sequence"
                    + " number 2 could be neither stored nor parked outcome=lost"),
        logged());
    assertTrue(logged().contains("parking_error=\"the dead-letter hub is unreachable"), logged());
    assertNull(outcome.park(f -> {}, log), "everything parked");
  }

  @Test
  void anAcknowledgedBatchHasNothingToPark() {
    QueueOutcome outcome = endpoint().handle(three(), eventHubs(0), log);

    assertEquals(Decision.ACK, outcome.decision());
    assertNull(outcome.park(f -> assertTrue(false, "nothing to park"), log));
    assertEquals("batch of 3: 3 stored, 0 quarantined raw, 0 parked", outcome.summary());
  }
}
