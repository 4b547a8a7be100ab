package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Holds the functions to the {@code function.json} files that {@code azure-functions-maven-plugin}
 * generated from their annotations in this build's {@code package} phase (Core Tools cannot run
 * here, so this is what the Functions host would read), and to the staged {@code host.json}.
 */
class FunctionJsonIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path STAGING =
      Path.of(System.getProperty("azure.functions.staging", "target/azure-functions/deezwatts"));

  private static JsonNode functionJson(String function) throws IOException {
    return JSON.readTree(STAGING.resolve(function).resolve("function.json").toFile());
  }

  private static JsonNode trigger(JsonNode functionJson) {
    JsonNode first = functionJson.path("bindings").path(0);
    assertEquals("in", first.path("direction").asText());
    return first;
  }

  @Test
  void theAppHasExactlyTheFourFunctions() throws IOException {
    Set<String> functions = new TreeSet<>();
    try (Stream<Path> entries = Files.list(STAGING)) {
      entries
          .filter(p -> Files.isRegularFile(p.resolve("function.json")))
          .forEach(p -> functions.add(p.getFileName().toString()));
    }
    assertEquals(Set.of("CcSync", "EventHubIngest", "HttpIngest", "RivianPoll"), functions);
    for (String f : functions) {
      JsonNode json = functionJson(f);
      assertEquals("io.deezwatts.azure." + f + ".run", json.path("entryPoint").asText());
      Path jar = STAGING.resolve(f).resolve(json.path("scriptFile").asText()).normalize();
      assertTrue(Files.isRegularFile(jar), "scriptFile " + jar);
    }
  }

  @Test
  void httpIngestIsAFunctionKeyHttpTriggerOnEveryFeedPathAnsweringItself() throws IOException {
    JsonNode json = functionJson("HttpIngest");
    JsonNode trigger = trigger(json);
    assertEquals("httpTrigger", trigger.path("type").asText());
    assertEquals("FUNCTION", trigger.path("authLevel").asText());
    assertEquals("{*feed}", trigger.path("route").asText());
    assertEquals("binary", trigger.path("dataType").asText());
    Set<String> methods = new TreeSet<>();
    trigger.path("methods").forEach(m -> methods.add(m.asText()));
    // POST is stored; the others reach the function so that it answers 405, not the host 404.
    assertTrue(methods.containsAll(Set.of("POST", "GET", "PUT", "DELETE")), methods.toString());
    JsonNode out = json.path("bindings").path(1);
    assertEquals("http", out.path("type").asText());
    assertEquals("$return", out.path("name").asText());
  }

  @Test
  void eventHubIngestTakesBatchesFromTheConfiguredHubWithABoundedRetryPolicy() throws IOException {
    JsonNode json = functionJson("EventHubIngest");
    JsonNode trigger = trigger(json);
    assertEquals("eventHubTrigger", trigger.path("type").asText());
    assertEquals("MANY", trigger.path("cardinality").asText());
    assertEquals("binary", trigger.path("dataType").asText());
    assertEquals("%DEEZWATTS_EVENTHUB_NAME%", trigger.path("eventHubName").asText());
    assertEquals("%DEEZWATTS_EVENTHUB_CONSUMER_GROUP%", trigger.path("consumerGroup").asText());
    assertEquals("DEEZWATTS_EVENTHUB_CONNECTION", trigger.path("connection").asText());
    JsonNode retry = json.path("retry");
    assertEquals("exponentialBackoff", retry.path("strategy").asText());
    assertEquals(EventHubIngest.MAX_RETRIES, retry.path("maxRetryCount").asInt());
    assertEquals("00:00:05", retry.path("minimumInterval").asText());
    assertEquals("00:02:00", retry.path("maximumInterval").asText());
  }

  @Test
  void theTimersTakeTheirScheduleFromAppSettings() throws IOException {
    JsonNode rivian = trigger(functionJson("RivianPoll"));
    assertEquals("timerTrigger", rivian.path("type").asText());
    assertEquals("%DEEZWATTS_RIVIAN_SCHEDULE%", rivian.path("schedule").asText());
    JsonNode cc = trigger(functionJson("CcSync"));
    assertEquals("timerTrigger", cc.path("type").asText());
    assertEquals("%DEEZWATTS_CC_SYNC_SCHEDULE%", cc.path("schedule").asText());
  }

  @Test
  void theStagedHostJsonBoundsBatchesCheckpointsAndTime() throws IOException {
    JsonNode host = JSON.readTree(STAGING.resolve("host.json").toFile());
    assertEquals("2.0", host.path("version").asText());
    assertEquals(
        "Microsoft.Azure.Functions.ExtensionBundle",
        host.path("extensionBundle").path("id").asText());
    assertEquals("00:05:00", host.path("functionTimeout").asText());
    JsonNode hubs = host.path("extensions").path("eventHubs");
    assertEquals(8, hubs.path("maxEventBatchSize").asInt());
    assertEquals(1, hubs.path("batchCheckpointFrequency").asInt());
    assertEquals("api", host.path("extensions").path("http").path("routePrefix").asText());
    assertEquals(
        HttpIngest.ROUTE_PREFIX,
        "/" + host.path("extensions").path("http").path("routePrefix").asText());
  }
}
