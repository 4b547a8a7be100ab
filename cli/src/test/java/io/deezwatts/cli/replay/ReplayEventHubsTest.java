package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.amqp.exception.AmqpErrorCondition;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts replay --to eventhubs:...} with {@link FakeEventHubs}: the producer is faked, as
 * no Event Hubs emulator exists, but batches are the SDK's real {@link EventDataBatch}.
 */
class ReplayEventHubsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "c2VjcmV0LWtleS1mb3ItdGVzdHM=";
  private static final String CONNECTION =
      "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey="
          + SECRET;
  private static final Map<String, String> ENV =
      Map.of("DEEZWATTS_REPLAY_EVENTHUB_CONNECTION", CONNECTION);

  @TempDir Path dir;

  /** A padded event (about 300 bytes) with this id. */
  private static String event(long id) {
    return "{\"type\":\"gps_position\",\"id\":"
        + id
        + ",\"vehicleId\":7,\"time\":\"2022-10-12T07:06:45Z\",\"latitude\":52.1,"
        + "\"longitude\":4.3,\"note\":\""
        + "n".repeat(180)
        + "\"}";
  }

  private Path bulk(String name, long first, int n) throws Exception {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",\n").append(event(first + i));
    }
    return Files.writeString(dir.resolve(name), b.append("]"));
  }

  private static ReplayRun run(FakeEventHubs hub, String... args) {
    return ReplayRun.of(
        ENV,
        (ns, name, connection) -> {
          assertEquals("ns1", ns);
          assertEquals("hub1", name);
          assertEquals(CONNECTION, connection);
          return hub;
        },
        args);
  }

  private static List<Long> ids(List<EventData> events) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (EventData e : events) {
      JsonNode array = JSON.readTree(e.getBody());
      assertTrue(array.isArray(), e.getBodyAsString());
      array.forEach(x -> ids.add(x.get("id").asLong()));
    }
    return ids;
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return Long.parseLong(m.group(1));
  }

  @Test
  void splitsALargeBulkIntoEventsUnderOneMegabyteAndPacksSmallBulksIntoBatches() throws Exception {
    Path large = bulk("large.json", 0, 12_000); // about 3.6 MB, one bulk
    StringBuilder small = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      small.append('[').append(event(100_000 + 2 * i)).append(',');
      small.append(event(100_001 + 2 * i)).append("]\n");
    }
    Path ndjson = Files.writeString(dir.resolve("small.ndjson"), small);
    FakeEventHubs hub = new FakeEventHubs();

    ReplayRun r =
        run(
            hub,
            "--to",
            "eventhubs:ns1/hub1",
            "--source",
            "data-streams",
            large.toString(),
            ndjson.toString());
    assertEquals(0, r.exit(), r.err());
    assertTrue(hub.closed);

    List<EventData> events = hub.sentEvents();
    List<Long> ids = ids(events);
    assertEquals(12_100, ids.size(), "no event lost or duplicated");
    assertEquals(12_100, new HashSet<>(ids).size());
    int fromLarge = 0;
    int fromSmall = 0;
    for (EventData e : events) {
      assertTrue(e.getBody().length < FakeEventHubs.MAX_MESSAGE_BYTES, "" + e.getBody().length);
      assertEquals("data-streams", e.getProperties().get("feed"));
      if ("large.json".equals(e.getProperties().get("file"))) {
        fromLarge++;
      } else {
        assertEquals("small.ndjson", e.getProperties().get("file"));
        assertEquals(2, JSON.readTree(e.getBody()).size(), "a small bulk stays whole");
        fromSmall++;
      }
    }
    assertTrue(fromLarge >= 4, "the 3.6 MB bulk is split: " + fromLarge);
    assertEquals(50, fromSmall);
    for (EventDataBatch b : hub.sent()) {
      assertTrue(b.getSizeInBytes() <= b.getMaxSizeInBytes());
    }
    assertTrue(hub.sent().size() < events.size(), "small bulks share batches");
    assertTrue(r.out().contains("12100 events published in " + events.size() + " messages"));
  }

  @Test
  void anEventLargerThanAnEventHubsEventIsAFailureNamingFileAndIndex() throws Exception {
    String big = "{\"type\":\"gps_position\",\"note\":\"" + "x".repeat(1_100_000) + "\"}";
    Path file =
        Files.writeString(
            dir.resolve("big.json"), "[" + event(0) + "," + big + "," + event(2) + "]");
    FakeEventHubs hub = new FakeEventHubs();
    ReplayRun r =
        run(hub, "--to", "eventhubs:ns1/hub1", "--source", "data-streams", file.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("big.json: bulk 1, event 1: 1100033 bytes, more than"), r.err());
    assertEquals(List.of(0L, 2L), ids(hub.sentEvents()));
    assertTrue(r.out().contains("1 events not published, 1 failure;"), r.out());
  }

  @Test
  void aRefusedSendIsCountedAndGivesExitOne() throws Exception {
    Path file = bulk("refused.json", 0, 8_000); // about 2.4 MB: three batches or more
    FakeEventHubs hub =
        new FakeEventHubs(
            n ->
                n == 2
                    ? new AmqpException(
                        false, AmqpErrorCondition.ARGUMENT_ERROR, "refused by the fake", null)
                    : null,
            null);
    ReplayRun r = run(hub, "--to", "eventhubs:ns1/hub1", "--feed", "data-streams", file.toString());
    assertEquals(1, r.exit());
    assertTrue(r.err().contains("refused.json: bulk 1, events "), r.err());
    assertTrue(
        r.err().contains("not published: ") && r.err().contains("refused by the fake"), r.err());
    List<Long> ids = ids(hub.sentEvents());
    long failed = number(r.out(), "(\\d+) events not published");
    assertTrue(failed > 0);
    assertEquals(8_000, ids.size() + failed, r.out());
    assertEquals(ids.size(), new HashSet<>(ids).size());
  }

  @Test
  void aHubThatRefusesTheKeyFailsBeforeReadingAndNeverPrintsTheSecret() throws Exception {
    Path file = bulk("x.json", 0, 3);
    FakeEventHubs hub =
        new FakeEventHubs(
            n -> null,
            new AmqpException(
                false, AmqpErrorCondition.UNAUTHORIZED_ACCESS, "InvalidSignature", null));
    ReplayRun r =
        run(hub, "--to", "eventhubs:ns1/hub1", "--source", "data-streams", file.toString());
    assertEquals(1, r.exit());
    assertTrue(
        r.err().contains("cannot publish to eventhubs:ns1.servicebus.windows.net/hub1: "), r.err());
    assertTrue(r.err().contains("InvalidSignature"), r.err());
    assertFalse(r.err().contains(SECRET) || r.out().contains(SECRET));
    assertTrue(hub.closed);
  }

  @Test
  void aPieceThatDoesNotFitAnEmptyBatchIsHalvedUntilItDoes() throws Exception {
    FakeEventHubs hub = new FakeEventHubs();
    ReplayStats stats = new ReplayStats(m -> {});
    EventHubsBulkPublisher publisher = new EventHubsBulkPublisher(hub, "legacy-push", stats);
    assertTrue(publisher.maxBodyBytes() > 1_000_000 && publisher.maxBodyBytes() < 1_048_576);
    // Cut larger than the publisher asked for: 3 MB in one piece.
    Piece.Builder b = new Piece.Builder(true, 1024, 16, 4_000_000);
    for (int i = 0; i < 10_000; i++) {
      byte[] e = event(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      b.add(e, 0, e.length);
    }
    publisher.publish(b.build("odd.json", 1, 0));
    assertTrue(publisher.finish());
    List<EventData> events = hub.sentEvents();
    assertTrue(events.size() >= 4, "halved into several events: " + events.size());
    // Batches go to CONCURRENT_SENDS senders, so the hub records them in the order their sends end
    // (no order across batches is promised): put the events in order by their first id, then each
    // half must hold its events in order, and together every event exactly once.
    List<List<Long>> halves = new ArrayList<>();
    for (EventData e : events) {
      halves.add(ids(List.of(e)));
    }
    halves.sort(java.util.Comparator.comparing(h -> h.get(0)));
    List<Long> ids = new ArrayList<>();
    halves.forEach(ids::addAll);
    assertEquals(10_000, ids.size());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(i, ids.get(i), "in order within each event, once each");
    }
    assertEquals(10_000, stats.eventsPublished.get());
    assertEquals(0, stats.failures.get());
  }

  @Test
  void settingsErrorsExitTwoWithoutPrintingTheSecret() throws Exception {
    Path file = bulk("x.json", 0, 1);
    ReplayRun missing =
        ReplayRun.of(
            Map.of(), "--to", "eventhubs:ns1/hub1", "--source", "data-streams", file.toString());
    assertEquals(2, missing.exit());
    assertTrue(missing.err().contains("set DEEZWATTS_REPLAY_EVENTHUB_CONNECTION"), missing.err());
    assertFalse(missing.err().contains("does not read"), missing.err());

    ReplayRun oldName =
        ReplayRun.of(
            Map.of("DEEZWATTS_EVENTHUB_CONNECTION", CONNECTION),
            "--to",
            "eventhubs:ns1/hub1",
            "--source",
            "data-streams",
            file.toString());
    assertEquals(2, oldName.exit());
    assertTrue(
        oldName.err().contains("replay does not read DEEZWATTS_EVENTHUB_CONNECTION"),
        oldName.err());
    assertFalse(oldName.err().contains(SECRET), "the connection string is never printed");

    // The real connector checks the connection string against the destination.
    ReplayRun otherNamespace =
        ReplayRun.of(
            ENV, "--to", "eventhubs:ns2/hub1", "--source", "data-streams", file.toString());
    assertEquals(2, otherNamespace.exit());
    assertTrue(
        otherNamespace.err().contains("is for the namespace ns1.servicebus.windows.net, not ns2"),
        otherNamespace.err());
    assertFalse(otherNamespace.err().contains(SECRET));

    ReplayRun garbage =
        ReplayRun.of(
            Map.of("DEEZWATTS_REPLAY_EVENTHUB_CONNECTION", "not-a-connection-string-" + SECRET),
            "--to",
            "eventhubs:ns1/hub1",
            "--source",
            "data-streams",
            file.toString());
    assertEquals(2, garbage.exit());
    assertTrue(garbage.err().contains("not an Event Hubs connection string"), garbage.err());
    assertFalse(garbage.err().contains(SECRET));

    String withHub = CONNECTION + ";EntityPath=hub9";
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventHubsProducer.connect("ns1", "hub1", withHub));
    assertEquals(
        "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION is for the event hub hub9, not hub1", e.getMessage());

    // A well-formed string builds the real client without connecting yet.
    try (EventHubsProducer real = EventHubsProducer.connect("ns1", "hub1", CONNECTION)) {
      assertEquals("ns1.servicebus.windows.net/hub1", real.describe());
    }
  }
}
