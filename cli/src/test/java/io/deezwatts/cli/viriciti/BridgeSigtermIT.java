package io.deezwatts.cli.viriciti;

import static io.deezwatts.cli.viriciti.BridgeFixture.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.testing.viriciti.LocalLiveServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge command in a child JVM, stopped with SIGTERM while it holds messages that its batch
 * settings would not write for ten minutes: the shutdown hook must store them before the JVM exits.
 */
class BridgeSigtermIT {
  @TempDir Path dir;

  @Test
  void sigtermStoresWhatItHoldsBeforeExiting() throws Exception {
    Path sub = dir.resolve("subscription.json");
    Files.writeString(sub, BridgeFixture.resource("vehicles-only.json"));
    Path db = dir.resolve("bridge.duckdb");
    Path err = dir.resolve("stderr.log");
    try (LocalLiveServer server = new LocalLiveServer()) {
      ProcessBuilder pb =
          new ProcessBuilder(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  BridgeMain.class.getName(),
                  "bridge",
                  "--subscription",
                  sub.toString(),
                  "--batch-size",
                  "1000",
                  "--flush-seconds",
                  "600",
                  "--sink",
                  "duckdb:" + db));
      pb.environment().put("DEEZWATTS_VIRICITI_URL", server.baseUrl());
      pb.environment().put("DEEZWATTS_VIRICITI_API_KEY", API_KEY);
      pb.redirectError(err.toFile());
      pb.redirectOutput(dir.resolve("stdout.log").toFile());
      Process p = pb.start();
      try {
        LocalLiveServer.Peer peer = server.nextConnection(Duration.ofSeconds(60));
        peer.nextReceived(Duration.ofSeconds(30));
        peer.sendAll(BridgeFixture.vehicles(0, 40));
        peer.roundTrip(Duration.ofSeconds(30)); // the 40 messages are in the bridge's buffer
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the bridge exits after SIGTERM");
      } finally {
        p.destroyForcibly();
      }
    }
    String log = Files.readString(err);
    assertFalse(log.contains(API_KEY) || log.contains("test-key-7c1f%26secret"), log);
    try (DuckDbSink duck = new DuckDbSink(db, io.deezwatts.core.catalog.Catalog.standard())) {
      assertEquals(40, BridgeFixture.count(duck, "SELECT count(*) FROM viriciti_vehicle_data"));
    }
  }
}
