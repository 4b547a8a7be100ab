package io.deezwatts.cli.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.cc.FakeConnectedCars;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Onboarding as deployed: {@code deezwatts serve} (the built jar, the real Functions Framework
 * invoker, the DuckDB sink) with {@code DEEZWATTS_CC_*} set, admin bulks pushed over HTTP, and
 * {@link FakeConnectedCars} playing Connected Cars.
 */
class CcServeIT {
  private static final String TOKEN = "s3cret-for-cc-tests";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  FakeConnectedCars cc;
  Process serve;

  @AfterEach
  void stop() throws InterruptedException {
    if (serve != null && serve.isAlive()) {
      serve.destroy();
      serve.waitFor(20, TimeUnit.SECONDS);
    }
    if (cc != null) {
      cc.close();
    }
  }

  private static String grant(long id, long vehicle) {
    return "{\"type\": \"access_granted_to_vehicle\", \"id\": "
        + id
        + ", \"vehicleId\": "
        + vehicle
        + ", \"time\": \"2026-11-20T08:00:0"
        + id
        + "Z\"}";
  }

  @Test
  void pushedAdminEventsAreStoredAndTheirVehiclesGetStreamsEvenAfterAnOutage() throws Exception {
    cc = new FakeConnectedCars();
    cc.consent(1337, null).consent(1338, null).consent(2001, 47583L).topics(87);
    Path db = dir.resolve("serve.duckdb");
    Map<String, String> env = cc.env(cc.writeServiceAccount(dir));
    int port = serve(db, env);

    cc.down(true);
    HttpResponse<String> first = post(port, "[" + grant(1, 1337) + "]");
    assertEquals(
        200, first.statusCode(), "acknowledged while Connected Cars is down: " + first.body());
    assertTrue(cc.awaitRequest("consentedIntegrationVehicles", Duration.ofSeconds(30)));

    cc.down(false);
    String second =
        "["
            + grant(2, 1338)
            + ", {\"type\": \"vehicle_added_to_fleet\", \"id\": 3, \"fleetId\": 47583,"
            + " \"vehicleId\": 2001, \"time\": \"2026-11-20T08:00:03Z\"}]";
    HttpResponse<String> ok = post(port, second);
    assertEquals(200, ok.statusCode(), ok.body());
    assertTrue(cc.awaitStreams(2, Duration.ofSeconds(30)), "streams requested after the bulk");
    assertEquals(
        Set.of(List.of(1338L, 87L), List.of(2001L, 87L)),
        cc.streamPairs(),
        "1337's request failed in the outage; the daily reconcile adds it");

    serve.destroy();
    assertTrue(serve.waitFor(20, TimeUnit.SECONDS));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM admin_events")) {
      assertTrue(rs.next());
      assertEquals(3, rs.getLong(1), "every admin event stored, outage or not");
    }
  }

  private int serve(Path db, Map<String, String> ccEnv) throws IOException {
    int port = freePortPair();
    Path jar = Path.of("target/deezwatts.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the CLI jar is built before integration tests");
    ProcessBuilder pb =
        new ProcessBuilder(
                "java",
                "-jar",
                jar.toString(),
                "serve",
                "--port",
                "" + port,
                "--sink",
                "duckdb:" + db)
            .redirectErrorStream(true);
    pb.environment().put("DEEZWATTS_HTTP_TOKEN", TOKEN);
    pb.environment().put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87");
    pb.environment().putAll(ccEnv);
    serve = pb.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.startsWith("Stop with Ctrl-C")) {
        Process p = serve;
        Thread drain =
            new Thread(
                () -> {
                  try {
                    p.getInputStream().transferTo(OutputStream.nullOutputStream());
                  } catch (IOException ignored) {
                    // the process ended
                  }
                },
                "serve-output");
        drain.setDaemon(true);
        drain.start();
        return port;
      }
    }
    throw new AssertionError("serve exited before it was ready:\n" + seen);
  }

  private static HttpResponse<String> post(int port, String body)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/data-streams"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int freePortPair() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException busy) {
        // try another pair
      }
    }
    throw new IOException("no two free adjacent ports");
  }
}
