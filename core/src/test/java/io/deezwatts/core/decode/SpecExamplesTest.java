package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.FieldSpec;
import io.deezwatts.core.catalog.FieldType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example printed in the vendors' documents decodes as printed, into the table and columns
 * the catalog names, with the values the example holds. The fixtures under {@code spec-examples/}
 * are the printed examples, verbatim: {@link SpecDocumentsTest} checks them against the documents.
 */
class SpecExamplesTest {
  private static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .build();
  private static final Instant RECEIVED = Instant.parse("2026-01-02T03:04:05Z");

  static Stream<Path> examples() {
    return Stream.of(
            "spec-examples/data-streams",
            "spec-examples/legacy-push",
            "spec-examples/viriciti",
            "documented-without-example")
        .flatMap(SpecExamplesTest::list);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void decodesAsPrinted(Path example) throws Exception {
    String feed = feedOf(example);
    String name = example.getFileName().toString();
    byte[] body = Files.readAllBytes(example);
    if (name.startsWith("subscription-")) {
      DecodedBulk bulk = BulkDecoder.forFeed(feed).decode(body, IngestContext.replay(RECEIVED));
      assertEquals(
          List.of("subscription-echo"), bulk.control().stream().map(ControlMessage::kind).toList());
      assertTrue(bulk.rows().isEmpty() && bulk.quarantined().isEmpty());
      return;
    }
    body = bulkOf(example);
    DecodedBulk bulk = BulkDecoder.forFeed(feed).decode(body, IngestContext.replay(RECEIVED));
    assertEquals(List.of(), bulk.quarantined(), "nothing quarantined");
    assertEquals(1, bulk.rows().size());
    assertEquals(1, bulk.events());
    Row row = bulk.rows().get(0);

    JsonNode message = LENIENT.readTree(body);
    JsonNode event = feed.equals("viriciti") ? message.get("payload") : message.get(0);
    String typeName =
        feed.equals("viriciti")
            ? message.get("type").asText()
                + (event.has("parameter") ? "." + event.get("parameter").asText() : "")
            : event.get("type").asText();
    EventType type = Catalog.standard().feed(feed).type(typeName);
    assertNotNull(type, "the catalog knows " + typeName);
    assertEquals(type.table(), row.table());
    assertEquals(typeName, row.type());
    assertTrue(row.eventKey().matches("[0-9a-f]{32}"), row.eventKey());
    assertEquals(
        LENIENT.readTree(body),
        LENIENT.readTree(
            feed.equals("viriciti") ? row.payload().toString() : "[" + row.payload() + "]"),
        "payload holds the event as sent");
    new ObjectMapper().readTree(row.payload().toString()); // strict JSON, trailing commas gone
    checkFields(type.fields(), event, row, "", null);
    if (type.table().name().equals("legacy_account_events")) {
      assertEquals(RECEIVED, row.time(), "the account feed has no time: received_at stands in");
    }
  }

  /** The example as the bulk a vendor sends. */
  static byte[] bulkOf(Path example) throws IOException {
    byte[] body = Files.readAllBytes(example);
    if (example.getFileName().toString().equals("incident-object.json")) {
      // The document prints the incident object that a message's payload holds.
      body =
          ("{\"type\": \"incidents\", \"payload\": "
                  + new String(body, StandardCharsets.UTF_8)
                  + "}")
              .getBytes(StandardCharsets.UTF_8);
    }
    return body;
  }

  /** Checks each documented field of the example against the column it lands in. */
  private static void checkFields(
      List<FieldSpec> specs, JsonNode obj, Row row, String path, Object[] item) {
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> member = it.next();
      FieldSpec spec =
          specs.stream()
              .filter(
                  s -> s.name().equals(member.getKey()) || s.aliases().contains(member.getKey()))
              .findFirst()
              .orElse(null);
      if (spec == null) {
        continue;
      }
      JsonNode v = member.getValue();
      String where = path + member.getKey();
      if (spec.type() == FieldType.OBJECT) {
        checkFields(spec.children(), v, row, where + ".", item);
        continue;
      }
      if (spec.type() == FieldType.ARRAY) {
        List<?> items = assertInstanceOf(List.class, row.get(spec.columnPath()), where);
        assertEquals(v.size(), items.size(), where);
        for (int i = 0; i < v.size(); i++) {
          checkFields(
              spec.children(), v.get(i), row, where + "[" + i + "].", (Object[]) items.get(i));
        }
        continue;
      }
      if (spec.type() == FieldType.SCALAR) {
        FieldType kind =
            v.isNumber() ? FieldType.DECIMAL : v.isTextual() ? FieldType.STRING : FieldType.BOOLEAN;
        String column = v.isNumber() ? "value_num" : v.isTextual() ? "value_string" : "value_bool";
        assertEquals(expected(kind, v), row.get(column), where);
        continue;
      }
      Object actual;
      if (item != null) {
        int sub =
            row.table().columns().stream()
                .filter(c -> c.isRepeated())
                .findFirst()
                .orElseThrow()
                .fieldIndex(spec.columnPath());
        actual = item[sub];
      } else {
        actual = row.get(spec.columnPath());
      }
      if (spec.type() == FieldType.JSON) {
        assertEquals(v, readTree(actual.toString()), where);
      } else {
        assertEquals(v.isNull() ? null : expected(spec.type(), v), actual, where);
      }
    }
  }

  /** The value the example's JSON stands for, worked out with java.time and Jackson. */
  private static Object expected(FieldType type, JsonNode v) {
    return switch (type) {
      case BOOLEAN -> v.booleanValue();
      case INT16, INT32, INT64, INTEGER ->
          v.isTextual() ? Long.parseLong(v.asText()) : v.longValue();
      case DECIMAL -> v.doubleValue();
      case STRING -> v.asText();
      case ID -> v.asText().toLowerCase(Locale.ROOT);
      case DATE -> LocalDate.parse(v.asText());
      case DATETIME -> OffsetDateTime.parse(v.asText()).toInstant();
      case EPOCH_MILLIS -> Instant.ofEpochMilli(v.longValue());
      default -> fail("no expectation for " + type);
    };
  }

  @Test
  void everyCatalogTypeHasAnExample() {
    for (var feed : Catalog.standard().feeds()) {
      Set<String> typesWithExamples =
          examples()
              .filter(p -> feedOf(p).equals(feed.name()))
              .map(SpecExamplesTest::typeNameOf)
              .filter(t -> !t.equals("(echo)"))
              .collect(Collectors.toCollection(TreeSet::new));
      Set<String> catalogTypes =
          feed.types().stream().map(EventType::name).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(catalogTypes, typesWithExamples, feed.name());
    }
  }

  @Test
  void catalogHasEveryTypeTheIssueLists() {
    var ds = Catalog.standard().feed("data-streams").types();
    assertEquals(47, ds.stream().filter(t -> t.table().name().equals("vehicle_events")).count());
    assertEquals(6, ds.stream().filter(t -> t.table().name().equals("admin_events")).count());
    var lp = Catalog.standard().feed("legacy-push").types();
    assertEquals(
        Set.of("user_signup", "user_remove", "car_add", "car_remove"),
        lp.stream()
            .filter(t -> t.table().name().equals("legacy_account_events"))
            .map(EventType::name)
            .collect(Collectors.toSet()));
    assertEquals(14, lp.stream().filter(t -> t.table().name().equals("legacy_car_events")).count());
  }

  static String feedOf(Path p) {
    String dir = p.getParent().getFileName().toString();
    return dir.equals("documented-without-example") ? "legacy-push" : dir;
  }

  static String typeNameOf(Path p) {
    String n = p.getFileName().toString().replace(".json", "");
    if (n.equals("incident-object")) {
      return "incidents";
    }
    if (n.startsWith("subscription-")) {
      return "(echo)";
    }
    return n.replace("chargestations-", "chargestations.");
  }

  private static JsonNode readTree(String json) {
    try {
      return LENIENT.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<Path> list(String resourceDir) {
    try {
      URL url = SpecExamplesTest.class.getResource("/" + resourceDir);
      assertNotNull(url, resourceDir);
      try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
        return files.sorted().toList().stream();
      }
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] resource(String path) {
    try (InputStream in = SpecExamplesTest.class.getResourceAsStream("/" + path)) {
      assertNotNull(in, path);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
