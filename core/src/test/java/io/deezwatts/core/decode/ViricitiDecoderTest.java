package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ViricitiDecoderTest {
  private static final IngestContext CTX =
      IngestContext.replay(Instant.parse("2024-05-01T10:00:00Z"));
  private static final BulkDecoder DECODER = BulkDecoder.forFeed("viriciti");

  private static final String GPS_POINT =
      "{\"type\":\"vehicles\",\"payload\":{\"time\":1552665821000,"
          + "\"value\":\"52.3702157|4.8951679\",\"label\":\"gps\",\"vid\":\"vehicle_1\"}}";
  private static final String ERROR = "{\"type\":\"error\",\"payload\":\"Unauthorized\"}";
  private static final String ACL =
      "{\"type\":\"acl\",\"payload\":{\"vehicles\":[\"vehicle_1\"],\"chargestations\":[]}}";
  private static final String UNKNOWN_PARAMETER =
      "{\"type\":\"chargestations\",\"payload\":{\"parameter\":\"temperature\","
          + "\"identity\":\"charger_1\",\"time\":\"2019-11-07T09:11:01.144Z\",\"value\":21}}";
  private static final String UNKNOWN_TYPE =
      "{\"type\":\"weather\",\"payload\":{\"temperature\":21}}";

  private static DecodedBulk stream;

  private static String fixture(String name) {
    try (InputStream in =
        ViricitiDecoderTest.class.getResourceAsStream("/spec-examples/viriciti/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static DecodedBulk decode(String body) throws BulkRejectedException {
    return DECODER.decode(body.getBytes(StandardCharsets.UTF_8), CTX);
  }

  /** Messages 0 to 13 of one socket session, as the vendor's examples print them. */
  @BeforeAll
  static void decodeTheStream() throws Exception {
    String body =
        String.join(
            "\n",
            fixture("vehicles.json"), // 0
            GPS_POINT, // 1
            fixture("chargestations-alive.json"), // 2
            fixture("chargestations-status.json"), // 3
            fixture("chargestations-power.json"), // 4
            fixture("chargestations-soc.json"), // 5
            fixture("chargestations-transactions.json"), // 6
            "{\"type\":\"incidents\",\"payload\":" + fixture("incident-object.json") + "}", // 7
            ERROR, // 8
            ACL, // 9
            fixture("subscription-vehicles.json"), // 10
            UNKNOWN_PARAMETER, // 11
            UNKNOWN_TYPE, // 12
            fixture("subscription-chargestations.json"), // 13
            fixture("vehicles.json")); // 14
    stream = decode(body);
  }

  private static Row row(String type) {
    List<Row> rows = stream.rows().stream().filter(r -> r.type().equals(type)).toList();
    assertEquals(1, rows.size(), type);
    return rows.get(0);
  }

  @Test
  void everyDataMessageIsARowOrQuarantined() {
    assertEquals(
        List.of(
            "vehicles",
            "vehicles",
            "chargestations.alive",
            "chargestations.status",
            "chargestations.power",
            "chargestations.soc",
            "chargestations.transactions",
            "incidents",
            "vehicles"),
        stream.rows().stream().map(Row::type).toList());
    assertEquals(
        List.of(11, 12), stream.quarantined().stream().map(QuarantinedEvent::index).toList());
    assertEquals(11, stream.events());
  }

  @Test
  void controlMessagesAreNeitherRowsNorQuarantined() {
    List<ControlMessage> control = stream.control();
    assertEquals(List.of(8, 9, 10, 13), control.stream().map(ControlMessage::index).toList());
    assertEquals(
        List.of("error", "acl", "subscription-echo", "subscription-echo"),
        control.stream().map(ControlMessage::kind).toList());
    assertEquals(ERROR, control.get(0).message().toString());
    assertEquals(ACL, control.get(1).message().toString());
    assertEquals(
        "{\"vehicles\":{\"vehicle_1\":[\"soc\",\"voltage\",\"current\"],\"vehicle_2\":[\"odo\"]}}",
        control.get(2).message().toString());
  }

  @Test
  void unknownParameterAndUnknownTypeAreQuarantinedWithTheirMessageIndex() {
    QuarantinedEvent parameter = stream.quarantined().get(0);
    assertTrue(parameter.reason().startsWith("message 11 "), parameter.reason());
    assertTrue(parameter.reason().contains("temperature"), parameter.reason());
    assertEquals(UNKNOWN_PARAMETER, parameter.raw().toString());
    assertEquals("viriciti", parameter.feed());

    QuarantinedEvent type = stream.quarantined().get(1);
    assertTrue(type.reason().startsWith("message 12 "), type.reason());
    assertTrue(type.reason().contains("weather"), type.reason());
    assertEquals(UNKNOWN_TYPE, type.raw().toString());
  }

  @Test
  void vehicleDataPoint() {
    Row soc = stream.rows().get(0);
    assertEquals("viriciti_vehicle_data", soc.table().name());
    assertEquals("vehicle_1", soc.get("vid"));
    assertEquals("soc", soc.get("label"));
    assertEquals(88.6, soc.get("value_num"));
    assertNull(soc.get("value_string"));
    assertNull(soc.get("gps.latitude"));
    assertEquals(Instant.ofEpochMilli(1552665820742L), soc.time());
    assertEquals(
        "{\"type\":\"vehicles\",\"payload\":{\"time\":1552665820742,\"value\":88.6,"
            + "\"label\":\"soc\",\"vid\":\"vehicle_1\"}}",
        soc.payload().toString());
    assertEquals(soc.eventKey(), stream.rows().get(8).eventKey());
  }

  @Test
  void gpsStringFillsLatitudeAndLongitude() {
    Row gps = stream.rows().get(1);
    assertEquals("gps", gps.get("label"));
    assertEquals("52.3702157|4.8951679", gps.get("value_string"));
    assertEquals(52.3702157, gps.get("gps.latitude"));
    assertEquals(4.8951679, gps.get("gps.longitude"));
    assertEquals(Instant.ofEpochMilli(1552665821000L), gps.time());
    assertEquals(GPS_POINT, gps.payload().toString());
  }

  @Test
  void gpsStringThatIsNotAPositionIsKeptAsAString() throws Exception {
    DecodedBulk bulk =
        decode(
            GPS_POINT.replace("52.3702157|4.8951679", "n/a")
                + "\n"
                + GPS_POINT.replace("52.3702157|4.8951679", "91|4.9")
                + "\n"
                + GPS_POINT.replace("52.3702157|4.8951679", "-33.92188915|18.41570377"));
    assertEquals(3, bulk.rows().size());
    assertEquals("n/a", bulk.rows().get(0).get("value_string"));
    assertNull(bulk.rows().get(0).get("gps.latitude"));
    assertNull(bulk.rows().get(1).get("gps.latitude"));
    assertEquals(-33.92188915, bulk.rows().get(2).get("gps.latitude"));
    assertEquals(18.41570377, bulk.rows().get(2).get("gps.longitude"));
  }

  @Test
  void chargestationAlive() {
    Row alive = row("chargestations.alive");
    assertEquals("viriciti_chargestation_data", alive.table().name());
    assertEquals("charger_1", alive.get("identity"));
    assertEquals("alive", alive.get("parameter"));
    assertEquals(true, alive.get("value_bool"));
    assertNull(alive.get("connector"));
    assertEquals(Instant.parse("2019-11-07T09:00:36.258Z"), alive.time());
  }

  @Test
  void chargestationStatus() {
    Row status = row("chargestations.status");
    assertEquals(1L, status.get("connector"));
    assertEquals("Charging", status.get("status.status"));
    assertEquals("NoError", status.get("status.error_code"));
    assertEquals(Instant.parse("2019-11-07T09:07:23.006Z"), status.time());
    assertTrue(
        status.payload().toString().startsWith("{\"type\":\"chargestations\",\"payload\":{"));
    assertTrue(!status.payload().toString().contains("//"), status.payload().toString());
  }

  @Test
  void chargestationPowerAndSoc() {
    Row power = row("chargestations.power");
    assertEquals(149520.0, power.get("value_num"));
    assertEquals(1L, power.get("connector"));
    Row soc = row("chargestations.soc");
    assertEquals(69.0, soc.get("value_num"));
    assertEquals("charger_2", soc.get("identity"));
    assertEquals(2L, soc.get("connector"));
    assertEquals(Instant.parse("2019-11-07T09:11:01.144Z"), soc.time());
  }

  @Test
  void chargestationTransaction() {
    Row tx = row("chargestations.transactions");
    assertEquals("charger_3", tx.get("identity"));
    assertEquals(7347L, tx.get("transaction.transaction_id"));
    assertEquals("start", tx.get("transaction.event"));
    assertEquals("34:5A:7F:01:11:BB:C9:98", tx.get("transaction.mac"));
    assertEquals("AMS E0013", tx.get("transaction.vehicle"));
    assertEquals("vehicle_1", tx.get("transaction.vid"));
    assertEquals("XL901E2TXLF530062", tx.get("transaction.vin"));
    assertEquals("345A7F0111BBC998", tx.get("transaction.id_tag"));
    assertEquals(0.0, tx.get("transaction.meter_start"));
    assertNull(tx.get("transaction.meter_stop"));
    assertEquals(Instant.parse("2019-11-07T13:48:19.101Z"), tx.time());
  }

  @Test
  void incident() {
    Row incident = row("incidents");
    assertEquals("viriciti_incidents", incident.table().name());
    assertEquals("incident_02", incident.get("incident"));
    assertEquals("Battery SoC less than 15%", incident.get("name"));
    assertEquals("vehicle_1", incident.get("vid"));
    assertEquals(true, incident.get("reported"));
    assertEquals("[]", incident.get("triggered_labels").toString());
    assertEquals(Instant.ofEpochMilli(1563334177071L), incident.time());
    assertEquals(Instant.ofEpochMilli(1563334169921L), incident.get("start_time"));
    assertEquals(Instant.ofEpochMilli(1563334177071L), incident.get("end_time"));
  }

  @Test
  void combinedSubscriptionEchoIsAControlMessage() throws Exception {
    String echo =
        "{\"vehicles\":{\"vehicle_1\":[\"soc\"]},\"incidents\":{\"query\":{\"vehicles\":[]}}}";
    DecodedBulk bulk = decode(echo + "\n" + fixture("vehicles.json"));
    assertEquals(1, bulk.control().size());
    assertEquals("subscription-echo", bulk.control().get(0).kind());
    assertEquals(echo, bulk.control().get(0).message().toString());
    assertEquals(1, bulk.rows().size());
    assertEquals(1, bulk.events());
  }

  /** The vendor prints its examples with // comments; Jackson ends them at CR as well as LF. */
  @Test
  void commentsEndedByCarriageReturnsAreRemovedFromPayloads() throws Exception {
    DecodedBulk bulk = decode(fixture("vehicles.json").replace("\n", "\r"));
    assertEquals(1, bulk.rows().size());
    assertEquals(
        stream.rows().get(0).payload().toString(), bulk.rows().get(0).payload().toString());
  }

  @Test
  void malformedMessagesAreQuarantinedWithTheirIndex() throws Exception {
    DecodedBulk bulk =
        decode(
            String.join(
                "\n",
                ERROR,
                "{\"type\":\"chargestations\",\"payload\":{\"identity\":\"c\","
                    + "\"time\":\"2019-11-07T09:11:01.144Z\",\"value\":1}}",
                "{\"type\":\"vehicles\",\"payload\":\"soc=88\"}",
                "{\"payload\":{\"label\":\"soc\"}}",
                "42",
                "{\"type\":\"chargestations\",\"payload\":{\"parameter\":\"soc\","
                    + "\"identity\":\"c\",\"time\":\"2019-11-07T09:11:01.144Z\",\"value\":101}}",
                "{\"type\":\"vehicles\",\"payload\":{\"time\":1552665820742,\"value\":1,"
                    + "\"label\":\"soc\"}}",
                fixture("vehicles.json")));
    assertEquals(
        List.of(1, 2, 3, 4, 5, 6),
        bulk.quarantined().stream().map(QuarantinedEvent::index).toList());
    for (QuarantinedEvent q : bulk.quarantined()) {
      assertTrue(q.reason().matches("message " + q.index() + "[ :].*"), q.reason());
    }
    List<String> reasons = bulk.quarantined().stream().map(QuarantinedEvent::reason).toList();
    assertTrue(reasons.get(0).contains("parameter'"), reasons.get(0));
    assertTrue(reasons.get(1).contains("'payload'"), reasons.get(1));
    assertTrue(reasons.get(2).contains("'type'"), reasons.get(2));
    assertTrue(reasons.get(3).contains("not a JSON object"), reasons.get(3));
    assertTrue(reasons.get(4).contains("value'"), reasons.get(4));
    assertTrue(reasons.get(5).contains("vid'"), reasons.get(5));
    assertEquals(1, bulk.rows().size());
    assertEquals(1, bulk.control().size());
    assertEquals(7, bulk.events());
  }
}
