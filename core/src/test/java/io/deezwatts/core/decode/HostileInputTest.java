package io.deezwatts.core.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HostileInputTest {
  private static final IngestContext CTX =
      IngestContext.replay(Instant.parse("2024-05-01T10:00:00Z"));
  private static final BulkDecoder DS = BulkDecoder.forFeed("data-streams");
  private static final BulkDecoder VIRICITI = BulkDecoder.forFeed("viriciti");
  private static final String GOOD =
      "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1337,"
          + "\"time\":\"2022-01-01T12:30:10Z\"}";

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static BulkRejectedException rejected(BulkDecoder decoder, byte[] body) {
    BulkRejectedException e =
        assertThrows(BulkRejectedException.class, () -> decoder.decode(body, CTX));
    assertSafeMessage(e.getMessage());
    return e;
  }

  /** Short, for the sender: no Jackson names, exception classes or stack traces. */
  private static void assertSafeMessage(String message) {
    assertTrue(message != null && !message.isBlank(), "no message");
    String lower = message.toLowerCase(Locale.ROOT);
    for (String leak :
        new String[] {
          "jackson", "com.fasterxml", "exception", "streamread", "jsonread", "`", "\tat "
        }) {
      assertFalse(lower.contains(leak), () -> "message leaks '" + leak + "': " + message);
    }
    assertTrue(message.length() < 300, () -> "message too long: " + message);
  }

  private static void assertMentions(String message, String... words) {
    for (String w : words) {
      assertTrue(
          message.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)),
          () -> "'" + message + "' does not mention " + w);
    }
  }

  static Stream<Arguments> notAnArray() {
    return Stream.of(
        Arguments.of("an object", GOOD, "array"),
        Arguments.of("a string", "\"[1,2]\"", "array"),
        Arguments.of("a number", "42", "array"),
        Arguments.of("true", "true", "array"),
        Arguments.of("null", "null", "array"),
        Arguments.of("empty", "", "array"),
        Arguments.of("whitespace only", " \n\t\r\n ", "array"),
        Arguments.of("garbage", "garbage", "JSON"),
        Arguments.of("a lone bracket", "]", "JSON"),
        Arguments.of("two arrays", "[] []", "array"),
        Arguments.of("an array then junk", "[" + GOOD + "] x", "JSON"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notAnArray")
  void bodyThatIsNotAJsonArrayIsRejected(String name, String body, String mention) {
    BulkRejectedException e = rejected(DS, utf8(body));
    assertMentions(e.getMessage(), mention);
  }

  static Stream<Arguments> truncated() {
    return Stream.of(
        Arguments.of("[", 0),
        Arguments.of("[" + GOOD.substring(0, 30), 0),
        Arguments.of("[" + GOOD + ",", 1),
        Arguments.of("[" + GOOD + "," + GOOD.substring(0, GOOD.length() - 1), 1),
        Arguments.of("[" + GOOD + "," + GOOD, 2), // stops after the second event
        Arguments.of("[" + GOOD + " " + GOOD + "]", 1),
        Arguments.of("[{\"type\":\"car_ignition\",\"value\":tru}]", 0),
        Arguments.of("[{\"type\":\"car_ignition\" \"value\":true}]", 0),
        Arguments.of("[{'type':'car_ignition'}]", 0),
        Arguments.of("[{\"type\":\"car\ningition\"}]", 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncated")
  void truncatedOrMalformedArrayIsRejectedAtItsEvent(String body, int index) {
    BulkRejectedException e = rejected(DS, utf8(body));
    assertMentions(e.getMessage(), "JSON", "event " + index);
    assertEquals(index, e.eventIndex(), e.getMessage());
  }

  @Test
  void emptyArrayIsAnEmptyBulk() throws Exception {
    DecodedBulk bulk = DS.decode(utf8(" [ ] "), CTX);
    assertEquals(0, bulk.events());
    assertEquals(0, bulk.rows().size());
    assertEquals(0, bulk.quarantined().size());
  }

  private static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  @Test
  void nestingDeeperThanTheLimitIsRejectedAtItsEvent() {
    // The bulk's array and the event object are two levels; the extra field adds the rest.
    String deep =
        "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"deep\":"
            + nested(Limits.MAX_NESTING_DEPTH - 1)
            + "}";
    BulkRejectedException e = rejected(DS, utf8("[" + GOOD + "," + GOOD + "," + deep + "]"));
    assertEquals(2, e.eventIndex());
    assertMentions(e.getMessage(), "event 2", "limit", "nesting");
  }

  @Test
  void nestingExactlyAtTheLimitIsAccepted() throws Exception {
    String deep =
        "{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"deep\":"
            + nested(Limits.MAX_NESTING_DEPTH - 2)
            + "}";
    DecodedBulk bulk = DS.decode(utf8("[" + deep + "]"), CTX);
    assertEquals(1, bulk.rows().size());
    assertEquals(0, bulk.quarantined().size());
  }

  @Test
  void numberLongerThanTheLimitIsRejected() {
    String value = "1".repeat(200);
    String event =
        "{\"type\":\"can_odometer_km\",\"id\":1,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":"
            + value
            + "}";
    BulkRejectedException e = rejected(DS, utf8("[" + GOOD + "," + event + "]"));
    assertEquals(1, e.eventIndex());
    assertMentions(e.getMessage(), "event 1", "limit", "number");
    assertFalse(e.getMessage().contains(value.substring(0, 50)), e.getMessage());
  }

  @Test
  void longDecimalNumberIsRejectedToo() {
    String event =
        "{\"type\":\"car_battery_voltage\",\"id\":1,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":0."
            + "3".repeat(200)
            + "}";
    BulkRejectedException e = rejected(DS, utf8("[" + event + "]"));
    assertEquals(0, e.eventIndex());
    assertMentions(e.getMessage(), "limit");
  }

  @Test
  void numberAtTheLengthLimitIsParsedAndThenQuarantinedAsTooBig() throws Exception {
    String event =
        "{\"type\":\"can_odometer_km\",\"id\":1,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":"
            + "1".repeat(Limits.MAX_NUMBER_LENGTH)
            + "}";
    DecodedBulk bulk = DS.decode(utf8("[" + event + "]"), CTX);
    assertEquals(1, bulk.quarantined().size());
    assertMentions(bulk.quarantined().get(0).reason(), "event 0", "'value'");
  }

  @Test
  void hugeStringValueIsRejected() {
    byte[] body = new byte[30 * 1024 * 1024];
    Arrays.fill(body, (byte) 'a');
    byte[] head =
        utf8(
            "["
                + GOOD
                + ",{\"type\":\"can_vin\",\"id\":1,\"vehicleId\":1,"
                + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":\"");
    byte[] tail = utf8("\"}]");
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
    BulkRejectedException e = rejected(DS, body);
    assertEquals(1, e.eventIndex());
    assertMentions(e.getMessage(), "event 1", "limit", "string");
  }

  @Test
  void stringAtTheLengthLimitIsAccepted() throws Exception {
    String vin = "V".repeat(Limits.MAX_STRING_LENGTH);
    String event =
        "{\"type\":\"can_vin\",\"id\":1,\"vehicleId\":1,"
            + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":\""
            + vin
            + "\"}";
    DecodedBulk bulk = DS.decode(utf8("[" + event + "]"), CTX);
    assertEquals(1, bulk.rows().size());
    assertEquals(vin, bulk.rows().get(0).get("value_string"));
  }

  @Test
  void fieldNameLongerThanTheLimitIsRejected() {
    String event =
        "{\"type\":\"car_ignition\",\"" + "n".repeat(Limits.MAX_NAME_LENGTH + 1) + "\":1}";
    BulkRejectedException e = rejected(DS, utf8("[" + event + "]"));
    assertEquals(0, e.eventIndex());
    assertMentions(e.getMessage(), "event 0", "limit");
  }

  static Stream<Arguments> invalidUtf8() {
    return Stream.of(
        Arguments.of("C3 28", new byte[] {(byte) 0xC3, 0x28}),
        Arguments.of("lone FF", new byte[] {(byte) 0xFF}),
        Arguments.of("lone continuation 80", new byte[] {(byte) 0x80}),
        Arguments.of("E2 82 28", new byte[] {(byte) 0xE2, (byte) 0x82, 0x28}),
        Arguments.of("truncated F0 9F 98", new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}));
  }

  @ParameterizedTest(name = "in a value: {0}")
  @MethodSource("invalidUtf8")
  void invalidUtf8InAStringValueIsRejected(String name, byte[] bad) {
    byte[] body =
        concat(
            utf8(
                "["
                    + GOOD
                    + ",{\"type\":\"can_vin\",\"id\":1,\"vehicleId\":1,"
                    + "\"time\":\"2022-01-01T12:30:10Z\",\"value\":\"VIN"),
            bad,
            utf8("X\"}]"));
    BulkRejectedException e = rejected(DS, body);
    assertEquals(1, e.eventIndex());
    assertMentions(e.getMessage(), "event 1", "UTF-8");
  }

  @ParameterizedTest(name = "in a name: {0}")
  @MethodSource("invalidUtf8")
  void invalidUtf8InAFieldNameIsRejected(String name, byte[] bad) {
    byte[] body = concat(utf8("[{\"type\":\"car_ignition\",\"val"), bad, utf8("ue\":true}]"));
    BulkRejectedException e = rejected(DS, body);
    assertEquals(0, e.eventIndex());
    assertMentions(e.getMessage(), "event 0", "UTF-8");
  }

  private static byte[] tinyEvents(int count) {
    byte[] body = new byte[2 + 3 * count];
    body[0] = '[';
    for (int i = 0; i < count; i++) {
      body[1 + 3 * i] = '{';
      body[2 + 3 * i] = '}';
      body[3 + 3 * i] = ',';
    }
    body[body.length - 1] = ']'; // replaces the last comma
    return body;
  }

  @Test
  void moreEventsThanTheLimitIsRejected() {
    BulkRejectedException e = rejected(DS, tinyEvents(Limits.MAX_EVENTS + 1));
    assertEquals(Limits.MAX_EVENTS, e.eventIndex());
    assertMentions(e.getMessage(), Integer.toString(Limits.MAX_EVENTS), "events");
  }

  @Test
  void exactlyTheEventLimitIsDecoded() throws Exception {
    DecodedBulk bulk = DS.decode(tinyEvents(Limits.MAX_EVENTS), CTX);
    assertEquals(Limits.MAX_EVENTS, bulk.events());
    assertEquals(Limits.MAX_EVENTS, bulk.quarantined().size());
  }

  @Test
  void moreViricitiMessagesThanTheLimitIsRejected() {
    byte[] body = utf8("{}\n".repeat(Limits.MAX_EVENTS + 1));
    BulkRejectedException e = rejected(VIRICITI, body);
    assertEquals(Limits.MAX_EVENTS, e.eventIndex());
    assertMentions(e.getMessage(), Integer.toString(Limits.MAX_EVENTS));
  }

  @Test
  void bodyOverTheSizeLimitIsRejectedBeforeParsing() {
    // Parsed, this would break the nesting limit; the size check must come first.
    byte[] body = new byte[Limits.MAX_BODY_BYTES + 1];
    Arrays.fill(body, (byte) '[');
    BulkRejectedException e = rejected(DS, body);
    assertEquals(-1, e.eventIndex());
    assertMentions(e.getMessage(), "bytes", "limit", Integer.toString(Limits.MAX_BODY_BYTES + 1));
    assertFalse(e.getMessage().contains("nesting"), e.getMessage());
  }

  @Test
  void viricitiBodyOverTheSizeLimitIsRejected() {
    byte[] body = new byte[Limits.MAX_BODY_BYTES + 1];
    Arrays.fill(body, (byte) ' ');
    BulkRejectedException e = rejected(VIRICITI, body);
    assertEquals(-1, e.eventIndex());
    assertMentions(e.getMessage(), "limit");
  }

  @Test
  void bodyOfExactlyTheSizeLimitIsAccepted() throws Exception {
    byte[] body = new byte[Limits.MAX_BODY_BYTES];
    Arrays.fill(body, (byte) ' ');
    byte[] event = utf8("[" + GOOD + "]");
    System.arraycopy(event, 0, body, 0, event.length);
    DecodedBulk bulk = DS.decode(body, CTX);
    assertEquals(1, bulk.rows().size());
  }

  static Stream<Arguments> otherEncodings() {
    return Stream.of(
        Arguments.of("UTF-16LE", StandardCharsets.UTF_16LE),
        Arguments.of("UTF-16BE", StandardCharsets.UTF_16BE),
        Arguments.of("UTF-16 with BOM", StandardCharsets.UTF_16),
        Arguments.of("UTF-32LE", Charset.forName("UTF-32LE")));
  }

  /**
   * JSON exchanged between systems is UTF-8 (RFC 8259). A body in another encoding may be rejected
   * or decoded, but must not crash the decoder; when decoded, the payload must be the event.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("otherEncodings")
  void bodyInAnotherEncodingIsRejectedOrDecodedButNeverCrashes(String name, Charset charset) {
    byte[] body = ("[" + GOOD + "]").getBytes(charset);
    try {
      DecodedBulk bulk = DS.decode(body, CTX);
      assertEquals(1, bulk.rows().size());
      assertEquals(GOOD, bulk.rows().get(0).payload().toString());
    } catch (BulkRejectedException e) {
      assertSafeMessage(e.getMessage());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("otherEncodings")
  void viricitiInAnotherEncodingIsRejectedOrDecodedButNeverCrashes(String name, Charset charset) {
    String message = "{\"type\":\"error\",\"payload\":\"x\"}";
    try {
      DecodedBulk bulk = VIRICITI.decode(message.getBytes(charset), CTX);
      assertEquals(1, bulk.control().size());
      assertEquals(message, bulk.control().get(0).message().toString());
    } catch (BulkRejectedException e) {
      assertSafeMessage(e.getMessage());
    }
  }

  @Test
  void utf8ByteOrderMarkIsAccepted() throws Exception {
    DecodedBulk bulk = DS.decode(utf8("\uFEFF[" + GOOD + "]"), CTX);
    assertEquals(1, bulk.rows().size());
    assertEquals(GOOD, bulk.rows().get(0).payload().toString());
  }

  @Test
  void viricitiGarbageIsRejectedAtItsMessage() {
    BulkRejectedException e =
        rejected(VIRICITI, utf8("{\"type\":\"error\",\"payload\":\"x\"}\ngarbage"));
    assertEquals(1, e.eventIndex());
    assertMentions(e.getMessage(), "message 1", "JSON");
  }
}
