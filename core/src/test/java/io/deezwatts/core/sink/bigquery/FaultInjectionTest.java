package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import io.deezwatts.testing.bigquery.BigQueryStandIn.Call;
import io.deezwatts.testing.bigquery.BigQueryStandIn.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A failure at every chunk boundary of a 10,000-event bulk loses nothing and, after the {@code
 * _dedup} views, doubles nothing. WireMock ({@link BigQueryStandIn}) stands in for BigQuery's REST
 * API, since BigQuery has no local emulator here; it keeps what BigQuery would have stored. Both
 * with the chunks sent one after another, where the calls are exactly predictable, and with several
 * in flight at once, where which chunks went through depends on how the requests interleave.
 */
class FaultInjectionTest {
  private static final int EVENTS = 10_000;
  private static final int CHUNKS = EVENTS / Chunker.MAX_ROWS;
  private static final int ATTEMPTS = 2;
  private static final int CONCURRENCY = 4;
  private static final String TABLE = "vehicle_events";

  private static BigQueryStandIn bigQuery;
  private static SinkBatch batch;
  private static List<String> eventKeys;

  @BeforeAll
  static void setUp() {
    bigQuery = new BigQueryStandIn(false);
    batch = TestBulks.batch("data-streams", TestBulks.bulk(EVENTS, TestBulks::mixed));
    eventKeys = batch.rows().stream().map(Row::eventKey).toList();
  }

  @AfterAll
  static void tearDown() {
    bigQuery.close();
  }

  private static BigQuerySink.Options options(int concurrency) {
    return BigQuerySink.Options.DEFAULTS
        .withMaxAttempts(ATTEMPTS)
        .withBackoff(Duration.ZERO, Duration.ofMillis(1))
        .withMaxConcurrentChunks(concurrency);
  }

  @Test
  void theBulkIsWholeAfterAFailureAtEveryChunkBoundaryAndAReplay() throws Exception {
    assertEquals(EVENTS, batch.rows().size());
    assertEquals(EVENTS, new HashSet<>(eventKeys).size(), "10,000 distinct events");
    assertTrue(batch.quarantine().isEmpty());
    BigQuerySink.Options options = options(1);

    try (BigQuerySink sink = StandIns.sink(bigQuery, options)) {
      for (int n = 1; n <= CHUNKS; n++) {
        bigQuery.reset();
        bigQuery.failFromCall(n, Reply.fixture(503, "error-503-backend-error.json"));

        int failingChunk = n;
        SinkException e =
            assertThrows(
                SinkException.class,
                () -> sink.write(batch, Instant.now().plusSeconds(60)),
                "call " + n + " fails");
        assertTrue(e.isTransient(), "the sender is told to retry");

        List<Call> failed = bigQuery.calls();
        assertEquals(n - 1 + ATTEMPTS, failed.size(), "chunks before N, then N and its retries");
        for (int i = 0; i < failed.size(); i++) {
          int chunk = Math.min(i, failingChunk - 1);
          assertEquals(chunkKeys(chunk), failed.get(i).insertIds(), "call " + (i + 1));
        }
        List<String> storedByFailedWrite = bigQuery.stored(TABLE);
        assertEquals((n - 1) * Chunker.MAX_ROWS, storedByFailedWrite.size());

        // The sender retries the same bulk, and BigQuery is healthy again.
        bigQuery.failFromCall(0, Reply.ok());
        WriteResult replay = sink.write(batch, Instant.now().plusSeconds(60));
        assertEquals(EVENTS, replay.rowsStored());

        List<String> stored = bigQuery.stored(TABLE);
        assertEquals(
            (n - 1) * Chunker.MAX_ROWS + EVENTS,
            stored.size(),
            "rows of the failed write are stored twice before dedup");
        Set<String> deduplicated = new HashSet<>(stored);
        assertEquals(Set.copyOf(eventKeys), deduplicated, "after dedup: none lost, none doubled");
        assertEquals(EVENTS, deduplicated.size());
      }
    }
  }

  @Test
  void theBulkIsWholeAfterAFailureAtEveryCallWithChunksInFlightTogether() throws Exception {
    assertEquals(EVENTS, new HashSet<>(eventKeys).size(), "10,000 distinct events");
    Map<List<String>, Integer> chunkOf = new HashMap<>();
    for (int c = 0; c < CHUNKS; c++) {
      chunkOf.put(chunkKeys(c), c);
    }

    try (BigQuerySink sink = StandIns.sink(bigQuery, options(CONCURRENCY))) {
      for (int n = 1; n <= CHUNKS; n++) {
        bigQuery.reset();
        bigQuery.failFromCall(n, Reply.fixture(503, "error-503-backend-error.json"));

        SinkException e =
            assertThrows(
                SinkException.class,
                () -> sink.write(batch, Instant.now().plusSeconds(60)),
                "call " + n + " fails");
        assertTrue(e.isTransient(), "the sender is told to retry");

        List<Call> failed = bigQuery.calls();
        Set<Integer> storedChunks = new HashSet<>();
        Map<Integer, Integer> attempts = new HashMap<>();
        for (Call c : failed) {
          Integer chunk = chunkOf.get(c.insertIds());
          assertTrue(chunk != null, "call " + c.number() + " sends one whole chunk");
          attempts.merge(chunk, 1, Integer::sum);
          if (c.number() < n) {
            assertEquals(200, c.status());
            assertTrue(storedChunks.add(chunk), "a stored chunk is not sent again");
          } else {
            assertEquals(503, c.status());
          }
        }
        assertEquals(n - 1, storedChunks.size(), "every call before N stored its chunk");
        assertTrue(failed.size() >= n, "call N was made");
        for (Map.Entry<Integer, Integer> a : attempts.entrySet()) {
          assertTrue(a.getValue() <= ATTEMPTS, "chunk " + a.getKey() + ": " + a.getValue());
        }
        assertTrue(
            failed.size() <= n - 1 + CONCURRENCY * ATTEMPTS,
            "no chunk starts once one has failed: " + failed.size() + " calls");
        List<String> storedByFailedWrite = bigQuery.stored(TABLE);
        assertEquals((n - 1) * Chunker.MAX_ROWS, storedByFailedWrite.size());
        Set<String> expectedStored = new HashSet<>();
        storedChunks.forEach(c -> expectedStored.addAll(chunkKeys(c)));
        assertEquals(expectedStored, new HashSet<>(storedByFailedWrite));

        bigQuery.failFromCall(0, Reply.ok());
        WriteResult replay = sink.write(batch, Instant.now().plusSeconds(60));
        assertEquals(EVENTS, replay.rowsStored());

        List<String> stored = bigQuery.stored(TABLE);
        assertEquals((n - 1) * Chunker.MAX_ROWS + EVENTS, stored.size());
        Set<String> deduplicated = new HashSet<>(stored);
        assertEquals(Set.copyOf(eventKeys), deduplicated, "after dedup: none lost, none doubled");
        assertEquals(EVENTS, deduplicated.size());
      }
    }
  }

  private static List<String> chunkKeys(int chunk) {
    return new ArrayList<>(
        eventKeys.subList(chunk * Chunker.MAX_ROWS, (chunk + 1) * Chunker.MAX_ROWS));
  }
}
