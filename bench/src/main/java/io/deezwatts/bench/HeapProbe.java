package io.deezwatts.bench;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Instant;

/**
 * Measures the heap one decoded 10,000-event bulk needs: the retained size of body plus result
 * after a full GC, and the peak of every heap pool while decoding. Run it with {@code -Xmx64m}
 * (bench/run.sh does) so that exceeding the goal fails loudly with an OutOfMemoryError.
 */
public final class HeapProbe {
  private HeapProbe() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    for (int i = 0; i < 20; i++) { // warm up so JIT and class loading are not counted
      decoder.decode(SampleBulk.dataStreams(events, i), IngestContext.replay(Instant.now()));
    }
    long before = usedAfterGc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    byte[] body = SampleBulk.dataStreams(events, 42);
    DecodedBulk bulk = decoder.decode(body, IngestContext.replay(Instant.now()));
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    long retained = usedAfterGc() - before;
    System.out.printf(
        "events=%d body=%.2f MB retained(body+rows)=%.2f MB peak-heap-while-decoding=%.2f MB"
            + " max-heap=%.0f MB rows=%d%n",
        events,
        body.length / 1e6,
        retained / 1e6,
        peak / 1e6,
        Runtime.getRuntime().maxMemory() / 1e6,
        bulk.rows().size());
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50); // lets the collector finish; this is a probe, not a test
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
