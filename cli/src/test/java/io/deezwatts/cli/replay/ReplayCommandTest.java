package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors exit 2 before anything connects. */
class ReplayCommandTest {
  @TempDir Path dir;

  @Test
  void destinationsParse() {
    Destination.PubSub p =
        assertInstanceOf(
            Destination.PubSub.class, Destination.parse("pubsub:projects/my-proj/topics/bulks"));
    assertEquals("my-proj", p.topic().getProject());
    assertEquals("bulks", p.topic().getTopic());
    Destination.EventHubs h =
        assertInstanceOf(
            Destination.EventHubs.class,
            Destination.parse("eventhubs:ns1.servicebus.windows.net/hub-1"));
    assertEquals("ns1.servicebus.windows.net", h.namespace());
    assertEquals("hub-1", h.hub());
    for (String bad :
        new String[] {
          "pubsub:my-topic", "pubsub:projects/p/topics/", "eventhubs:ns", "kafka:x/y", ""
        }) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Destination.parse(bad));
      assertTrue(e.getMessage().contains("pubsub:projects/PROJECT/topics/TOPIC"), e.getMessage());
    }
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    Path f = Files.writeString(dir.resolve("a.json"), "[]");
    Map<String, String> env = Map.of("DEEZWATTS_PUBSUB_ENDPOINT", "127.0.0.1:9");
    String to = "pubsub:projects/p/topics/t";

    ReplayRun noFile = ReplayRun.of(env, "--to", to, "--source", "data-streams", "nope.json");
    assertEquals(2, noFile.exit());
    assertTrue(noFile.err().contains("cannot read file: nope.json"), noFile.err());

    ReplayRun badFeed = ReplayRun.of(env, "--to", to, "--source", "rivian", f.toString());
    assertEquals(2, badFeed.exit());
    assertTrue(badFeed.err().contains("unknown feed 'rivian'; known feeds: "), badFeed.err());

    ReplayRun badTo = ReplayRun.of(env, "--to", "pubsub:t", "--source", "viriciti", f.toString());
    assertEquals(2, badTo.exit());

    ReplayRun tooMany =
        ReplayRun.of(
            env, "--to", to, "--source", "viriciti", "--max-bulk-events", "100001", f.toString());
    assertEquals(2, tooMany.exit());
    assertTrue(tooMany.err().contains("--max-bulk-events must be between 1 and 100000"));

    ReplayRun tooLarge =
        ReplayRun.of(
            env, "--to", to, "--source", "viriciti", "--max-bulk-bytes", "9000001", f.toString());
    assertEquals(2, tooLarge.exit());
    assertTrue(
        tooLarge.err().contains("--max-bulk-bytes must be between 1024 and 9000000"),
        tooLarge.err());
  }

  @Test
  void fileAttributeFitsPubSub() {
    assertEquals("a.json", Attributes.fileName("/data/x/a.json"));
    String longName = "é".repeat(600) + ".json";
    String cut = Attributes.fileName(longName);
    assertTrue(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 1024);
    assertTrue(longName.startsWith(cut));
  }
}
