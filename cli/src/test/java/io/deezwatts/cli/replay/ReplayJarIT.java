package io.deezwatts.cli.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.pubsub.v1.PubsubMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deezwatts replay} as a user runs it: the built (shaded) jar in its own process, publishing
 * to {@link LocalPubSub}. This checks what only the jar can break: merged service files (gRPC's
 * providers), and no logging noise from the cloud clients on stderr.
 */
class ReplayJarIT {
  @TempDir Path dir;

  @Test
  void theJarPublishesTheSampleBulk() throws Exception {
    Path jar = Path.of("target/deezwatts.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the CLI jar is built before integration tests");
    Path out = dir.resolve("stdout.log");
    Path err = dir.resolve("stderr.log");
    try (LocalPubSub server = new LocalPubSub()) {
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx128m",
              "-jar",
              jar.toString(),
              "replay",
              "--to",
              "pubsub:projects/p1/topics/t1",
              "--source",
              "data-streams",
              "../samples/data-streams.json");
      pb.environment().put("DEEZWATTS_PUBSUB_ENDPOINT", server.endpoint());
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      Process p = pb.start();
      try {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "replay finishes");
      } finally {
        p.destroyForcibly();
      }
      String errors = Files.readString(err);
      assertEquals(0, p.exitValue(), errors);
      List<PubsubMessage> got = server.accepted();
      assertEquals(1, got.size());
      assertEquals("data-streams", got.get(0).getAttributesOrThrow("feed"));
      assertEquals("data-streams.json", got.get(0).getAttributesOrThrow("file"));
      assertEquals(
          new ObjectMapper().readTree(Path.of("../samples/data-streams.json").toFile()),
          new ObjectMapper().readTree(got.get(0).getData().toByteArray()));
      assertTrue(
          Files.readString(out)
              .startsWith(
                  "replayed 1 file to pubsub:projects/p1/topics/t1 (at "
                      + server.endpoint()
                      + "): 1 bulk, 53 events read; 53 events published in 1 message"),
          Files.readString(out));
      assertEquals("", errors, "nothing on stderr: no progress lines that soon, no log noise");
    }
  }
}
