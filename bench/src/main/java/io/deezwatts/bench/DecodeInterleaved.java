package io.deezwatts.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import java.time.Instant;
import java.util.Arrays;

/**
 * The decode/tokenise ratio on a shared, loaded machine: alternates one decode and one bare
 * tokenisation of the same bulk, so that both see the same load, and compares the fastest and the
 * lower-quartile times of the second half of the rounds. JMH runs the two one after the other,
 * minutes apart, which on a busy host measures the load more than the code.
 *
 * <p>Usage: {@code java -Xms256m -Xmx256m -cp benchmarks.jar io.deezwatts.bench.DecodeInterleaved
 * [rounds]}.
 */
public final class DecodeInterleaved {
  private DecodeInterleaved() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    byte[] bulk = SampleBulk.dataStreams(DecodeBenchmark.EVENTS, 42);
    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    IngestContext context = IngestContext.replay(Instant.parse("2026-11-21T00:00:00Z"));
    JsonFactory bare = new JsonFactory();
    long[] decode = new long[rounds];
    long[] tokenize = new long[rounds];
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      sink += decoder.decode(bulk, context).rows().size();
      long t1 = System.nanoTime();
      try (JsonParser p = bare.createParser(bulk)) {
        JsonToken t;
        while ((t = p.nextToken()) != null) {
          sink += t.id();
        }
      }
      long t2 = System.nanoTime();
      decode[r] = t1 - t0;
      tokenize[r] = t2 - t1;
    }
    long[] d = Arrays.copyOfRange(decode, rounds / 2, rounds); // the first half warms up
    long[] t = Arrays.copyOfRange(tokenize, rounds / 2, rounds);
    Arrays.sort(d);
    Arrays.sort(t);
    System.out.printf(
        "decode min %.2f ms, p25 %.2f ms | tokenize min %.2f ms, p25 %.2f ms"
            + " | ratio min %.3f, p25 %.3f (checksum %d)%n",
        d[0] / 1e6,
        d[d.length / 4] / 1e6,
        t[0] / 1e6,
        t[t.length / 4] / 1e6,
        (double) t[0] / d[0],
        (double) t[t.length / 4] / d[d.length / 4],
        sink);
  }
}
