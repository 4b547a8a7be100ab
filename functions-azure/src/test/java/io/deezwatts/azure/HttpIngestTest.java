package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import io.deezwatts.core.sink.SinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HttpIngest} called as the Java worker calls it, with small real request and response types
 * and a real DuckDB file: the same statuses and semantics as the Google Cloud function.
 */
class HttpIngestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-push-token";
  private static final Map<String, String> ENV =
      Map.of("DEEZWATTS_HTTP_TOKEN", TOKEN, "DEEZWATTS_FEED", "data-streams");

  @TempDir Path dir;
  private TestStore store;
  private HttpIngest function;
  private String bulk;

  @BeforeEach
  void setUp() throws Exception {
    store = new TestStore(dir.resolve("http.duckdb"));
    function = new HttpIngest(app(ENV));
    bulk = Files.readString(Path.of("../samples/data-streams.json"), StandardCharsets.UTF_8);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private FunctionApp app(Map<String, String> env) {
    return new FunctionApp(
        FunctionApp.components(env).sink(() -> store).build(), RecordingDeadLetter::new);
  }

  private HttpResponseMessage call(TestHttpRequest request) {
    return function.run(request, TestExecutionContext.firstAttempt("HttpIngest"));
  }

  private static JsonNode body(HttpResponseMessage response) throws Exception {
    return JSON.readTree((String) response.getBody());
  }

  @Test
  void storesAPushAndAnswers200WithTheCountsAndTheRequestIdOnEveryRow() throws Exception {
    HttpResponseMessage response =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .header("X-Request-Id", "req-42")
                .body(bulk)
                .build());

    assertEquals(200, response.getStatusCode(), (String) response.getBody());
    assertEquals("application/json", response.getHeader("Content-Type"));
    JsonNode answer = body(response);
    assertEquals("accepted", answer.path("status").asText());
    long rows = store.count("SELECT count(*) FROM vehicle_events");
    assertEquals(
        answer.path("stored").asLong(), rows + store.count("SELECT count(*) FROM admin_events"));
    assertEquals(
        rows,
        store.count(
            "SELECT count(*) FROM vehicle_events WHERE request_id = 'req-42' AND source = 'http'"));
  }

  @Test
  void basicAuthCarryingTheSecretAsPasswordIsAccepted() {
    String basic =
        Base64.getEncoder()
            .encodeToString(("connectedcars:" + TOKEN).getBytes(StandardCharsets.UTF_8));
    HttpResponseMessage response =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Basic " + basic)
                .body(bulk)
                .build());
    assertEquals(200, response.getStatusCode(), (String) response.getBody());
  }

  @Test
  void withoutTheSecretIs401AndStoresNothing() throws Exception {
    HttpResponseMessage response =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer wrong")
                .body(bulk)
                .build());
    assertEquals(401, response.getStatusCode());
    assertEquals(0, store.writes());
  }

  @Test
  void anythingButPostIs405WithAllow() {
    HttpResponseMessage response =
        call(
            TestHttpRequest.request(HttpMethod.GET, "/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .build());
    assertEquals(405, response.getStatusCode());
    assertEquals("POST", response.getHeader("Allow"));
  }

  @Test
  void theRouteChoosesTheFeedAndAnUnknownOneIs404() throws Exception {
    String car = Files.readString(Path.of("../samples/legacy-car.json"), StandardCharsets.UTF_8);
    HttpResponseMessage stored =
        call(
            TestHttpRequest.post("/api/legacy/car")
                .header("Authorization", "Bearer " + TOKEN)
                .body(car)
                .build());
    assertEquals(200, stored.getStatusCode(), (String) stored.getBody());
    assertTrue(store.count("SELECT count(*) FROM legacy_car_events") > 0);

    HttpResponseMessage unknown =
        call(
            TestHttpRequest.post("/api/nowhere")
                .header("Authorization", "Bearer " + TOKEN)
                .body(bulk)
                .build());
    assertEquals(404, unknown.getStatusCode());
  }

  @Test
  void aBodyThatIsNotAnArrayIs400AndIsQuarantinedRaw() throws Exception {
    HttpResponseMessage response =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .header("X-Request-Id", "req-bad")
                .body("{\"oops\": true}")
                .build());
    assertEquals(400, response.getStatusCode());
    assertFalse(body(response).path("error").asText().isEmpty());
    assertEquals(
        "{\"oops\": true}",
        store.text("SELECT CAST(raw AS VARCHAR) FROM quarantine WHERE request_id = 'req-bad'"));
  }

  @Test
  void aTransientSinkFailureIs503AndAPermanentOneIs500WithoutDetails() throws Exception {
    store.failNext(SinkException.transientFailure("backendError at tables/x (test)", null));
    HttpResponseMessage retry =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .body(bulk)
                .build());
    assertEquals(503, retry.getStatusCode());

    store.failNext(SinkException.permanent("invalid schema at tables/x (test)", null));
    HttpResponseMessage failed =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .body(bulk)
                .build());
    assertEquals(500, failed.getStatusCode());
    assertFalse(((String) failed.getBody()).contains("Exception"));
    assertEquals(0, store.count("SELECT count(*) FROM vehicle_events"));
  }

  @Test
  void withoutAConfiguredSecretEveryPushIs500AndTheLogSaysWhy() {
    function = new HttpIngest(app(Map.of()));
    TestExecutionContext context = TestExecutionContext.firstAttempt("HttpIngest");
    HttpResponseMessage response =
        function.run(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer anything")
                .body(bulk)
                .build(),
            context);
    assertEquals(500, response.getStatusCode());
    assertFalse(((String) response.getBody()).contains("DEEZWATTS_HTTP_TOKEN"));
    assertTrue(context.logged(Level.SEVERE).contains("DEEZWATTS_HTTP_TOKEN"));
  }

  @Test
  void aSinkTheAppDoesNotContainIs500AndTheLogNamesTheSetting() {
    // The app as deployed opens DEEZWATTS_SINK itself: no provider serves "nosuch:".
    Map<String, String> env = new java.util.HashMap<>(ENV);
    env.put("DEEZWATTS_SINK", "nosuch:somewhere");
    function = new HttpIngest(new FunctionApp(env));
    TestExecutionContext context = TestExecutionContext.firstAttempt("HttpIngest");

    HttpResponseMessage response =
        function.run(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .body(bulk)
                .build(),
            context);

    assertEquals(500, response.getStatusCode());
    String severe = context.logged(Level.SEVERE);
    assertTrue(severe.contains("fix the setting DEEZWATTS_SINK"), severe);
  }

  @Test
  void aSinkThatCannotBeOpenedForNowIs503() {
    function =
        new HttpIngest(
            new FunctionApp(
                FunctionApp.components(ENV)
                    .sink(
                        () -> {
                          throw new IllegalStateException("the DuckDB file is locked (test)");
                        })
                    .build(),
                RecordingDeadLetter::new));
    HttpResponseMessage response =
        call(
            TestHttpRequest.post("/api/data-streams")
                .header("Authorization", "Bearer " + TOKEN)
                .body(bulk)
                .build());
    assertEquals(503, response.getStatusCode());
  }

  @Test
  void routePathsMapToTheFeedPaths() {
    assertEquals("/data-streams", HttpIngest.feedPath("/api/data-streams"));
    assertEquals("/legacy/account", HttpIngest.feedPath("/api/legacy/account"));
    assertEquals("/", HttpIngest.feedPath("/api"));
    assertEquals("/", HttpIngest.feedPath(null));
  }
}
