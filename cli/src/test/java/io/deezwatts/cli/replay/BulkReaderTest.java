package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming reader: pieces are valid bulks of whole events, byte for byte, within limits. */
class BulkReaderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Collects what the reader hands on. */
  static final class Collect implements BulkReader.Handler {
    final List<Piece> pieces = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    int failedEvents;

    @Override
    public void piece(Piece piece) {
      pieces.add(piece);
    }

    @Override
    public void failure(String message, int events) {
      failures.add(message);
      failedEvents += events;
    }

    @Override
    public boolean stopped() {
      return false;
    }
  }

  /** An input that hands out at most 7 bytes per read, to cross every buffer boundary. */
  private static InputStream trickle(byte[] bytes) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 7));
      }
    };
  }

  private static Collect read(boolean messages, int maxBytes, int maxEvents, String text)
      throws Exception {
    Collect c = new Collect();
    new BulkReader(messages, maxBytes, maxEvents)
        .read(trickle(text.getBytes(StandardCharsets.UTF_8)), "in.json", c);
    return c;
  }

  static String gps(long id) {
    return "{\"type\":\"gps_position\",\"id\":"
        + id
        + ",\"vehicleId\":7,\"time\":\"2022-10-12T07:06:45Z\",\"latitude\":52.1,"
        + "\"longitude\":4.3}";
  }

  private static List<String> eventsOf(Piece p) throws IOException {
    List<String> out = new ArrayList<>();
    JsonNode array = JSON.readTree(p.body());
    assertTrue(array.isArray(), p.text());
    for (JsonNode e : array) {
      out.add(JSON.writeValueAsString(e));
    }
    return out;
  }

  @Test
  void splitsABulkIntoValidArraysOfWholeEventsWithinTheLimits() throws Exception {
    StringBuilder file = new StringBuilder("[\n");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String e = gps(i);
      expected.add(JSON.writeValueAsString(JSON.readTree(e)));
      file.append("  ").append(e).append(i < 499 ? ",\n" : "\n");
    }
    file.append("]\n");
    Collect c = read(false, 2000, 100_000, file.toString());

    assertTrue(c.failures.isEmpty(), c.failures.toString());
    assertTrue(c.pieces.size() > 20, "split into many pieces: " + c.pieces.size());
    List<String> got = new ArrayList<>();
    int next = 0;
    for (Piece p : c.pieces) {
      assertTrue(p.body().length <= 2000, p.toString());
      assertEquals(1, p.bulk());
      assertEquals(next, p.firstEvent(), "pieces follow each other");
      next += p.events();
      List<String> events = eventsOf(p);
      assertEquals(p.events(), events.size());
      got.addAll(events);
    }
    assertEquals(expected, got, "every event once, in order");
  }

  @Test
  void keepsEachEventsBytesExactly() throws Exception {
    String events = "1.50,\"a\\\"b\\u00e9\",true,null,{\"x\":[1,{\"y\":\"]\"}]},[2,3],-0.0e+1";
    Collect c = read(false, 1000, 100_000, "[" + events + ",]");
    assertEquals(1, c.pieces.size());
    assertEquals("[" + events + "]", c.pieces.get(0).text(), "trailing comma dropped");
    assertEquals(7, c.pieces.get(0).events());
  }

  @Test
  void capsEventsPerPiece() throws Exception {
    StringBuilder file = new StringBuilder("[");
    for (int i = 0; i < 25; i++) {
      file.append(i == 0 ? "" : ",").append(gps(i));
    }
    Collect c = read(false, 1_000_000, 10, file + "]");
    assertEquals(List.of(10, 10, 5), c.pieces.stream().map(Piece::events).toList());
    assertEquals(List.of(0, 10, 20), c.pieces.stream().map(Piece::firstEvent).toList());
  }

  @Test
  void ndjsonBulksAreNeverMixed() throws Exception {
    String file = "[" + gps(1) + "," + gps(2) + "]\n[" + gps(3) + "]\n\n[]\n[" + gps(4) + "]";
    Collect c = read(false, 1_000_000, 100_000, file);
    assertEquals(List.of(1, 2, 4), c.pieces.stream().map(Piece::bulk).toList());
    assertEquals(List.of(2, 1, 1), c.pieces.stream().map(Piece::events).toList());
    assertEquals("[" + gps(3) + "]", c.pieces.get(1).text());
  }

  @Test
  void anEventTooLargeAloneIsReportedWithItsIndexAndTheRestGoesOn() throws Exception {
    String big = "{\"type\":\"gps_position\",\"note\":\"" + "x".repeat(300_000) + "\"}";
    String file = "[" + gps(0) + "," + gps(1) + "," + big + "," + gps(3) + "]";
    Collect c = new Collect();
    BulkReader reader = new BulkReader(false, 4096, 100_000);
    reader.read(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)), "big.json", c);

    assertEquals(1, c.failures.size(), c.failures.toString());
    assertTrue(
        c.failures.get(0).startsWith("big.json: bulk 1, event 2: " + big.length() + " bytes"),
        c.failures.get(0));
    assertEquals(1, c.failedEvents);
    assertEquals(2, c.pieces.size(), "the pieces before and after the big event");
    assertEquals("[" + gps(0) + "," + gps(1) + "]", c.pieces.get(0).text());
    assertEquals(3, c.pieces.get(1).firstEvent());
    assertEquals("[" + gps(3) + "]", c.pieces.get(1).text());
  }

  @Test
  void memoryStaysBoundedOnAFileFarLargerThanAPiece() throws Exception {
    // 40 MB generated as it is read, never held: one bulk of 200-byte events plus one 5 MB event.
    long events = 200_000;
    InputStream generated =
        new InputStream() {
          long i = -1;
          byte[] chunk = "[".getBytes(StandardCharsets.UTF_8);
          int at;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (at == chunk.length) {
              if (++i > events) {
                return -1;
              }
              String e =
                  i == events
                      ? "]"
                      : (i == 0 ? "" : ",")
                          + (i == 1000
                              ? "{\"note\":\"" + "y".repeat(5_000_000) + "\"}"
                              : "{\"id\":" + i + ",\"pad\":\"" + "z".repeat(170) + "\"}");
              chunk = e.getBytes(StandardCharsets.UTF_8);
              at = 0;
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, b, off, n);
            at += n;
            return n;
          }
        };
    long[] published = {0};
    int[] pieces = {0};
    List<String> failures = new ArrayList<>();
    BulkReader reader = new BulkReader(false, 256 * 1024, 100_000);
    BulkReader.FileOutcome o =
        reader.read(
            generated,
            "generated.json",
            new BulkReader.Handler() {
              @Override
              public void piece(Piece piece) {
                published[0] += piece.events();
                pieces[0]++;
                assertTrue(piece.body().length <= 256 * 1024);
              }

              @Override
              public void failure(String message, int n) {
                failures.add(message);
              }

              @Override
              public boolean stopped() {
                return false;
              }
            });
    assertEquals(events, o.events());
    assertEquals(events - 1, published[0]);
    assertEquals(1, failures.size(), failures.toString());
    assertTrue(failures.get(0).contains("event 1000: 5000011 bytes"), failures.get(0));
    assertTrue(
        reader.largestWindow() < 2 * 256 * 1024 + 64 * 1024,
        "held at most about a piece: " + reader.largestWindow());
  }

  @Test
  void viricitiPiecesAreMessageSequencesTheDecoderReadsAsTheWholeFile() throws Exception {
    byte[] file = Files.readAllBytes(Path.of("../samples/viriciti.ndjson"));
    byte[] commented =
        ("// replayed\n" + new String(file, StandardCharsets.UTF_8) + "/* end */")
            .getBytes(StandardCharsets.UTF_8);
    Collect c = new Collect();
    new BulkReader(true, 1000, 100_000).read(trickle(commented), "viriciti.ndjson", c);
    assertTrue(c.failures.isEmpty(), c.failures.toString());
    assertTrue(c.pieces.size() > 1);

    BulkDecoder decoder = BulkDecoder.forFeed("viriciti");
    IngestContext ctx = IngestContext.replay(Instant.parse("2024-01-01T00:00:00Z"));
    DecodedBulk whole = decoder.decode(file, ctx);
    List<String> keys = new ArrayList<>();
    int events = 0;
    for (Piece p : c.pieces) {
      assertFalse(p.text().startsWith("["), "not an array: the decoder reads messages");
      DecodedBulk part = decoder.decode(p.body(), ctx);
      events += part.events();
      part.rows().stream().map(Row::eventKey).forEach(keys::add);
      assertTrue(part.quarantined().isEmpty(), part.quarantined().toString());
    }
    assertEquals(whole.events(), events);
    assertEquals(whole.rows().stream().map(Row::eventKey).toList(), keys);
  }

  @Test
  void dataStreamsPiecesDecodeToTheSameRowsAsTheWholeBulk() throws Exception {
    byte[] file = Files.readAllBytes(Path.of("../samples/data-streams.json"));
    Collect c = new Collect();
    new BulkReader(false, 1500, 100_000).read(trickle(file), "data-streams.json", c);
    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    IngestContext ctx = IngestContext.replay(Instant.parse("2024-01-01T00:00:00Z"));
    DecodedBulk whole = decoder.decode(file, ctx);
    List<String> keys = new ArrayList<>();
    int quarantined = 0;
    for (Piece p : c.pieces) {
      DecodedBulk part = decoder.decode(p.body(), ctx);
      part.rows().stream().map(Row::eventKey).forEach(keys::add);
      quarantined += part.quarantined().size();
    }
    assertTrue(c.pieces.size() > 3, "split: " + c.pieces.size());
    assertEquals(whole.rows().stream().map(Row::eventKey).toList(), keys);
    assertEquals(whole.quarantined().size(), quarantined);
  }

  @Test
  void badContentIsReportedAfterWhatCameBeforeIt() throws Exception {
    Collect broken = read(false, 1000, 100_000, "[" + gps(1) + ",\n" + gps(2) + ",\n{\"id\": }]");
    assertEquals(1, broken.pieces.size(), "the whole events before the error");
    assertEquals(2, broken.pieces.get(0).events());
    assertEquals(1, broken.failures.size());
    assertTrue(
        broken.failures.get(0).startsWith("in.json: not valid JSON at line 3, column 8: "),
        broken.failures.get(0));
    assertTrue(broken.failures.get(0).endsWith("the rest of the file was not published"));

    Collect object = read(false, 1000, 100_000, "[" + gps(1) + "]\n{\"not\": \"a bulk\"}");
    assertEquals(1, object.pieces.size());
    assertTrue(
        object.failures.get(0).startsWith("in.json: line 2 holds an object, not a JSON array"),
        object.failures.get(0));

    Collect utf16 = new Collect();
    new BulkReader(false, 1000, 100_000)
        .read(new ByteArrayInputStream("[1]".getBytes(StandardCharsets.UTF_16)), "u.json", utf16);
    assertTrue(utf16.pieces.isEmpty());
    assertTrue(utf16.failures.get(0).contains("not UTF-8"), utf16.failures.toString());
  }

  @Test
  void aByteOrderMarkIsSkipped() throws Exception {
    Collect c = read(false, 1000, 100_000, "\uFEFF[" + gps(1) + ", " + gps(2) + "]");
    assertTrue(c.failures.isEmpty(), c.failures.toString());
    assertEquals("[" + gps(1) + "," + gps(2) + "]", c.pieces.get(0).text());
  }

  @Test
  void halvesAreValidPiecesOfTheSameEvents() throws Exception {
    Collect c = read(false, 1_000_000, 100_000, "[" + gps(0) + "," + gps(1) + "," + gps(2) + "]");
    Piece[] halves = c.pieces.get(0).halves();
    assertEquals("[" + gps(0) + "]", halves[0].text());
    assertEquals("[" + gps(1) + "," + gps(2) + "]", halves[1].text());
    assertEquals(1, halves[1].firstEvent());
    Piece[] quarters = halves[1].halves();
    assertEquals("[" + gps(2) + "]", quarters[1].text());
    assertEquals(2, quarters[1].firstEvent());

    Collect m = read(true, 1_000_000, 100_000, gps(0) + "\n" + gps(1) + "\n" + gps(2));
    Piece[] mh = m.pieces.get(0).halves();
    assertArrayEquals(
        (gps(1) + "\n" + gps(2) + "\n").getBytes(StandardCharsets.UTF_8), mh[1].body());
  }
}
