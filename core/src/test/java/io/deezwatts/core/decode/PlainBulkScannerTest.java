package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The plain scanner is a shortcut: for every body, decoding must give exactly what the Jackson path
 * gives (rows, keys, quarantine reasons, rejections). These tests hold the two paths equal, and
 * check which bodies take the shortcut, so that equality is not met by never taking it.
 */
class PlainBulkScannerTest {
  private static final IngestContext CTX =
      new IngestContext(
          Instant.parse("2026-11-21T08:00:00.123456Z"),
          IngestContext.Source.PUBSUB,
          "req-1",
          "msg-1",
          Map.of("attempt", "1"));

  private static final String GPS =
      "{\"id\":433642,\"vehicleId\":1337,\"time\":\"2022-01-01T12:30:10.123Z\","
          + "\"type\":\"gps_position\",\"latitude\":55.6761,\"longitude\":12.5683,"
          + "\"speed\":42,\"direction\":180,\"eph\":null,\"hdop\":7}";

  private static JsonBulkDecoder decoder(String feed) {
    return (JsonBulkDecoder) BulkDecoder.forFeed(feed);
  }

  /** Asserts that both paths give the same outcome, and whether the shortcut took the body. */
  private static DecodedBulk assertSame(String feed, String body, boolean plain) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    JsonBulkDecoder d = decoder(feed);
    assertEquals(plain, d.decodesPlainly(bytes, CTX), "takes the plain path: " + body);
    Object expected = outcome(() -> d.decodeWithJackson(bytes, CTX));
    Object actual = outcome(() -> d.decode(bytes, CTX));
    assertEquals(expected, actual, body);
    return actual instanceof Comparable c ? (DecodedBulk) c.parts().get(0) : null;
  }

  private interface Decode {
    DecodedBulk run() throws BulkRejectedException;
  }

  /** A comparable form of a decode's outcome: every value, or the rejection. */
  private static Object outcome(Decode decode) {
    try {
      DecodedBulk b = decode.run();
      List<Object> rows = new ArrayList<>();
      for (Row row : b.rows()) {
        rows.add(List.of(row.table().name(), normal(row.values())));
      }
      List<Object> result = new ArrayList<>();
      result.add(b);
      result.add(List.of(b.events(), rows, b.quarantined(), b.control()));
      return new Comparable(result);
    } catch (BulkRejectedException e) {
      return "rejected at " + e.getMessage();
    }
  }

  /** Compares by the second element only (the bulk itself has no value equality). */
  private record Comparable(List<Object> parts) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Comparable c && parts.get(1).equals(c.parts.get(1));
    }

    @Override
    public int hashCode() {
      return parts.get(1).hashCode();
    }

    @Override
    public String toString() {
      return parts.get(1).toString();
    }
  }

  private static Object normal(Object v) {
    if (v instanceof Object[] a) {
      List<Object> out = new ArrayList<>();
      for (Object x : a) {
        out.add(normal(x));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) {
        out.add(normal(x));
      }
      return out;
    }
    return v == null ? "null" : v.getClass().getSimpleName() + ":" + v;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        " \n[ ]\r\n\t",
        "[" + GPS + "]",
        "[" + GPS + "," + GPS + "]",
        "[" + GPS + ",]",
        "[\n  {\n    \"type\": \"calc_vehicle_idle\",\n    \"id\": 433642,\n    \"value\": false,"
            + "\n    \"vehicleId\": 1337,\n    \"time\": \"2022-01-01T12:30:10Z\",\n  }\n]",
        "[{\"type\":\"car_ignition\",\"id\":1,\"vehicleId\":2,\"time\":\"2022-01-01T12:30:10+01:00\","
            + "\"value\":true}]",
        "[{\"id\":-1,\"vehicleId\":-0,\"time\":\"2022-01-01T12:30:10Z\",\"type\":\"car_ignition\","
            + "\"value\":true}]",
        "[{\"id\":123456789012345678,\"vehicleId\":1,\"time\":\"2022-01-01t12:30:10.1234567z\","
            + "\"type\":\"can_vehicle_speed_kph\",\"value\":-2.5e+3}]",
        "[{\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\","
            + "\"type\":\"can_vehicle_speed_kph\",\"value\":1E-7,\"extra\":{\"a\":[1,[2,{}],\"x\"],"
            + "\"b\":null,},\"more\":[],}]",
        "[{\"type\":\"can_vehicle_speed_kph\",\"value\":0.30000000000000004,\"id\":1,"
            + "\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}]",
        "[{\"type\":\"can_vehicle_speed_kph\",\"value\":9007199254740993.5,\"id\":1,"
            + "\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}]",
        "[{\"type\":\"can_vehicle_speed_kph\",\"value\":1.7976931348623157e308,\"id\":1,"
            + "\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}]",
        "[{\"type\":\"can_vehicle_speed_kph\",\"value\":1e400,\"id\":1,"
            + "\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\"}]",
        // quarantined in many ways, still plain JSON
        "[{\"id\":1,\"vehicleId\":1,\"time\":\"yesterday\",\"type\":\"car_ignition\",\"value\":1}]",
        "[{\"id\":1,\"vehicleId\":1,\"time\":\"2022-02-30T00:00:00Z\",\"type\":\"car_ignition\"}]",
        "[{\"id\":1,\"vehicleId\":1,\"type\":\"car_ignition\",\"type\":\"car_ignition\"}]",
        "[{\"id\":1,\"vehicleId\":1,\"type\":\"no_such_type\",\"value\":[1,2]}]",
        "[{\"id\":1,\"vehicleId\":1,\"type\":7}]",
        "[{\"id\":1,\"vehicleId\":1,\"value\":null}]",
        "[{\"id\":1.5,\"vehicleId\":\"1\",\"time\":null,\"type\":\"gps_position\",\"speed\":-3}]",
        "[{\"id\":1,\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\",\"type\":\"can_dtc\","
            + "\"code\":\"C0FFEE\",\"diff\":\"add\",\"status\":\"08\",\"rxId\":\"7E8\","
            + "\"txId\":\"7E0\",\"transport\":\"ISOTP\",\"application\":\"UDS\",\"ecu\":\"x\","
            + "\"sourceType\":\"vag\",\"rxLocalId\":null,\"txLocalId\":null,\"\":\"~\u007f\"}]",
      })
  void plainBodiesDecodeAsWithJackson(String body) {
    for (String feed : List.of("data-streams", "legacy-push")) {
      assertSame(feed, body, true);
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "{}",
        "[1]",
        "[{}, 2]",
        "[,]",
        "[{},,]",
        "[{}]]",
        "[{}] x",
        "[{}",
        "[{\"a\":1",
        "[{\"a\":01}]",
        "[{\"a\":+1}]",
        "[{\"a\":1.}]",
        "[{\"a\":.5}]",
        "[{\"a\":1e}]",
        "[{\"a\":-}]",
        "[{\"a\":NaN}]",
        "[{\"a\":tru}]",
        "[{\"a\":truex}]",
        "[{\"a\":nul}]",
        "[{\"a\":1234567890123456789}]",
        "[{\"a\":-123456789012345678}]",
        "[{\"a\":99999999999999999999999999}]",
        "[{\"a\" 1}]",
        "[{\"a\":1 \"b\":2}]",
        "[{a:1}]",
        "[{\"a\":'x'}]",
        "[{\"a\":\"\\\"\"}]",
        "[{\"a\\u0041\":1}]",
        "[{\"type\":\"gps\\u005fposition\",\"id\":1}]",
        "[{\"a\":\"é\"}]",
        "[{\"é\":1}]",
        "[{\"a\":\"tab\there\"}]",
        "[{\"a\":1} /* comment */]",
        "[{\"a\":[[[[[[[[[[1]]]]]]]]]]}]",
        "\uFEFF[{\"a\":1}]",
      })
  void otherBodiesGoToJacksonWithTheSameOutcome(String body) {
    for (String feed : List.of("data-streams", "legacy-push")) {
      assertSame(feed, body, false);
    }
  }

  /**
   * Names are recognised by comparing their bytes with the name that followed the previous one last
   * time: events that change their field order, names that differ from a known one in one byte, in
   * length by one, or only after the eighth byte, unknown names between known ones, and names and
   * strings ending within 16 bytes of the body's end (where the word compare is not used), must all
   * read as Jackson reads them. Strings of every length up to 40 also cross the 8-byte steps of the
   * string scan, and integers and decimals of every length the 8-digit steps of the number scan.
   */
  @Test
  void namesStringsAndNumbersAtEveryOffsetDecodeAsWithJackson() {
    String[] names = {
      "value", "valuE", "valu", "values", "latitude", "latitudf", "latitudes", "longitude",
      "longitudE", "vehicleId", "vehicleIdx", "gForce", "direction", "directiom", "hdop", "eph",
      "x", "", "serviceAndDid", "serviceAndDiD", "useFunctionalAddressing", "type2", "tim"
    };
    String[] types = {"gps_position", "can_vehicle_speed_kph", "car_profiling", "can_dtc"};
    Random r = new Random(0xFEEDL);
    for (int round = 0; round < 40; round++) {
      StringBuilder sb = new StringBuilder("[");
      int events = 1 + r.nextInt(12);
      for (int e = 0; e < events; e++) {
        List<String> members = new ArrayList<>();
        members.add("\"id\":" + r.nextInt(1_000_000_000));
        members.add("\"vehicleId\":" + (r.nextLong() >>> (10 + r.nextInt(50))));
        members.add("\"time\":\"2022-01-0" + (1 + r.nextInt(3)) + "T12:30:10Z\"");
        members.add("\"type\":\"" + types[r.nextInt(types.length)] + "\"");
        for (int k = r.nextInt(6); k > 0; k--) {
          String value =
              switch (r.nextInt(4)) {
                case 0 -> "\"" + "abcdefgh".repeat(5).substring(0, r.nextInt(41)) + "\"";
                case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(9)));
                case 2 ->
                    "0.000" + Long.toString(r.nextLong() >>> 1).substring(0, 1 + r.nextInt(18));
                default -> Long.toString(r.nextLong() >> r.nextInt(64) >>> 5);
              };
          members.add("\"" + names[r.nextInt(names.length)] + "\":" + value);
        }
        if (r.nextInt(3) == 0) {
          java.util.Collections.shuffle(members, r);
        }
        sb.append(e == 0 ? "" : ",").append('{').append(String.join(",", members)).append('}');
      }
      // Short last events put names and numbers close to the body's end.
      for (String tail :
          List.of("]", ",{\"x\":1}]", ",{\"id\":1,\"eph\":2}]", ",{\"valu\":\"ab\"}]")) {
        assertSame("data-streams", sb + tail, true);
      }
    }
  }

  @Test
  void viricitiNeverTakesThePlainPath() {
    byte[] body =
        "{\"type\":\"vehicles\",\"payload\":{\"vid\":\"1\"}}".getBytes(StandardCharsets.UTF_8);
    assertFalse(decoder("viriciti").decodesPlainly(body, CTX));
  }

  /** Decimals of every length and scale parse to the same bits as through Jackson. */
  @Test
  void decimalsParseToTheSameBits() {
    Random r = new Random(0x5EEDL);
    StringBuilder sb = new StringBuilder("[");
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String text =
          switch (i % 4) {
            case 0 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(12)));
            case 1 -> new BigDecimal(r.nextLong()).movePointLeft(r.nextInt(25)).toPlainString();
            case 2 -> "-0." + "0".repeat(r.nextInt(20)) + (1 + r.nextInt(1_000_000));
            default ->
                (r.nextBoolean() ? "-" : "")
                    + r.nextInt(100_000)
                    + "."
                    + String.format("%0" + (1 + r.nextInt(18)) + "d", Math.abs(r.nextLong() % 1000))
                    + (r.nextBoolean() ? "" : "e" + (r.nextInt(40) - 20));
          };
      if (text.length() > 60 || !text.contains(".")) {
        text = "1.5";
      }
      texts.add(text);
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"id\":")
          .append(i)
          .append(",\"vehicleId\":1,\"time\":\"2022-01-01T12:30:10Z\",")
          .append("\"type\":\"can_ambient_air_temperature_celsius\",\"value\":")
          .append(text)
          .append('}');
    }
    DecodedBulk bulk = assertSame("data-streams", sb.append(']').toString(), true);
    // Every value was read, as a row or quarantined with its number in the reason.
    assertEquals(texts.size(), bulk.events());
    int checked = 0;
    for (Row row : bulk.rows()) {
      Object id = row.get("id");
      assertInstanceOf(Long.class, id);
      Object value =
          row.values().stream().filter(Double.class::isInstance).findFirst().orElse(null);
      assertEquals(Double.parseDouble(texts.get((int) (long) (Long) id)), value);
      checked++;
    }
    assertTrue(checked > 1000, "rows checked: " + checked);
  }
}
