package io.deezwatts.bench;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.Sinks;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code bigquery:} sink's two APIs side by side in one JVM (issue #14): the Storage Write API
 * against {@link StorageWriteStandIn} and {@code insertAll} against {@link InsertAllStandIn}, both
 * local stand-ins in this process (no BigQuery can be reached here), on the same decoded
 * 10,000-event data-streams bulks, one sink instance each, as a function instance holds one.
 *
 * <ul>
 *   <li><b>events/s per instance</b>: each round writes every bulk through one API, then through
 *       the other (the order alternating by round), after an unmeasured warm-up round; medians of
 *       the rounds;
 *   <li><b>fee per million events</b>: the Storage Write API bills the serialized row bytes (as the
 *       stand-in counted them) at $0.025/GiB; {@code insertAll} bills each row as at least 1 KB
 *       (these rows are smaller) at $0.05/GiB ($0.01 per 200 MiB). The Storage Write API's free 2
 *       TiB a month is left out: the ratio is for the bytes past it.
 * </ul>
 *
 * <p>Usage: {@code SinkBench [BULKS] [ROUNDS]} (default 10 bulks, 5 rounds).
 */
public final class SinkBench {
  private static final int EVENTS = 10_000;
  private static final double GIB = 1024.0 * 1024 * 1024;
  private static final double STORAGE_WRITE_PER_GIB = 0.025;
  private static final double INSERT_ALL_PER_GIB = 0.05;
  private static final long INSERT_ALL_MIN_ROW_BYTES = 1024;

  private SinkBench() {}

  enum Api {
    STORAGE_WRITE("storage-write"),
    INSERT_ALL("insertall");

    final String label;

    Api(String label) {
      this.label = label;
    }
  }

  public static void main(String[] args) throws Exception {
    int bulks = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    System.out.printf(
        Locale.ROOT,
        "sink bench: %d bulks x %d events per round, %d rounds (+1 unmeasured); %s%n",
        bulks,
        EVENTS,
        rounds,
        Processes.loadAverage());

    BulkDecoder decoder = BulkDecoder.forFeed("data-streams");
    List<SinkBatch> batches = new ArrayList<>();
    for (int i = 0; i < bulks; i++) {
      byte[] body = SampleBulk.dataStreams(EVENTS, 500 + i, 3_000_000_000L + (long) i * EVENTS);
      batches.add(SinkBatch.of(decoder.decode(body, IngestContext.replay(Instant.now()))));
    }

    Map<Api, List<Double>> rates = new EnumMap<>(Api.class);
    long protoBytes = 0;
    long protoRows = 0;
    try (StorageWriteStandIn storageWrite = new StorageWriteStandIn();
        InsertAllStandIn insertAll = new InsertAllStandIn();
        Sink sw =
            Sinks.open(
                "bigquery:bench-project.bench_dataset",
                Map.of("DEEZWATTS_BIGQUERY_WRITE_ENDPOINT", storageWrite.endpoint()));
        Sink ia =
            Sinks.open(
                "bigquery:bench-project.bench_dataset",
                Map.of(
                    "DEEZWATTS_BIGQUERY_API",
                    "insertall",
                    "DEEZWATTS_BIGQUERY_ENDPOINT",
                    insertAll.endpoint()))) {
      System.out.println("storage-write sink: " + sw.describe());
      System.out.println("insertall sink:     " + ia.describe());
      for (int round = 0; round <= rounds; round++) {
        List<Api> order =
            round % 2 == 0
                ? List.of(Api.STORAGE_WRITE, Api.INSERT_ALL)
                : List.of(Api.INSERT_ALL, Api.STORAGE_WRITE);
        for (Api api : order) {
          Sink sink = api == Api.STORAGE_WRITE ? sw : ia;
          long swRowsBefore = storageWrite.rows();
          long iaRowsBefore = insertAll.rows();
          long t0 = System.nanoTime();
          long stored = 0;
          for (SinkBatch b : batches) {
            stored += sink.write(b, Instant.now().plusSeconds(120)).rowsStored();
          }
          double seconds = (System.nanoTime() - t0) / 1e9;
          long seen =
              api == Api.STORAGE_WRITE
                  ? storageWrite.rows() - swRowsBefore
                  : insertAll.rows() - iaRowsBefore;
          if (stored != (long) bulks * EVENTS || seen != stored) {
            throw new IllegalStateException(
                api.label + ": stored " + stored + ", the stand-in saw " + seen);
          }
          double rate = stored / seconds;
          System.out.printf(
              Locale.ROOT,
              "%-8s %-14s %6.2f s  %,9.0f events/s%n",
              round == 0 ? "warm-up" : "round " + round,
              api.label,
              seconds,
              rate);
          if (round > 0) {
            rates.computeIfAbsent(api, k -> new ArrayList<>()).add(rate);
          }
        }
        if (round == 0) {
          protoBytes = storageWrite.rowBytes();
          protoRows = storageWrite.rows();
        }
      }
    }

    double sw = Processes.median(rates.get(Api.STORAGE_WRITE));
    double ia = Processes.median(rates.get(Api.INSERT_ALL));
    double bytesPerRow = (double) protoBytes / protoRows;
    double swFee = bytesPerRow * 1e6 / GIB * STORAGE_WRITE_PER_GIB;
    double iaFee = Math.max(INSERT_ALL_MIN_ROW_BYTES, bytesPerRow) * 1e6 / GIB * INSERT_ALL_PER_GIB;
    System.out.printf(
        Locale.ROOT,
        "%nevents/s per instance, medians of %d rounds: storage-write %,.0f, insertall %,.0f;"
            + " ratio %.2f (goal >= 1: %s)%n",
        rounds,
        sw,
        ia,
        sw / ia,
        sw >= ia ? "met" : "NOT met");
    System.out.printf(
        Locale.ROOT,
        "fee per million events: storage-write $%.5f (%.0f serialized bytes/row at $%.3f/GiB),"
            + " insertall $%.5f (%d bytes/row minimum at $%.2f/GiB); ratio %.3f = 1/%.1f (goal <="
            + " 1/5: %s)%n",
        swFee,
        bytesPerRow,
        STORAGE_WRITE_PER_GIB,
        iaFee,
        INSERT_ALL_MIN_ROW_BYTES,
        INSERT_ALL_PER_GIB,
        swFee / iaFee,
        iaFee / swFee,
        swFee / iaFee <= 0.2 ? "met" : "NOT met");
    System.out.println("done; " + Processes.loadAverage());
  }
}
