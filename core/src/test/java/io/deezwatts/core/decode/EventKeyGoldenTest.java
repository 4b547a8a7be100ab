package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden keys: every sample (the repository's {@code samples/}) and every vendor example ({@code
 * spec-examples/}, {@code documented-without-example/}) decodes to the {@code event_key} values
 * pinned in {@code event-keys/}, one line per stored row in bulk order. The pinned values were
 * computed once and are never edited.
 *
 * <p>A new input with no expected file yet gets one written (under {@code target/}) and fails, so
 * its keys are reviewed and committed; an existing expected file is never rewritten.
 */
class EventKeyGoldenTest {
  static final String WHY =
      "event_key must never change: BigQuery and DuckDB deduplicate re-sent events across releases"
          + " by it (the <table>_dedup views keep the first row of each key), so a changed key"
          + " turns every event re-sent after an upgrade into a duplicate in what users query, and"
          + " nothing else would notice. Restore the key computation (EventKeyHash, FieldHash,"
          + " EventType's seeds, the normalisation in EventValidator); do not edit the fixture.";

  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");

  /** One input and its pinned keys: {@code expected} is a resource path under event-keys/. */
  record Input(String name, String feed, Path file, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Input> inputs() {
    Stream<Input> samples =
        Stream.of(
                new String[] {"data-streams.json", "data-streams"},
                new String[] {"legacy-account.json", "legacy-push"},
                new String[] {"legacy-car.json", "legacy-push"},
                new String[] {"viriciti.ndjson", "viriciti"})
            .map(
                s ->
                    new Input(
                        "samples/" + s[0],
                        s[1],
                        root().resolve("samples").resolve(s[0]),
                        "event-keys/samples/" + s[0] + ".keys"));
    Stream<Input> examples =
        SpecExamplesTest.examples()
            .map(
                p -> {
                  String dir = p.getParent().getFileName().toString();
                  String name = (dir.equals("documented-without-example") ? "" : "spec-examples/");
                  name += dir + "/" + p.getFileName();
                  return new Input(
                      name, SpecExamplesTest.feedOf(p), p, "event-keys/" + name + ".keys");
                });
    return Stream.concat(samples, examples);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("inputs")
  void keysAreThePinnedOnes(Input input) throws Exception {
    byte[] body =
        input.name().startsWith("samples/")
            ? Files.readAllBytes(input.file())
            : SpecExamplesTest.bulkOf(input.file());
    DecodedBulk bulk =
        BulkDecoder.forFeed(input.feed()).decode(body, IngestContext.replay(RECEIVED));
    List<String> actual = new ArrayList<>();
    for (Row row : bulk.rows()) {
      actual.add(row.table().name() + "\t" + row.type() + "\t" + row.eventKey());
    }
    URL expectedUrl = EventKeyGoldenTest.class.getResource("/" + input.expected());
    if (expectedUrl == null) {
      Path written = Path.of("target", "new-event-keys", input.expected());
      Files.createDirectories(written.getParent());
      Files.write(written, actual, StandardCharsets.UTF_8);
      fail(
          input.name()
              + " has no pinned keys yet: review "
              + written.toAbsolutePath()
              + " and commit it as src/test/resources/"
              + input.expected());
    }
    List<String> expected = lines(expectedUrl);
    assertEquals(expected.size(), actual.size(), input.name() + ": rows stored. " + WHY);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          expected.get(i),
          actual.get(i),
          input.name() + ", stored row " + i + " (table, type, event_key). " + WHY);
    }
  }

  /** No pinned file outlives its input, so the set of pinned keys cannot shrink unnoticed. */
  @Test
  void everyPinnedFileHasItsInput() throws Exception {
    Set<String> expected = inputs().map(Input::expected).collect(Collectors.toSet());
    Path dir = Path.of(EventKeyGoldenTest.class.getResource("/event-keys").toURI());
    Set<String> pinned;
    try (Stream<Path> files = Files.walk(dir)) {
      pinned =
          files
              .filter(Files::isRegularFile)
              .map(f -> "event-keys/" + dir.relativize(f).toString().replace('\\', '/'))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    pinned.removeAll(expected);
    assertTrue(pinned.isEmpty(), "pinned keys without an input: " + pinned);
  }

  private static List<String> lines(URL url) throws IOException {
    try {
      return Files.readAllLines(Path.of(url.toURI()), StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank())
          .toList();
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  private static Path root() {
    return Path.of(System.getProperty("deezwatts.root", "..")).toAbsolutePath().normalize();
  }
}
