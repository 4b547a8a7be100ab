package io.deezwatts.cli.viriciti;

import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.testing.viriciti.LocalLiveServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Measures the bridge for docs/BENCHMARKS.md: messages per second stored from {@link
 * LocalLiveServer} sending distinct vehicle messages as fast as it can (into a real DuckDB file),
 * and the heap held by a full buffer (sink down, reads paused). Run with the test class path:
 *
 * <pre>
 * java -Xmx1g -cp cli/target/test-classes:cli/target/classes:$(cat cp.txt) \
 *     io.deezwatts.cli.viriciti.BridgeBench [MESSAGES] [BATCH_SIZE...]
 * </pre>
 */
public final class BridgeBench {
  /** Held so that the level sticks (JUL keeps loggers weakly). */
  private static final java.util.logging.Logger QUIET =
      java.util.logging.Logger.getLogger("io.deezwatts");

  private BridgeBench() {}

  private static byte[] message(int i) {
    return BridgeFixture.vehicle(i).getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int[] batches = {500, 5000};
    if (args.length > 1) {
      batches = new int[args.length - 1];
      for (int i = 1; i < args.length; i++) {
        batches[i - 1] = Integer.parseInt(args[i]);
      }
    }
    QUIET.setLevel(java.util.logging.Level.SEVERE);
    System.out.printf(
        Locale.ROOT,
        "JVM %s, %d cores, max heap %d MB%n",
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (int batch : batches) {
      throughput(messages, batch, false);
    }
    throughput(messages, batches[batches.length - 1], true);
    fullBuffer(100_000);
  }

  private static ViricitiBridge.Settings settings(LocalLiveServer server, int batch, int buffer) {
    Subscription sub = Subscription.parse(BridgeFixture.resource("vehicles-only.json"));
    ViricitiBridge.Settings s = new ViricitiBridge.Settings();
    s.apiKey = "bench-key";
    s.subscription = sub;
    s.uri = LiveUrl.build(server.baseUrl(), s.apiKey, false);
    s.batchSize = batch;
    s.bufferCapacity = Math.max(100_000, batch);
    s.readTimeout = Duration.ofMinutes(5);
    return s;
  }

  /** Accepts every batch at once: the bridge's own ceiling (socket, buffer, decoding). */
  private static final class NullSink implements Sink {
    @Override
    public WriteResult write(SinkBatch batch, Instant deadline) {
      return new WriteResult(batch.rows().size(), 0, batch.quarantine().size(), 0);
    }

    @Override
    public String describe() {
      return "null";
    }

    @Override
    public void close() {}
  }

  private static void throughput(int messages, int batch, boolean nullSink) throws Exception {
    Path dir = Files.createTempDirectory("viriciti-bench");
    try (LocalLiveServer server = new LocalLiveServer();
        DuckDbSink duck = BridgeFixture.duckDb(dir)) {
      Sink sink = nullSink ? new NullSink() : duck;
      ViricitiBridge bridge = new ViricitiBridge(settings(server, batch, 100_000), sink, a -> {});
      bridge.start();
      LocalLiveServer.Peer peer = server.nextConnection(Duration.ofSeconds(30));
      peer.nextReceived(Duration.ofSeconds(30));
      int warm = 20_000;
      peer.flood(BridgeBench::message, 0, warm);
      bridge.awaitStats(st -> st.messagesStored() == warm, Duration.ofMinutes(5));
      long t0 = System.nanoTime();
      Thread sender =
          new Thread(
              () -> {
                try {
                  peer.flood(BridgeBench::message, warm, warm + messages);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      sender.start();
      sender.join();
      double sendSeconds = (System.nanoTime() - t0) / 1e9;
      if (!bridge.awaitStats(
          st -> st.messagesStored() == warm + messages, Duration.ofMinutes(10))) {
        throw new IllegalStateException("not all stored: " + bridge.stats());
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      BridgeStatistics.Stats st = bridge.stats();
      bridge.close();
      long rows = BridgeFixture.count(duck, "SELECT count(*) FROM viriciti_vehicle_data");
      System.out.printf(
          Locale.ROOT,
          "%s, batch %5d: %d messages stored in %.2f s = %.0f messages/s (sender done after %.2f s;"
              + " %d pauses; %d rows in DuckDB)%n",
          nullSink ? "decode only (null sink)" : "DuckDB",
          batch,
          messages,
          seconds,
          messages / seconds,
          sendSeconds,
          st.pauses(),
          rows);
    }
  }

  private static void fullBuffer(int capacity) throws Exception {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    Path dir = Files.createTempDirectory("viriciti-bench");
    try (LocalLiveServer server = new LocalLiveServer();
        DuckDbSink duck = BridgeFixture.duckDb(dir)) {
      BridgeFixture.FlakySink sink = new BridgeFixture.FlakySink(duck);
      sink.down.set(true);
      ViricitiBridge.Settings s = settings(server, 500, capacity);
      s.bufferCapacity = capacity;
      s.writeRetryMax = Duration.ofSeconds(1);
      ViricitiBridge bridge = new ViricitiBridge(s, sink, a -> {});
      bridge.start();
      LocalLiveServer.Peer peer = server.nextConnection(Duration.ofSeconds(30));
      peer.nextReceived(Duration.ofSeconds(30));
      long before = usedAfterGc(mem);
      Thread sender =
          new Thread(
              () -> {
                try {
                  peer.flood(BridgeBench::message, 0, capacity * 2);
                } catch (Exception e) {
                  // the bridge closed the socket at the end
                }
              });
      sender.setDaemon(true);
      sender.start();
      bridge.awaitStats(BridgeStatistics.Stats::paused, Duration.ofMinutes(5));
      long after = usedAfterGc(mem);
      BridgeStatistics.Stats st = bridge.stats();
      long bytes = 0;
      for (int i = 0; i < st.held(); i++) {
        bytes += message(i).length;
      }
      System.out.printf(
          Locale.ROOT,
          "full buffer: %d messages held (%.1f MB of JSON), heap %.1f MB more than before"
              + " (%.0f bytes per message); reads paused, sender blocked by TCP%n",
          st.held(),
          bytes / 1e6,
          (after - before) / 1e6,
          (double) (after - before) / st.held());
      sink.down.set(false);
      bridge.close();
    }
  }

  private static long usedAfterGc(MemoryMXBean mem) {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
