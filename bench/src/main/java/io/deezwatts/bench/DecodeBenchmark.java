package io.deezwatts.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding one realistic 10,000-event data-streams bulk, against bare Jackson tokenisation of the
 * same bytes (the reference) and a naive readTree decoder doing the same validation. Scores are
 * milliseconds per bulk; events/s = 10,000 / score * 1000.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class DecodeBenchmark {
  static final int EVENTS = 10_000;

  private final JsonFactory bare = new JsonFactory();
  private final BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
  private final NaiveDecoder naive = new NaiveDecoder();
  private final IngestContext context = IngestContext.replay(Instant.parse("2026-11-21T00:00:00Z"));
  private byte[] bulk;

  /** The same bulk with one escaped string in its last event: the decoder's worst case. */
  private byte[] escapedAtEnd;

  @Setup
  public void setUp() throws Exception {
    bulk = SampleBulk.dataStreams(EVENTS, 42);
    DecodedBulk check = decoder.decode(bulk, context);
    if (check.rows().size() != EVENTS) {
      throw new IllegalStateException(
          "sample bulk does not decode cleanly: " + check.quarantined());
    }
    String text = new String(bulk, StandardCharsets.UTF_8);
    escapedAtEnd =
        (text.substring(0, text.length() - 2) + ",\"note\":\"caf\\u00e9\"}]")
            .getBytes(StandardCharsets.UTF_8);
    if (decoder.decode(escapedAtEnd, context).rows().size() != EVENTS) {
      throw new IllegalStateException("the escaped bulk does not decode cleanly");
    }
    if (naive.decode(bulk).rows().size() != EVENTS) {
      throw new IllegalStateException("naive baseline does not accept the sample bulk");
    }
  }

  /** The ceiling: every token read, nothing built. */
  @Benchmark
  public int tokenize() throws IOException {
    int n = 0;
    try (JsonParser p = bare.createParser(bulk)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        n += t.id();
      }
    }
    return n;
  }

  /** deezwatts: decode, validate, rows with event keys (payload kept as a slice). */
  @Benchmark
  public DecodedBulk decode() throws BulkRejectedException {
    return decoder.decode(bulk, context);
  }

  /**
   * As {@link #decode}, on a bulk the plain scanner gives up on at its last event (an escape), so
   * that Jackson decodes it all again: what a bulk outside the plain form costs at worst.
   */
  @Benchmark
  public DecodedBulk decodeEscapedAtEnd() throws BulkRejectedException {
    return decoder.decode(escapedAtEnd, context);
  }

  /** As {@link #decode}, plus every payload turned into its compact JSON string, as sinks do. */
  @Benchmark
  public void decodeWithPayloadStrings(Blackhole bh) throws BulkRejectedException {
    for (Row row : decoder.decode(bulk, context).rows()) {
      bh.consume(row.payload().toString());
    }
  }

  /** The naive baseline: readTree and per-field mapping with the same validation. */
  @Benchmark
  public Object naiveReadTree() throws IOException {
    return naive.decode(bulk);
  }
}
