package io.deezwatts.azure;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Event Hubs trigger invocation as the Java worker binds it ({@code cardinality = MANY}, {@code
 * dataType = "binary"}): the bodies as bytes, {@code PropertiesArray}, {@code
 * SystemPropertiesArray} and {@code PartitionContext}, read from a fixture under {@code
 * src/test/resources/eventhubs}.
 */
record EventHubBatch(
    byte[][] bodies,
    Map<String, Object>[] properties,
    Map<String, Object>[] systemProperties,
    Map<String, Object> partitionContext,
    JsonNode expected) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  static EventHubBatch fixture(String name) {
    try (InputStream in = EventHubBatch.class.getResourceAsStream("/eventhubs/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      JsonNode root = JSON.readTree(in);
      List<byte[]> bodies = new ArrayList<>();
      List<Map<String, Object>> props = new ArrayList<>();
      List<Map<String, Object>> system = new ArrayList<>();
      for (JsonNode e : root.path("events")) {
        bodies.add(e.path("body").asText().getBytes(StandardCharsets.UTF_8));
        props.add(JSON.convertValue(e.path("properties"), MAP));
        system.add(JSON.convertValue(e.path("systemProperties"), MAP));
      }
      return new EventHubBatch(
          bodies.toArray(byte[][]::new),
          array(props),
          array(system),
          JSON.convertValue(root.path("partitionContext"), MAP),
          root.path("expected"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same invocation with the body of event {@code i} replaced. */
  EventHubBatch withBody(int i, String body) {
    return withBody(i, body.getBytes(StandardCharsets.UTF_8));
  }

  /** The same invocation with the body of event {@code i} replaced by bytes, UTF-8 or not. */
  EventHubBatch withBody(int i, byte[] body) {
    byte[][] copy = bodies.clone();
    copy[i] = body;
    return new EventHubBatch(copy, properties, systemProperties, partitionContext, expected);
  }

  /** The same invocation with event {@code i}'s {@code feed} property set. */
  EventHubBatch withFeed(int i, String feed) {
    Map<String, Object>[] copy = properties.clone();
    Map<String, Object> p = new java.util.HashMap<>(copy[i]);
    p.put("feed", feed);
    copy[i] = p;
    return new EventHubBatch(bodies, copy, systemProperties, partitionContext, expected);
  }

  /** The body of event {@code i} as text. */
  String body(int i) {
    return new String(bodies[i], StandardCharsets.UTF_8);
  }

  void deliverTo(EventHubIngest function, TestExecutionContext context) throws Exception {
    function.run(bodies, systemProperties, properties, partitionContext, context);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object>[] array(List<Map<String, Object>> list) {
    return list.toArray(new Map[0]);
  }
}
