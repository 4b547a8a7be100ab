package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts replay --from pubsub:...} against the real Pub/Sub emulator ({@link
 * PubSubEmulator}; the test fails, saying how to install it, when it is absent): draining the GCP
 * dead-letter subscription into a sink or back onto the ingest topic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayDrainPubSubIT {
  private static final String PROJECT = "deezwatts-test";

  private PubSubEmulator emulator;
  private String deadLetter;
  private String deadLetterSub;

  @TempDir Path dir;

  @BeforeAll
  void startEmulator() throws Exception {
    emulator = PubSubEmulator.start();
  }

  @AfterAll
  void stopEmulator() {
    emulator.close();
  }

  /** A fresh dead-letter topic and subscription per test, holding three parked bulks. */
  @BeforeEach
  void park() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    deadLetter = "deadletter-" + id;
    deadLetterSub = "deadletter-sub-" + id;
    emulator.createTopic(PROJECT, deadLetter);
    emulator.createSubscription(PROJECT, deadLetterSub, deadLetter);
    emulator.publish(PROJECT, deadLetter, bulk(1, 2), Map.of("feed", "data-streams"));
    emulator.publish(PROJECT, deadLetter, bulk(3), Map.of());
    emulator.publish(
        PROJECT,
        deadLetter,
        new byte[] {(byte) 0x1f, (byte) 0x8b, 8, 0},
        Map.of("feed", "data-streams", "CloudPubSubDeadLetterSourceDeliveryCount", "5"));
  }

  private static byte[] bulk(long... ids) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append(BulkReaderTest.gps(ids[i]));
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  private ReplayRun replay(String... args) {
    return ReplayRun.of(Map.of("DEEZWATTS_PUBSUB_ENDPOINT", emulator.endpoint()), args);
  }

  private String from() {
    return "pubsub:projects/" + PROJECT + "/subscriptions/" + deadLetterSub;
  }

  private long count(Path db, String sql) throws Exception {
    try (DuckDbSink sink = new DuckDbSink(db, Catalog.standard());
        Statement s = sink.connection().createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void drainsTheSubscriptionIntoTheSinkAndAcknowledgesWhatWasStored() throws Exception {
    Path db = dir.resolve("drained.duckdb");

    ReplayRun r =
        replay(
            "--from",
            from(),
            "--sink",
            "duckdb:" + db,
            "--source",
            "data-streams",
            "--idle-seconds",
            "2");

    assertEquals(0, r.exit(), r.err() + r.out());
    assertTrue(
        r.out().contains("3 messages received, 3 delivered and acknowledged, 0 left"), r.out());
    assertEquals(3, count(db, "SELECT count(*) FROM vehicle_events_dedup WHERE source = 'replay'"));
    assertEquals(
        1,
        count(
            db,
            "SELECT count(*) FROM quarantine WHERE raw_encoding = 'base64' AND raw = 'H4sIAA=='"),
        "the non-UTF-8 bulk is kept byte for byte");
    assertEquals(List.of(), emulator.pull(PROJECT, deadLetterSub, false), "nothing is left");
  }

  @Test
  void drainsBackOntoTheIngestTopicWithEachBulksFeed() throws Exception {
    String ingest = "ingest-" + UUID.randomUUID().toString().substring(0, 8);
    emulator.createTopic(PROJECT, ingest);
    emulator.createSubscription(PROJECT, ingest + "-sub", ingest);

    ReplayRun r =
        replay(
            "--from",
            from(),
            "--to",
            "pubsub:projects/" + PROJECT + "/topics/" + ingest,
            "--source",
            "legacy-push",
            "--idle-seconds",
            "2");

    assertEquals(0, r.exit(), r.err() + r.out());
    List<PubSubEmulator.Pulled> republished = emulator.pull(PROJECT, ingest + "-sub", true);
    assertEquals(3, republished.size());
    Set<String> feeds = new HashSet<>();
    republished.forEach(p -> feeds.add(p.attributes().get("feed")));
    assertEquals(Set.of("data-streams", "legacy-push"), feeds);
    assertTrue(
        republished.stream().anyMatch(p -> java.util.Arrays.equals(p.data(), bulk(1, 2))),
        "bodies are republished exactly as parked");
    assertEquals(List.of(), emulator.pull(PROJECT, deadLetterSub, false));
  }

  @Test
  void whenTheDestinationRefusesNothingIsAcknowledged() throws Exception {
    ReplayRun r =
        replay(
            "--from",
            from(),
            "--to",
            "pubsub:projects/" + PROJECT + "/topics/no-such-topic",
            "--source",
            "data-streams",
            "--idle-seconds",
            "2");

    assertEquals(1, r.exit(), r.out());
    assertTrue(r.err().contains("stays on the source"), r.err());
    List<PubSubEmulator.Pulled> left = emulator.pull(PROJECT, deadLetterSub, false);
    assertEquals(3, left.size(), "handed back at once, still on the subscription");
    assertTrue(left.stream().anyMatch(p -> java.util.Arrays.equals(p.data(), bulk(3))));
  }
}
