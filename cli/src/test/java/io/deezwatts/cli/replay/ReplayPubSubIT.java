package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.pubsub.v1.PubsubMessage;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts replay --to pubsub:...} against {@link LocalPubSub}, a local server speaking
 * Pub/Sub's gRPC publish protocol, reached through {@code DEEZWATTS_PUBSUB_ENDPOINT}.
 */
class ReplayPubSubIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOPIC = "pubsub:projects/p1/topics/backfill";

  @TempDir Path dir;

  /** A bulk file of {@code n} valid gps_position events with ids from {@code first}. */
  private Path bulk(String name, long first, int n) throws Exception {
    StringBuilder b = new StringBuilder("[\n");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",\n").append(BulkReaderTest.gps(first + i));
    }
    return Files.writeString(dir.resolve(name), b.append("\n]\n"));
  }

  private static Map<String, String> env(LocalPubSub server) {
    return Map.of("DEEZWATTS_PUBSUB_ENDPOINT", server.endpoint());
  }

  /** Every event id in the accepted messages, checking each message is a valid bulk. */
  private static List<Long> ids(List<PubsubMessage> messages) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (PubsubMessage m : messages) {
      JsonNode array = JSON.readTree(m.getData().toByteArray());
      assertTrue(array.isArray(), m.getData().toStringUtf8());
      array.forEach(e -> ids.add(e.get("id").asLong()));
    }
    return ids;
  }

  private static long number(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return Long.parseLong(m.group(1));
  }

  @Test
  void publishesEveryEventOnceInValidBulksWithTheFeedAttribute() throws Exception {
    Path big = bulk("big.json", 0, 3000);
    Path small = dir.resolve("small.ndjson");
    Files.writeString(
        small,
        "["
            + BulkReaderTest.gps(5000)
            + "]\n["
            + BulkReaderTest.gps(5001)
            + ","
            + BulkReaderTest.gps(5002)
            + "]\n");
    try (LocalPubSub server = new LocalPubSub()) {
      ReplayRun r =
          ReplayRun.of(
              env(server),
              "--to",
              TOPIC,
              "--source",
              "data-streams",
              "--max-bulk-bytes",
              "65536",
              big.toString(),
              small.toString());
      assertEquals(0, r.exit(), r.err());
      List<PubsubMessage> got = server.accepted();
      assertEquals("projects/p1/topics/backfill", server.topic());

      List<Long> ids = ids(got);
      Set<Long> expected = new HashSet<>();
      for (long i = 0; i < 3000; i++) {
        expected.add(i);
      }
      expected.addAll(List.of(5000L, 5001L, 5002L));
      assertEquals(expected.size(), ids.size(), "no event lost or duplicated");
      assertEquals(expected, new HashSet<>(ids));

      BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
      int fromSmall = 0;
      for (PubsubMessage m : got) {
        assertEquals("data-streams", m.getAttributesOrThrow("feed"));
        assertTrue(m.getData().size() <= 65536, "within --max-bulk-bytes: " + m.getData().size());
        String file = m.getAttributesOrThrow("file");
        assertTrue(file.equals("big.json") || file.equals("small.ndjson"), file);
        DecodedBulk d =
            decoder.decode(m.getData().toByteArray(), IngestContext.replay(Instant.now()));
        assertEquals(d.events(), d.rows().size(), "every event decodes and is stored");
        fromSmall += file.equals("small.ndjson") ? 1 : 0;
      }
      assertEquals(2, fromSmall, "the two small bulks stay two messages");
      assertTrue(server.largestRequestBytes() <= LocalPubSub.MAX_REQUEST_BYTES);
      assertEquals(server.calls(), server.gzipped(), "requests are gzipped by default");
      assertTrue(got.size() >= 7, "the 330 KB bulk is split: " + got.size());
      assertTrue(r.out().contains("3003 events published in " + got.size() + " messages"), r.out());
      assertTrue(r.out().contains("0 events not published, 0 failures"), r.out());
    }
  }

  @Test
  void aRequestTheServerRefusesGivesExitOneAndASummaryNamingIt() throws Exception {
    Path file = bulk("some-fail.json", 0, 2000);
    // Requests holding event 1234 are refused with a status the client does not retry.
    String marker = "\"id\":1234,";
    try (LocalPubSub server =
        new LocalPubSub(
            req ->
                req.getMessagesList().stream()
                        .anyMatch(m -> m.getData().toStringUtf8().contains(marker))
                    ? Status.INVALID_ARGUMENT.withDescription("refused by the test server")
                    : Status.OK)) {
      ReplayRun r =
          ReplayRun.of(
              env(server),
              "--to",
              TOPIC,
              "--feed",
              "data-streams",
              "--max-bulk-bytes",
              "8192",
              "--no-compress",
              file.toString());
      assertEquals(1, r.exit(), r.err());
      assertTrue(
          r.err().contains("some-fail.json: bulk 1, events ")
              && r.err().contains(": not published: INVALID_ARGUMENT: "),
          r.err());
      List<Long> ids = ids(server.accepted());
      assertEquals(ids.size(), new HashSet<>(ids).size(), "no duplicates");
      assertTrue(!ids.contains(1234L));
      assertEquals(0, server.gzipped(), "--no-compress");
      long notPublished = number(r.out(), "(\\d+) events not published");
      long published = number(r.out(), "(\\d+) events published");
      assertTrue(notPublished > 0, r.out());
      assertEquals(2000, notPublished + published, r.out());
      assertEquals(ids.size(), published);
      assertTrue(r.out().contains("2000 events read"), r.out());
    }
  }

  @Test
  void aTransientErrorIsRetriedByTheClient() throws Exception {
    Path file = bulk("retry.json", 0, 100);
    AtomicInteger refused = new AtomicInteger();
    try (LocalPubSub server =
        new LocalPubSub(req -> refused.getAndIncrement() < 2 ? Status.UNAVAILABLE : Status.OK)) {
      ReplayRun r =
          ReplayRun.of(env(server), "--to", TOPIC, "--source", "data-streams", file.toString());
      assertEquals(0, r.exit(), r.err());
      assertEquals(100, ids(server.accepted()).size());
      assertTrue(server.calls() >= 3, "two refusals, then accepted: " + server.calls());
    }
  }

  @Test
  void noSuchTopicStopsEarly() throws Exception {
    Path one = bulk("one.json", 0, 10);
    Path two = bulk("two.json", 10, 10);
    try (LocalPubSub server =
        new LocalPubSub(req -> Status.NOT_FOUND.withDescription("Resource not found"))) {
      ReplayRun r =
          ReplayRun.of(
              env(server),
              "--to",
              TOPIC,
              "--source",
              "data-streams",
              one.toString(),
              two.toString());
      assertEquals(1, r.exit());
      assertTrue(
          r.err().contains("stopped early, as every further message would fail too: NOT_FOUND"),
          r.err());
      assertTrue(server.accepted().isEmpty());
    }
  }

  @Test
  void viricitiFilesArePublishedAsMessageSequences() throws Exception {
    Path file = Path.of("../samples/viriciti.ndjson");
    try (LocalPubSub server = new LocalPubSub()) {
      ReplayRun r =
          ReplayRun.of(
              Map.of("PUBSUB_EMULATOR_HOST", server.endpoint()),
              "--to",
              TOPIC,
              "--source",
              "viriciti",
              file.toString());
      assertEquals(0, r.exit(), r.err());
      assertEquals(1, server.accepted().size());
      PubsubMessage m = server.accepted().get(0);
      assertEquals("viriciti", m.getAttributesOrThrow("feed"));
      byte[] original = Files.readAllBytes(file);
      assertEquals(
          new String(original, StandardCharsets.UTF_8).strip(), m.getData().toStringUtf8().strip());
      BulkDecoder decoder = BulkDecoder.forFeed("viriciti");
      IngestContext ctx = IngestContext.replay(Instant.now());
      assertEquals(
          decoder.decode(original, ctx).rows().size(),
          decoder.decode(m.getData().toByteArray(), ctx).rows().size());
    }
  }
}
