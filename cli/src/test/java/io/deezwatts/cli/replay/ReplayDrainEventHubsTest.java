package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.sink.duckdb.DuckDbSink;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts replay --from eventhubs:...}: draining the Azure dead-letter hub. The hub is
 * {@link FakeEventHubsReader}, a fake at the client interface (no Event Hubs emulator exists); the
 * sink is a real DuckDB file.
 */
class ReplayDrainEventHubsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> ENV =
      Map.of(
          "DEEZWATTS_REPLAY_FROM_EVENTHUB_CONNECTION",
          "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=x");

  @TempDir Path dir;

  private static byte[] bulk(long... ids) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < ids.length; i++) {
      b.append(i == 0 ? "" : ",").append(BulkReaderTest.gps(ids[i]));
    }
    return b.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  private FakeEventHubsReader parked() {
    return new FakeEventHubsReader("0", "1")
        .add("0", bulk(1, 2), Map.of("feed", "data-streams", "error", "schema mismatch"))
        .add("1", bulk(3), Map.of())
        .add("0", "not a bulk".getBytes(StandardCharsets.UTF_8), Map.of("feed", "data-streams"));
  }

  private ReplayRun drain(FakeEventHubsReader hub, Path checkpoint, String... more) {
    String[] args = {
      "--from",
      "eventhubs:ns1/deadletter",
      "--sink",
      "duckdb:" + dir.resolve("drained.duckdb"),
      "--checkpoint",
      checkpoint.toString(),
      "--idle-seconds",
      "1"
    };
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return ReplayRun.with(ENV, r -> r.eventHubsReader = (ns, h, g, c) -> hub, all);
  }

  private long count(String sql) throws Exception {
    try (DuckDbSink db = new DuckDbSink(dir.resolve("drained.duckdb"), Catalog.standard());
        Statement s = db.connection().createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  void drainsEveryPartitionIntoTheSinkAndCheckpointsWhatWasStored() throws Exception {
    FakeEventHubsReader hub = parked();
    Path checkpoint = dir.resolve("cp.json");

    ReplayRun r = drain(hub, checkpoint, "--source", "data-streams");

    assertEquals(0, r.exit(), r.err());
    assertTrue(
        r.out().contains("3 messages received, 3 delivered and acknowledged, 0 left"), r.out());
    assertEquals(3, count("SELECT count(*) FROM vehicle_events_dedup"));
    assertEquals(
        1,
        count(
            "SELECT count(*) FROM quarantine WHERE source = 'replay' AND message_id = '0/1'"
                + " AND raw = 'not a bulk'"));
    assertEquals(
        Map.of("0", 1, "1", 0), JSON.readValue(checkpoint.toFile(), Map.class), "last stored");
    assertTrue(hub.closed);

    ReplayRun again = drain(hub, checkpoint, "--source", "data-streams");
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("0 messages received"), again.out());
  }

  @Test
  void withoutAFeedPropertyOrSourceNothingIsCheckpointedPastIt() throws Exception {
    FakeEventHubsReader hub = new FakeEventHubsReader("0").add("0", bulk(9), Map.of());
    Path checkpoint = dir.resolve("cp.json");

    ReplayRun r = drain(hub, checkpoint);

    assertEquals(1, r.exit());
    assertTrue(r.err().contains("give the fallback with --source"), r.err());
    assertFalse(Files.exists(checkpoint));
  }

  @Test
  void aSinkFailureStopsTheDrainAndTheCheckpointStaysBeforeTheFailedBulk() throws Exception {
    FakeEventHubsReader hub =
        new FakeEventHubsReader("0")
            .add("0", bulk(1), Map.of("feed", "data-streams"))
            .add("0", bulk(2), Map.of("feed", "data-streams"))
            .add("0", bulk(3), Map.of("feed", "data-streams"));
    Path checkpoint = dir.resolve("cp.json");
    DuckDbSink duckdb = new DuckDbSink(dir.resolve("drained.duckdb"), Catalog.standard());
    Sink failsSecond =
        new Sink() {
          int writes;

          @Override
          public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
            if (++writes == 2) {
              throw SinkException.transientFailure("BigQuery: backendError (test)", null);
            }
            return duckdb.write(batch, deadline);
          }

          @Override
          public String describe() {
            return "failing-second";
          }

          @Override
          public void close() {
            duckdb.close();
          }
        };
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit;
    try (DeadLetterSource source = new EventHubsDeadLetters(hub, checkpoint);
        Drain.Delivery delivery = new Drain.ToSink(failsSecond, source.describe())) {
      exit =
          new Drain(source, delivery, null, Duration.ofSeconds(1), false)
              .run(new PrintWriter(out), new PrintWriter(err));
    }

    assertEquals(1, exit);
    assertTrue(err.toString().contains("backendError (test)"), err.toString());
    assertEquals(Map.of("0", 0), JSON.readValue(checkpoint.toFile(), Map.class));
    assertEquals(1, count("SELECT count(*) FROM vehicle_events"));
  }

  @Test
  void drainingToAnEventHubPublishesEachBulkWithItsFeed() throws Exception {
    FakeEventHubsReader hub = parked();
    FakeEventHubs ingest = new FakeEventHubs();
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put(
        "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION",
        "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=y");

    ReplayRun r =
        ReplayRun.with(
            env,
            c -> {
              c.eventHubsReader = (ns, h, g, conn) -> hub;
              c.eventHubs = (ns, h, conn) -> ingest;
            },
            "--from",
            "eventhubs:ns1/deadletter",
            "--to",
            "eventhubs:ns1/ingest",
            "--source",
            "legacy-push",
            "--checkpoint",
            dir.resolve("cp.json").toString(),
            "--idle-seconds",
            "1");

    assertEquals(0, r.exit(), r.err());
    assertEquals(3, ingest.sentEvents().size(), r.out());
    assertEquals(
        java.util.Set.of("data-streams", "legacy-push"),
        new java.util.HashSet<>(
            ingest.sentEvents().stream()
                .map(e -> (String) e.getProperties().get("feed"))
                .toList()));
  }
}
