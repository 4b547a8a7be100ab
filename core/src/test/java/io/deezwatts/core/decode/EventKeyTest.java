package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventKeyTest {
  private static final ObjectMapper LENIENT =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_TRAILING_COMMA).build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final IngestContext CTX =
      IngestContext.replay(Instant.parse("2024-05-01T10:00:00Z"));
  private static final String DS = "data-streams";
  private static final String LEGACY = "legacy-push";

  private static String fixture(String path) {
    try (InputStream in = EventKeyTest.class.getResourceAsStream("/spec-examples/" + path)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one event of a vendor example, as an editable tree. */
  private static ObjectNode event(String path) {
    try {
      return (ObjectNode) LENIENT.readTree(fixture(path)).get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode with(ObjectNode event, String field, JsonNode value) {
    ObjectNode copy = event.deepCopy();
    copy.set(field, value);
    return copy;
  }

  private static ObjectNode without(ObjectNode event, String field) {
    ObjectNode copy = event.deepCopy();
    copy.remove(field);
    return copy;
  }

  private static ObjectNode reversed(ObjectNode event) {
    List<String> names = new ArrayList<>();
    event.fieldNames().forEachRemaining(names::add);
    ObjectNode copy = NODES.objectNode();
    for (int i = names.size() - 1; i >= 0; i--) {
      copy.set(names.get(i), event.get(names.get(i)).deepCopy());
    }
    return copy;
  }

  /** The event with a trailing comma and the vendor's line breaks. */
  private static String withTrailingComma(String compactEvent) {
    return compactEvent.substring(0, compactEvent.length() - 1).replace(",\"", ",\n  \"") + ",\n}";
  }

  private static List<Row> rows(String feed, String bulk) {
    try {
      DecodedBulk decoded =
          BulkDecoder.forFeed(feed).decode(bulk.getBytes(StandardCharsets.UTF_8), CTX);
      assertEquals(List.of(), decoded.quarantined(), bulk);
      return decoded.rows();
    } catch (BulkRejectedException e) {
      throw new AssertionError(bulk + " was rejected: " + e.getMessage(), e);
    }
  }

  /** The key of the only event of a bulk, or of a lone event when the text is an object. */
  private static String key(String feed, String json) {
    List<Row> rows = rows(feed, json.startsWith("[") ? json : "[" + json + "]");
    assertEquals(1, rows.size());
    return rows.get(0).eventKey();
  }

  static Stream<Arguments> sameEvent() {
    ObjectNode dtc = event("data-streams/can_dtc.json");
    ObjectNode gps = event("data-streams/gps_position.json");
    ObjectNode ignition = event("data-streams/car_ignition.json");
    ObjectNode position = event("legacy-push/position.json");
    ObjectNode signup = event("legacy-push/user_signup.json");
    String voltage =
        "{\"type\":\"car_battery_voltage\",\"id\":1,\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":%s}";
    String odometer =
        "{\"type\":\"can_odometer_km\",\"id\":1,\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":%s}";
    String vin =
        "{\"type\":\"can_vin\",\"id\":1,\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":%s}";
    String temperature =
        "{\"type\":\"can_ambient_air_temperature_celsius\",\"id\":1,\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":%s}";
    ObjectNode upperSignup = signup.deepCopy();
    ((ObjectNode) upperSignup.get("cars").get(0))
        .put("carId", "3BBCEE75-CECC-5B56-8031-B6641C1ED1F1");
    upperSignup.put("userId", "90123E1C-7512-523E-BB28-76FAB9F2F73D");
    ObjectNode longPosition = without(position, "lon");
    longPosition.set("long", position.get("lon"));

    return Stream.of(
        same(
            "vendor's pretty text vs compact",
            DS,
            fixture("data-streams/can_dtc.json"),
            dtc.toString()),
        same(
            "gps pretty vs compact", DS, fixture("data-streams/gps_position.json"), gps.toString()),
        same("key order shuffled", DS, dtc.toString(), reversed(dtc).toString()),
        same("gps key order shuffled", DS, gps.toString(), reversed(gps).toString()),
        same("trailing comma", DS, dtc.toString(), withTrailingComma(dtc.toString())),
        same("trailing comma in the bulk", DS, "[" + dtc + "]", "[\n" + dtc + ",\n]"),
        same(
            "vehicleId as a string",
            DS,
            with(dtc, "vehicleId", NODES.textNode("1337")).toString(),
            dtc.toString()),
        same(
            "vehicleId as a number",
            DS,
            ignition.toString(),
            with(ignition, "vehicleId", NODES.numberNode(1337)).toString()),
        same(
            "id as a string",
            DS,
            with(dtc, "id", NODES.textNode("433642")).toString(),
            dtc.toString()),
        same(
            "time with .000",
            DS,
            dtc.toString(),
            with(dtc, "time", NODES.textNode("2022-01-01T12:30:10.000Z")).toString()),
        same(
            "time with +01:00",
            DS,
            dtc.toString(),
            with(dtc, "time", NODES.textNode("2022-01-01T13:30:10+01:00")).toString()),
        same(
            "time lower case, space",
            DS,
            dtc.toString(),
            with(dtc, "time", NODES.textNode("2022-01-01 12:30:10z")).toString()),
        same(
            "time with nanoseconds",
            DS,
            dtc.toString(),
            with(dtc, "time", NODES.textNode("2022-01-01T11:00:10.000000000-01:30")).toString()),
        same("10.50 vs 10.5", DS, String.format(voltage, "10.50"), String.format(voltage, "10.5")),
        same("10 vs 10.0 vs 1E1", DS, String.format(voltage, "10"), String.format(voltage, "1E1")),
        same("10.0 vs 1e1", DS, String.format(voltage, "10.0"), String.format(voltage, "1e1")),
        same(
            "whole number as 94636.0",
            DS,
            String.format(odometer, "94636"),
            String.format(odometer, "94636.0")),
        same("null vs absent (dtc)", DS, dtc.toString(), without(dtc, "rxLocalId").toString()),
        same(
            "all nulls absent (dtc)",
            DS,
            dtc.toString(),
            without(without(without(dtc, "rxLocalId"), "txLocalId"), "useFunctionalAddressing")
                .toString()),
        same("null vs absent (gps eph)", DS, gps.toString(), without(gps, "eph").toString()),
        same("lon vs long", LEGACY, position.toString(), longPosition.toString()),
        same(
            "carId ABC vs abc",
            LEGACY,
            with(position, "carId", NODES.textNode("ABC")).toString(),
            with(position, "carId", NODES.textNode("abc")).toString()),
        same(
            "legacy vendor text vs compact",
            LEGACY,
            fixture("legacy-push/position.json"),
            position.toString()),
        same("user and car ids in upper case", LEGACY, signup.toString(), upperSignup.toString()),
        same(
            "year as number vs string", LEGACY, signup.toString(), yearAsString(signup).toString()),
        same(
            "escaped string",
            DS,
            String.format(vin, "\"WAUZZZ/3G\""),
            String.format(vin, "\"\\u0057AUZZZ\\/3G\"")),
        same("-0.0 vs 0", DS, String.format(temperature, "0"), String.format(temperature, "-0.0")),
        same(
            "celsius alias",
            LEGACY,
            fixture("legacy-push/high_voltage_battery_temperature.json"),
            renamed(
                event("legacy-push/high_voltage_battery_temperature.json"),
                "celsius",
                "high_voltage_battery_temperature")),
        same(
            "percent alias",
            LEGACY,
            fixture("legacy-push/charge_level_percent.json"),
            renamed(
                event("legacy-push/charge_level_percent.json"),
                "percent",
                "charge_level_percent")));
  }

  private static String renamed(ObjectNode event, String from, String to) {
    ObjectNode copy = without(event, from);
    copy.set(to, event.get(from));
    return copy.toString();
  }

  private static ObjectNode yearAsString(ObjectNode signup) {
    ObjectNode copy = signup.deepCopy();
    ((ObjectNode) copy.get("cars").get(0)).put("year", "2018");
    return copy;
  }

  private static Arguments same(String name, String feed, String a, String b) {
    return Arguments.of(name, feed, a, b);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sameEvent")
  void reformattedEventKeepsItsKey(String name, String feed, String a, String b) {
    assertEquals(key(feed, a), key(feed, b), name);
  }

  /** Every field of gps_position changed in turn, to a value that is still valid. */
  private static Map<String, ObjectNode> gpsVariants() {
    ObjectNode gps = event("data-streams/gps_position.json");
    Map<String, ObjectNode> v = new LinkedHashMap<>();
    v.put("base", gps);
    v.put("id", with(gps, "id", NODES.numberNode(157659648L)));
    v.put("vehicleId", with(gps, "vehicleId", NODES.numberNode(228746)));
    v.put("time", with(gps, "time", NODES.textNode("2022-10-12T07:06:45.001Z")));
    v.put("latitude", with(gps, "latitude", NODES.numberNode(60.613748)));
    v.put("longitude", with(gps, "longitude", NODES.numberNode(-17.414016999999998)));
    v.put("speed", with(gps, "speed", NODES.numberNode(4)));
    v.put("speed absent", without(gps, "speed"));
    v.put("direction", with(gps, "direction", NODES.numberNode(121)));
    v.put("eph", with(gps, "eph", NODES.numberNode(0)));
    v.put("hdop", with(gps, "hdop", NODES.numberNode(70)));
    v.put("hdop null", with(gps, "hdop", NODES.nullNode()));
    v.put(
        "speed and direction swapped",
        with(with(gps, "speed", NODES.numberNode(120)), "direction", NODES.numberNode(3)));
    v.put("extra field", with(gps, "altitude", NODES.numberNode(12)));
    v.put("extra object", with(gps, "fix", NODES.objectNode().put("sats", 7)));
    return v;
  }

  /** Every field of can_dtc changed in turn, to a value that is still valid. */
  private static Map<String, ObjectNode> dtcVariants() {
    ObjectNode dtc = event("data-streams/can_dtc.json");
    Map<String, ObjectNode> v = new LinkedHashMap<>();
    v.put("base", dtc);
    v.put("id", with(dtc, "id", NODES.numberNode(433643)));
    v.put("code", with(dtc, "code", NODES.textNode("00430f")));
    v.put("code case", with(dtc, "code", NODES.textNode("00430E")));
    v.put("diff", with(dtc, "diff", NODES.textNode("add")));
    v.put("diff null", with(dtc, "diff", NODES.nullNode()));
    v.put("status", with(dtc, "status", NODES.textNode("69")));
    v.put("rxId", with(dtc, "rxId", NODES.textNode("7E9")));
    v.put("txId", with(dtc, "txId", NODES.textNode("7E1")));
    v.put("transport", with(dtc, "transport", NODES.textNode("TP2")));
    v.put("application", with(dtc, "application", NODES.textNode("KWP2000")));
    v.put("ecu", with(dtc, "ecu", NODES.textNode("brakes")));
    v.put("sourceType", with(dtc, "sourceType", NODES.textNode("j2012")));
    v.put("rxLocalId", with(dtc, "rxLocalId", NODES.textNode("01")));
    v.put("txLocalId", with(dtc, "txLocalId", NODES.textNode("01")));
    v.put("serviceAndDid", with(dtc, "serviceAndDid", NODES.textNode("19028D")));
    v.put("useFunctionalAddressing", with(dtc, "useFunctionalAddressing", NODES.booleanNode(true)));
    v.put(
        "useFunctionalAddressing false",
        with(dtc, "useFunctionalAddressing", NODES.booleanNode(false)));
    v.put("sessionType", with(dtc, "sessionType", NODES.textNode("02")));
    v.put("vehicleId", with(dtc, "vehicleId", NODES.numberNode(1338)));
    v.put("time", with(dtc, "time", NODES.textNode("2022-01-01T12:30:11Z")));
    v.put("extra field", with(dtc, "mileage", NODES.numberNode(1)));
    v.put("extra field as string", with(dtc, "mileage", NODES.textNode("1")));
    ArrayNode list = NODES.arrayNode().add(1).add(2);
    v.put("extra array", with(dtc, "mileage", list));
    return v;
  }

  private static void assertAllKeysDiffer(Map<String, ObjectNode> variants) {
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, ObjectNode> e : variants.entrySet()) {
      String key = key(DS, e.getValue().toString());
      String clash = seen.put(key, e.getKey());
      assertNull(clash, e.getKey() + " has the same key as " + clash);
    }
    assertEquals(variants.size(), seen.size());
  }

  @Test
  void changingAnyGpsFieldChangesTheKey() {
    assertAllKeysDiffer(gpsVariants());
  }

  @Test
  void changingAnyDtcFieldChangesTheKey() {
    assertAllKeysDiffer(dtcVariants());
  }

  @Test
  void keyIs32LowerCaseHexDigits() {
    List<String> keys = new ArrayList<>();
    gpsVariants().values().forEach(e -> keys.add(key(DS, e.toString())));
    keys.add(key(LEGACY, fixture("legacy-push/user_signup.json")));
    keys.add(key(LEGACY, fixture("legacy-push/position.json")));
    for (String k : keys) {
      assertTrue(k.matches("[0-9a-f]{32}"), k);
    }
  }

  @Test
  void sameEventTwiceInABulkOrAcrossBulksHasTheSameKey() {
    String gps = event("data-streams/gps_position.json").toString();
    List<Row> rows = rows(DS, "[" + gps + "," + gps + "]");
    assertEquals(rows.get(0).eventKey(), rows.get(1).eventKey());
    assertEquals(rows.get(0).eventKey(), key(DS, gps));
  }

  @Test
  void typesWithTheSameContentHaveDifferentKeys() {
    String content =
        "\",\"id\":1,\"vehicleId\":1337,\"time\":\"2022-01-01T12:30:10Z\",\"value\":5}";
    String a = key(DS, "{\"type\":\"can_odometer_km" + content);
    String b = key(DS, "{\"type\":\"daily_can_odometer_km" + content);
    String c = key(DS, "{\"type\":\"can_odometer10_km" + content);
    String d = key(DS, "{\"type\":\"unknown_odometer" + content);
    assertEquals(4, java.util.Set.of(a, b, c, d).size());
  }

  @Test
  void feedsWithTheSameContentHaveDifferentKeys() {
    // Accepted by both feeds as an unknown type: admin_events here, legacy_car_events there.
    String event =
        "{\"type\":\"mystery\",\"id\":1,\"carId\":\"abc\",\"time\":\"2022-01-01T12:30:10Z\"}";
    List<Row> ds = rows(DS, "[" + event + "]");
    List<Row> legacy = rows(LEGACY, "[" + event + "]");
    assertEquals("admin_events", ds.get(0).table().name());
    assertEquals("legacy_car_events", legacy.get(0).table().name());
    assertNotEquals(ds.get(0).eventKey(), legacy.get(0).eventKey());
  }
}
