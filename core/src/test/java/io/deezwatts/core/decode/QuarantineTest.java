package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QuarantineTest {
  private static final IngestContext CTX =
      IngestContext.replay(Instant.parse("2024-05-01T10:00:00Z"));
  private static final String DS = "data-streams";
  private static final String LEGACY = "legacy-push";

  private static final String GOOD_DS =
      "{\"type\":\"car_ignition\",\"id\":433642,\"value\":false,\"vehicleId\":1337,"
          + "\"time\":\"2022-01-01T12:30:10Z\"}";
  private static final String GOOD_DS_2 =
      "{\"type\":\"can_odometer_km\",\"id\":433643,\"value\":94636,\"vehicleId\":1337,"
          + "\"time\":\"2022-01-01T12:31:10Z\"}";
  private static final String GOOD_LEGACY =
      "{\"type\":\"ignition_on\",\"carId\":\"3bbcee75-cecc-5b56-8031-b6641c1ed1f1\","
          + "\"time\":\"2017-01-01T12:30:10Z\"}";
  private static final String GOOD_LEGACY_2 =
      "{\"type\":\"odometer\",\"carId\":\"3bbcee75-cecc-5b56-8031-b6641c1ed1f1\","
          + "\"time\":\"2017-01-01T12:35:10Z\",\"odometer\":123123.0}";

  private static final String GPS_HEAD =
      "{\"type\":\"gps_position\",\"id\":157659647,\"vehicleId\":228745,"
          + "\"time\":\"2022-10-12T07:06:45.000Z\",";
  private static final String DTC_HEAD =
      "{\"type\":\"can_dtc\",\"id\":433642,\"diff\":\"change\",\"status\":\"68\",\"rxId\":\"7E8\","
          + "\"txId\":\"7E0\",\"transport\":\"ISOTP\",\"application\":\"UDS\","
          + "\"sourceType\":\"vag\",\"vehicleId\":1337,\"time\":\"2022-01-01T12:30:10Z\",";

  private static DecodedBulk decode(String feed, String body) throws BulkRejectedException {
    return BulkDecoder.forFeed(feed).decode(body.getBytes(StandardCharsets.UTF_8), CTX);
  }

  /**
   * Rewrites compact JSON the way the vendor writes it: a newline after every opening bracket and
   * comma, a space after every colon, and a trailing comma in every non-empty object and array.
   */
  static String sloppy(String compact) {
    StringBuilder out = new StringBuilder();
    boolean inString = false;
    char previous = 0;
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      if (inString) {
        out.append(c);
        if (c == '\\') {
          out.append(compact.charAt(++i));
        } else if (c == '"') {
          inString = false;
        }
      } else {
        switch (c) {
          case '"' -> {
            inString = true;
            out.append(c);
          }
          case '{', '[' -> out.append(c).append("\n  ");
          case ',' -> out.append(",\n  ");
          case ':' -> out.append(": ");
          case '}', ']' -> out.append(previous == '{' || previous == '[' ? "" : ",\n").append(c);
          default -> out.append(c);
        }
        previous = c;
      }
    }
    return out.toString();
  }

  static Stream<Arguments> badEvents() {
    return Stream.of(
        bad(DS, "latitude", GPS_HEAD + "\"latitude\":91,\"longitude\":17.4}"),
        bad(DS, "latitude", GPS_HEAD + "\"latitude\":-90.0001,\"longitude\":17.4}"),
        bad(DS, "longitude", GPS_HEAD + "\"latitude\":60.6,\"longitude\":-181}"),
        bad(DS, "direction", GPS_HEAD + "\"latitude\":60.6,\"longitude\":17.4,\"direction\":361}"),
        bad(DS, "speed", GPS_HEAD + "\"latitude\":60.6,\"longitude\":17.4,\"speed\":-1}"),
        bad(DS, "hdop", GPS_HEAD + "\"latitude\":60.6,\"longitude\":17.4,\"hdop\":1.5}"),
        bad(DS, "vehicleId", ignition("\"vehicleId\":2147483648")),
        bad(DS, "vehicleId", ignition("\"vehicleId\":-2147483649")),
        bad(DS, "vehicleId", ignition("\"vehicleId\":\"2147483648\"")),
        bad(DS, "vehicleId", ignition("\"vehicleId\":\"12a\"")),
        bad(DS, "vehicleId", ignition("\"vehicleId\":1337.5")),
        bad(DS, "id", ignitionWithId("99999999999999999999")),
        bad(DS, "id", ignitionWithId("\"99999999999999999999\"")),
        bad(DS, "id", ignitionWithId("\"\"")),
        bad(DS, "value", value("can_odometer_km", "\"abc\"")),
        bad(DS, "value", value("can_odometer_km", "true")),
        bad(DS, "value", value("car_battery_voltage", "\"10.5\"")),
        bad(DS, "value", value("car_battery_voltage", "1e999")),
        bad(DS, "value", value("car_battery_voltage", "-1e999")),
        bad(DS, "value", value("can_fuel_level_percent", "101")),
        bad(DS, "value", value("car_ignition", "\"true\"")),
        bad(DS, "value", value("car_ignition", "null")),
        bad(DS, "value", value("can_last_service_at_date", "\"2023-02-29\"")),
        bad(DS, "value", value("service_reminder_lead", "\"2022-01-01T12:30:10\"")),
        bad(DS, "ecu", DTC_HEAD + "\"code\":\"00430e\",\"ecu\":\"toaster\"}"),
        bad(DS, "code", DTC_HEAD + "\"code\":\"00430g\",\"ecu\":\"engine\"}"),
        bad(DS, "code", DTC_HEAD + "\"code\":\"\",\"ecu\":\"engine\"}"),
        bad(DS, "code", DTC_HEAD + "\"code\":null,\"ecu\":\"engine\"}"),
        bad(
            DS,
            "vehicleId",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(DS, "time", "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1337}"),
        bad(
            DS,
            "value",
            "{\"type\":\"car_ignition\",\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(
            DS,
            "time",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,\"time\":null}"),
        bad(
            DS,
            "value",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
                + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":false}"),
        bad(
            DS,
            "vehicleId",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
                + "\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(LEGACY, "carId", legacyCar("c".repeat(65))),
        bad(LEGACY, "carId", legacyCar("caf\u00e9")),
        bad(LEGACY, "carId", legacyCar("has space")),
        bad(LEGACY, "carId", legacyCar("")),
        bad(LEGACY, "userId", "{\"type\":\"user_remove\",\"userId\":\"" + "u".repeat(65) + "\"}"),
        bad(
            LEGACY,
            "carId",
            "{\"type\":\"car_add\",\"userId\":\"u1\",\"cars\":[{\"carId\":\"\u00fcber\"}]}"),
        bad(
            LEGACY,
            "long",
            "{\"type\":\"position\",\"carId\":\"abc\",\"time\":\"2017-01-01T12:30:10Z\","
                + "\"lat\":51.1,\"lon\":-2.1,\"long\":-2.1}"),
        bad(
            LEGACY,
            "lat",
            "{\"type\":\"position\",\"carId\":\"abc\",\"time\":\"2017-01-01T12:30:10Z\","
                + "\"lat\":91,\"lon\":-2.1}"),
        bad(DS, "type", "{\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(
            DS,
            "type",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
                + "\"time\":\"2022-01-01T12:30:10Z\",\"type\":\"car_ignition\"}"),
        bad(
            DS,
            "type",
            "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
                + "\"time\":\"2022-01-01T12:30:10Z\",\"type\":\"can_odometer_km\"}"),
        bad(
            LEGACY,
            "type",
            "{\"type\":\"ignition_on\",\"type\":\"ignition_on\",\"carId\":\"abc\","
                + "\"time\":\"2017-01-01T12:30:10Z\"}"),
        bad(DS, "type", "{\"type\":7,\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(
            DS,
            "type",
            "{\"type\":null,\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(
            DS,
            "vehicleId",
            "{\"type\":\"mystery\",\"id\":1,\"vehicleId\":2147483648,"
                + "\"time\":\"2022-01-01T12:30:10Z\"}"),
        bad(LEGACY, "mystery", "{\"type\":\"mystery\",\"time\":\"2017-01-01T12:30:10Z\"}"));
  }

  private static Arguments bad(String feed, String field, String compactEvent) {
    return Arguments.of(feed, field, compactEvent);
  }

  private static String ignition(String vehicleId) {
    return "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,"
        + vehicleId
        + ",\"time\":\"2022-01-01T12:30:10Z\"}";
  }

  private static String ignitionWithId(String id) {
    return "{\"type\":\"car_ignition\",\"id\":"
        + id
        + ",\"value\":true,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}";
  }

  private static String value(String type, String value) {
    return "{\"type\":\""
        + type
        + "\",\"id\":1,\"value\":"
        + value
        + ",\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}";
  }

  private static String legacyCar(String carId) {
    return "{\"type\":\"ignition_on\",\"carId\":\""
        + carId
        + "\",\"time\":\"2017-01-01T12:30:10Z\"}";
  }

  @ParameterizedTest(name = "{0}: {1} in {2}")
  @MethodSource("badEvents")
  void badEventIsQuarantinedAndItsNeighboursAreStored(String feed, String field, String event)
      throws Exception {
    String good1 = feed.equals(DS) ? GOOD_DS : GOOD_LEGACY;
    String good2 = feed.equals(DS) ? GOOD_DS_2 : GOOD_LEGACY_2;
    String body = "[\n" + sloppy(good1) + ",\n" + sloppy(event) + ",\n" + sloppy(good2) + ",\n]";

    DecodedBulk bulk = decode(feed, body);

    assertEquals(3, bulk.events());
    assertEquals(List.of(1), bulk.quarantined().stream().map(QuarantinedEvent::index).toList());
    QuarantinedEvent q = bulk.quarantined().get(0);
    assertTrue(q.reason().contains("event 1"), q.reason());
    // The field is named in quotes, alone or at the end of its path ('cars[0].carId').
    assertTrue(q.reason().matches(".*['.]" + Pattern.quote(field) + "'.*"), q.reason());
    assertEquals(feed, q.feed());
    assertEquals(event, q.raw().toString());
    assertTrue(q.eventKey().matches("[0-9a-f]{32}"), q.eventKey());

    assertEquals(2, bulk.rows().size());
    assertEquals(good1, bulk.rows().get(0).payload().toString());
    assertEquals(good2, bulk.rows().get(1).payload().toString());
  }

  @Test
  void reasonNamesTheFieldInQuotes() throws Exception {
    DecodedBulk bulk =
        decode(DS, "[" + GOOD_DS + "," + GPS_HEAD + "\"latitude\":91,\"longitude\":-181}]");
    String reason = bulk.quarantined().get(0).reason();
    assertTrue(reason.startsWith("event 1 (gps_position): "), reason);
    assertTrue(reason.contains("'latitude'"), reason);
    assertTrue(reason.contains("'longitude'"), reason);
    assertEquals("gps_position", bulk.quarantined().get(0).type());
  }

  @Test
  void mixedBulkQuarantinesExactlyTheBadIndexes() throws Exception {
    String body =
        "[\n"
            + String.join(
                ",\n",
                sloppy(GOOD_DS),
                sloppy(GPS_HEAD + "\"latitude\":91,\"longitude\":17.4}"),
                sloppy(GOOD_DS_2),
                "42",
                "\"not an event\"",
                sloppy(GPS_HEAD + "\"latitude\":60.5,\"longitude\":17.5,\"eph\":null}"),
                sloppy("{\"id\":5}"),
                "null",
                sloppy(DTC_HEAD + "\"code\":\"00430e\",\"ecu\":\"toaster\"}"),
                "[1,2]",
                sloppy(GOOD_DS))
            + ",\n]";

    DecodedBulk bulk = decode(DS, body);

    assertEquals(11, bulk.events());
    assertEquals(
        List.of(1, 3, 4, 6, 7, 8, 9),
        bulk.quarantined().stream().map(QuarantinedEvent::index).toList());
    for (QuarantinedEvent q : bulk.quarantined()) {
      assertTrue(q.reason().matches("event " + q.index() + "[ :].*"), q.reason());
    }
    assertEquals(4, bulk.rows().size());
    assertEquals(
        List.of("car_ignition", "can_odometer_km", "gps_position", "car_ignition"),
        bulk.rows().stream().map(Row::type).toList());
    assertEquals(60.5, bulk.rows().get(2).get("gps.latitude"));
    assertEquals(Instant.parse("2022-10-12T07:06:45Z"), bulk.rows().get(2).time());
  }

  @Test
  void elementsThatAreNotObjectsAreQuarantinedAsSent() throws Exception {
    DecodedBulk bulk = decode(DS, "[ 42 , \"oops, ]\" , true , null , [ 1 , 2 , ] , 1.50e2 ]");

    assertEquals(6, bulk.events());
    assertEquals(0, bulk.rows().size());
    List<QuarantinedEvent> q = bulk.quarantined();
    assertEquals(
        List.of("42", "\"oops, ]\"", "true", "null", "[1,2]", "1.50e2"),
        q.stream().map(e -> e.raw().toString()).toList());
    assertTrue(q.get(0).reason().contains("event 0") && q.get(0).reason().contains("number"));
    assertTrue(q.get(1).reason().contains("event 1") && q.get(1).reason().contains("string"));
    assertTrue(q.get(4).reason().contains("event 4") && q.get(4).reason().contains("array"));
    assertNull(q.get(0).type());
  }

  @Test
  void idsAcceptStringsOfDigits() throws Exception {
    DecodedBulk bulk =
        decode(
            DS,
            "[{\"type\":\"car_ignition\",\"id\":\"433642\",\"value\":false,"
                + "\"vehicleId\":\"-2147483648\",\"time\":\"2022-01-01T12:30:10Z\"},"
                + "{\"type\":\"car_ignition\",\"id\":\"9223372036854775807\",\"value\":true,"
                + "\"vehicleId\":2147483647,\"time\":\"2022-01-01T12:30:10Z\"}]");
    assertEquals(List.of(), bulk.quarantined());
    assertEquals(433642L, bulk.rows().get(0).get("id"));
    assertEquals(-2147483648L, bulk.rows().get(0).get("vehicle_id"));
    assertEquals(Long.MAX_VALUE, bulk.rows().get(1).get("id"));
  }

  @Test
  void legacyIdOfExactly64AsciiCharactersIsStoredLowercased() throws Exception {
    String id = "AbC-".repeat(16);
    DecodedBulk bulk = decode(LEGACY, "[" + legacyCar(id) + "]");
    assertEquals(List.of(), bulk.quarantined());
    assertEquals(id.toLowerCase(java.util.Locale.ROOT), bulk.rows().get(0).get("car_id"));
  }

  @Test
  void unknownTypeWithVehicleIdIsAVehicleEventWithItsRawPayload() throws Exception {
    String event =
        "{\"type\":\"mystery_sensor\",\"id\":\"77\",\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T13:30:10+01:00\",\"reading\":{\"a\":[1,2.50,\"x\"]}}";
    DecodedBulk bulk = decode(DS, "[" + GOOD_DS + "," + sloppy(event) + "]");

    assertEquals(List.of(), bulk.quarantined());
    Row row = bulk.rows().get(1);
    assertEquals("vehicle_events", row.table().name());
    assertEquals("mystery_sensor", row.type());
    assertEquals(1337L, row.get("vehicle_id"));
    assertEquals(77L, row.get("id"));
    assertEquals(Instant.parse("2022-01-01T12:30:10Z"), row.time());
    assertEquals(event, row.payload().toString());
  }

  @Test
  void unknownTypeWithFleetIdOnlyIsAnAdminEvent() throws Exception {
    String event =
        "{\"type\":\"fleet_renamed\",\"id\":9,\"fleetId\":47583,\"name\":\"North\","
            + "\"time\":\"2022-01-01T12:30:10Z\"}";
    DecodedBulk bulk = decode(DS, "[" + sloppy(event) + "]");

    assertEquals(List.of(), bulk.quarantined());
    Row row = bulk.rows().get(0);
    assertEquals("admin_events", row.table().name());
    assertEquals("fleet_renamed", row.type());
    assertEquals(9L, row.get("id"));
    assertEquals(47583L, row.get("fleet_id"), "fleetId lands in its column");
    assertNull(row.get("vehicle_id"));
    assertEquals(event, row.payload().toString());
  }

  @Test
  void legacyUnknownTypeWithCarIdIsALegacyCarEvent() throws Exception {
    String event =
        "{\"type\":\"tyre_pressure\",\"carId\":\"ABC-1\",\"time\":\"2017-01-01T12:30:10Z\","
            + "\"bar\":2.4}";
    DecodedBulk bulk = decode(LEGACY, "[" + sloppy(event) + "]");

    assertEquals(List.of(), bulk.quarantined());
    Row row = bulk.rows().get(0);
    assertEquals("legacy_car_events", row.table().name());
    assertEquals("tyre_pressure", row.type());
    assertEquals("abc-1", row.get("car_id"));
    assertEquals(event, row.payload().toString());
  }

  @Test
  void extraUnknownFieldsOnAKnownTypeAreKeptInThePayload() throws Exception {
    String event =
        "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1337,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"firmware\":{\"v\":[1,2,{\"x\":null}]},"
            + "\"note\":\"a, b ]\"}";
    DecodedBulk bulk = decode(DS, "[" + sloppy(event) + "]");

    assertEquals(List.of(), bulk.quarantined());
    Row row = bulk.rows().get(0);
    assertEquals(true, row.get("value_bool"));
    assertEquals(event, row.payload().toString());
  }

  @Test
  void reSentBadEventKeepsItsQuarantineKey() throws Exception {
    String event = GPS_HEAD + "\"latitude\":91,\"longitude\":17.4}";
    QuarantinedEvent first = decode(DS, "[" + event + "]").quarantined().get(0);
    QuarantinedEvent again =
        decode(DS, "[" + GOOD_DS + ",\n" + sloppy(event) + "]").quarantined().get(0);
    QuarantinedEvent other =
        decode(DS, "[" + GPS_HEAD + "\"latitude\":92,\"longitude\":17.4}]").quarantined().get(0);
    assertEquals(first.eventKey(), again.eventKey());
    assertTrue(!first.eventKey().equals(other.eventKey()));
  }

  @Test
  void aConnectedCarsEventCalledVehiclesIsAnUnknownTypeNotAViricitiMessage() throws Exception {
    String vehicles =
        "{\"type\":\"vehicles\",\"id\":1,\"vehicleId\":2,\"time\":\"2022-01-01T12:30:10Z\"}";
    // Plain (the byte scanner), escaped (Jackson) and the legacy feed: each keeps it as a row.
    for (String[] c :
        new String[][] {
          {DS, "[" + vehicles + "," + GOOD_DS + "]"},
          {DS, "[" + vehicles.replace("\"id\"", "\"i\\u0064\"") + "," + GOOD_DS + "]"},
          {
            LEGACY,
            "[{\"type\":\"vehicles\",\"carId\":\"abc\",\"time\":\"2017-01-01T12:30:10Z\"},"
                + GOOD_LEGACY
                + "]"
          }
        }) {
      DecodedBulk bulk = decode(c[0], c[1]);
      assertEquals(2, bulk.rows().size(), c[1]);
      assertEquals("vehicles", bulk.rows().get(0).get("type"), c[1]);
      assertTrue(bulk.quarantined().isEmpty(), c[1]);
    }
  }
}
