package io.deezwatts.cli.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.cli.ServeProcess;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  ServeProcess serve;

  @AfterEach
  void stop() throws InterruptedException {
    if (serve != null) {
      serve.close();
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

    assertEquals(0, serve.terminate(), serve.output());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM admin_events")) {
      assertTrue(rs.next());
      assertEquals(3, rs.getLong(1), "every admin event stored, outage or not");
    }
  }

  private int serve(Path db, Map<String, String> ccEnv) throws Exception {
    Map<String, String> env = new HashMap<>(ccEnv);
    env.put("DEEZWATTS_HTTP_TOKEN", TOKEN);
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87");
    serve = ServeProcess.ready(env, "--sink", "duckdb:" + db);
    return serve.port;
  }

  private static HttpResponse<String> post(int port, String body)
      throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/data-streams"))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
