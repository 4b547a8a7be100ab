package io.deezwatts.cli.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code io.deezwatts.gcp.CcSyncFunction} as Cloud Scheduler reaches it: the built jar's Functions
 * Framework invoker in its own process, configured by environment variables, against {@link
 * FakeConnectedCars}.
 */
class CcSyncFunctionIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  FakeConnectedCars cc;
  Process function;
  StringBuilder output = new StringBuilder();

  @AfterEach
  void stop() throws InterruptedException {
    if (function != null && function.isAlive()) {
      function.destroy();
      function.waitFor(20, TimeUnit.SECONDS);
    }
    if (cc != null) {
      cc.close();
    }
  }

  @Test
  void aScheduledPostAddsTheMissingStreamsThenAnOutageAnswers503() throws Exception {
    cc = new FakeConnectedCars();
    cc.consentRange(1, 3).topics(87, 88);
    cc.stream(2, 87);
    Path account = cc.writeServiceAccount(dir);
    int port = start(cc.env(account), "87,88");

    HttpResponse<String> r = post(port);

    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertEquals("reconciled", body.get("status").asText());
    assertEquals(3, body.get("consented").asInt());
    assertEquals(1, body.get("existing").asInt());
    assertEquals(5, body.get("added").asInt());
    assertEquals(6, cc.streams().size());
    assertEquals(
        Set.of(
            List.of(1L, 87L),
            List.of(1L, 88L),
            List.of(2L, 87L),
            List.of(2L, 88L),
            List.of(3L, 87L),
            List.of(3L, 88L)),
        cc.streamPairs());

    cc.down(true);
    HttpResponse<String> down = post(port);
    assertEquals(503, down.statusCode(), down.body());
    assertTrue(JSON.readTree(down.body()).get("retryable").asBoolean());
    String key = Files.readString(account);
    String keyLine = key.split("\n")[6];
    assertFalse(output.toString().contains(keyLine), "the key never reaches the log");
    assertFalse(output.toString().contains("tok-1"), "nor a token");
  }

  @Test
  void withoutTopicsTheFunctionRefusesToStartAndSaysWhy() throws Exception {
    cc = new FakeConnectedCars();
    ProcessBuilder pb = invoker(freePort(), cc.env(cc.writeServiceAccount(dir)), null);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertTrue(p.exitValue() != 0);
    assertTrue(out.contains("DEEZWATTS_CC_AUTO_STREAM_TOPICS is not set"), out);
  }

  private ProcessBuilder invoker(int port, Map<String, String> env, String topics) {
    Path jar = Path.of("target/deezwatts.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the CLI jar is built before integration tests");
    ProcessBuilder pb =
        new ProcessBuilder(
                "java",
                "-cp",
                jar.toString(),
                "com.google.cloud.functions.invoker.runner.Invoker",
                "--target",
                "io.deezwatts.gcp.CcSyncFunction",
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true);
    pb.environment().putAll(env);
    if (topics != null) {
      pb.environment().put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", topics);
    }
    return pb;
  }

  private int start(Map<String, String> env, String topics) throws IOException {
    int port = freePort();
    function = invoker(port, env, topics).start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(function.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      output.append(line).append('\n');
      if (line.contains("URL: http://localhost:" + port + "/")) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    String l;
                    while ((l = out.readLine()) != null) {
                      synchronized (output) {
                        output.append(l).append('\n');
                      }
                    }
                  } catch (IOException ignored) {
                    // the process ended
                  }
                },
                "function-output");
        drain.setDaemon(true);
        drain.start();
        return port;
      }
    }
    throw new AssertionError("the function exited before it was ready:\n" + output);
  }

  private static HttpResponse<String> post(int port) throws IOException, InterruptedException {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/"))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
