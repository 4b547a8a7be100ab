package io.deezwatts.cli.replay;

import io.grpc.Status;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A load run for docs/BENCHMARKS.md (not a test): generates a file of distinct gps_position events,
 * starts {@link LocalPubSub} (counting, not keeping), runs the built jar's {@code replay} against
 * it in its own process, and prints the figures. Run from the repository root with the test class
 * path:
 *
 * <pre>
 * java -cp cli/target/test-classes:cli/target/classes:$(cat cp.txt) \
 *     io.deezwatts.cli.replay.ReplayLoad EVENTS BULK_EVENTS [REPLAY OPTIONS...]
 * </pre>
 *
 * {@code BULK_EVENTS} 0 writes one JSON array of all events; otherwise NDJSON, one bulk per line.
 * The child runs with {@code -Xmx${DEEZWATTS_LOAD_XMX:-256m}}; its peak RSS comes from
 * /usr/bin/time when present.
 */
public final class ReplayLoad {
  private ReplayLoad() {}

  public static void main(String[] args) throws Exception {
    long events = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int perBulk = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    List<String> options = Arrays.asList(args).subList(Math.min(2, args.length), args.length);
    Path dir = Files.createDirectories(Path.of("target", "replay-load"));
    Path file = dir.resolve("events-" + events + "-" + perBulk + ".json");
    if (!Files.exists(file)) {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        for (long i = 0; i < events; i++) {
          boolean first = perBulk == 0 ? i == 0 : i % perBulk == 0;
          boolean last =
              perBulk == 0 ? i == events - 1 : i % perBulk == perBulk - 1 || i == events - 1;
          String e =
              (first ? "[" : ",")
                  + BulkReaderTest.gps(i)
                  + (last ? (perBulk == 0 ? "]\n" : "]\n") : (perBulk == 0 ? "\n" : ""));
          out.write(e.getBytes(StandardCharsets.UTF_8));
        }
      }
    }
    long size = Files.size(file);
    Path jar = Path.of("cli", "target", "deezwatts.jar").toAbsolutePath();
    try (LocalPubSub server = new LocalPubSub(r -> Status.OK, false)) {
      List<String> cmd = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/time"))) {
        cmd.addAll(List.of("/usr/bin/time", "-f", "child: %e s wall, %U s user, %M KB max RSS"));
      }
      String xmx = System.getenv().getOrDefault("DEEZWATTS_LOAD_XMX", "256m");
      cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      cmd.addAll(List.of("-Xmx" + xmx, "-jar", jar.toString(), "replay"));
      cmd.addAll(List.of("--to", "pubsub:projects/load/topics/replay", "--source", "data-streams"));
      cmd.addAll(options);
      cmd.add(file.toString());
      ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
      pb.environment().put("DEEZWATTS_PUBSUB_ENDPOINT", server.endpoint());
      long t0 = System.nanoTime();
      int exit = pb.start().waitFor();
      double s = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "load: %d events, %.1f MB file (%s), options %s: exit %d, %.1f s, %.0f events/s,"
              + " %.1f MB/s; server got %d messages in %d requests, %.1f MB, largest request"
              + " %.2f MB, %d gzipped%n",
          events,
          size / 1e6,
          perBulk == 0 ? "one array" : "NDJSON, " + perBulk + " events per bulk",
          options,
          exit,
          s,
          events / s,
          size / 1e6 / s,
          server.acceptedMessages(),
          server.calls(),
          server.acceptedBytes() / 1e6,
          server.largestRequestBytes() / 1e6,
          server.gzipped());
    }
  }
}
