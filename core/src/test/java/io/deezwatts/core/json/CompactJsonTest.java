package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompactJsonTest {
  private static final ObjectMapper STRICT =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final ObjectMapper LENIENT =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA, JsonReadFeature.ALLOW_JAVA_COMMENTS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String compact(String json) {
    byte[] b = utf8(json);
    return new String(CompactJson.compact(b, 0, b.length), StandardCharsets.UTF_8);
  }

  private static boolean isCompact(String json) {
    byte[] b = utf8(json);
    return CompactJson.isCompact(b, 0, b.length);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("{ \"a\" : 1 ,\n\t\"b\" : [ 1 , 2 ] }", "{\"a\":1,\"b\":[1,2]}"),
        Arguments.of("{\r\n  \"a\": true,\r\n  \"b\": null\r\n}", "{\"a\":true,\"b\":null}"),
        Arguments.of("[1,2,]", "[1,2]"),
        Arguments.of("{\"a\":1,}", "{\"a\":1}"),
        Arguments.of("[ 1 ,\n ]", "[1]"),
        Arguments.of(
            "{\"a\":[{\"b\":[1,],\"c\":{\"d\":{},},},],\"e\":[[],[2,],],}",
            "{\"a\":[{\"b\":[1],\"c\":{\"d\":{}}}],\"e\":[[],[2]]}"),
        Arguments.of("{\"a\":1, // a note, with a comma ]\n \"b\":2}", "{\"a\":1,\"b\":2}"),
        Arguments.of("/* head */ [1, /* mid, ] */ 2 /* tail */ ,]", "[1,2]"),
        Arguments.of("[1, // trailing comma then a comment\n]", "[1]"),
        Arguments.of("[1 /* \" , ] */ ,2]", "[1,2]"),
        Arguments.of("{\"a\" /* before colon */ : /**/ 1}", "{\"a\":1}"),
        Arguments.of("[1, 2] // after the value", "[1,2]"),
        Arguments.of(
            "{ \"a\" : \"x, y ]} // not a comment /* nor this */\" }",
            "{\"a\":\"x, y ]} // not a comment /* nor this */\"}"),
        Arguments.of(
            "{ \"say\" : \"he said \\\"hi, there\\\" ]\" , }",
            "{\"say\":\"he said \\\"hi, there\\\" ]\"}"),
        Arguments.of("[ \"back\\\\\" , \"slash\\\\\\\"\" , ]", "[\"back\\\\\",\"slash\\\\\\\"\"]"),
        Arguments.of(
            "[ \"a\\/b\" , \"c/d\" , \"//\" , \"/*\" ]", "[\"a\\/b\",\"c/d\",\"//\",\"/*\"]"),
        Arguments.of(
            "{\"ws\" : \"  two  spaces\\tand\\ttabs\\n \" }",
            "{\"ws\":\"  two  spaces\\tand\\ttabs\\n \"}"),
        Arguments.of("{ \"k, ]}\" : \"v\" }", "{\"k, ]}\":\"v\"}"),
        Arguments.of("[ 1.50 , 1e3 , -0 , 1E+2 , 0.0 ]", "[1.50,1e3,-0,1E+2,0.0]"),
        Arguments.of("{ \"ö\" : \"ß ✓, 😀\" , }", "{\"ö\":\"ß ✓, 😀\"}"),
        Arguments.of("{\"a\":\"\\u0022,]\"}", "{\"a\":\"\\u0022,]\"}"),
        Arguments.of("\"just a string, ]\"", "\"just a string, ]\""),
        Arguments.of("  42  ", "42"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void compactsToTheExpectedText(String input, String expected) {
    assertEquals(expected, compact(input));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void resultIsStrictJsonEqualToTheLenientParse(String input, String expected) throws Exception {
    JsonNode strict = STRICT.readTree(compact(input));
    assertEquals(LENIENT.readTree(input), strict);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void resultIsCompactAndCompactingIsIdempotent(String input, String expected) {
    String once = compact(input);
    assertTrue(isCompact(once), once);
    assertEquals(once, compact(once));
  }

  @Test
  void lineCommentEndedByACarriageReturn() throws Exception {
    // Jackson ends a // comment at CR as well as at LF.
    String input = "[1, // old Mac line end\r2]";
    assertEquals("[1,2]", compact(input));
    assertEquals(LENIENT.readTree(input), STRICT.readTree(compact(input)));
  }

  @Test
  void compactsOnlyTheGivenRange() {
    byte[] src = utf8("xx[ 1 , ] yy, ]");
    byte[] out = CompactJson.compact(src, 2, 9);
    assertEquals("[1]", new String(out, StandardCharsets.UTF_8));
    assertTrue(CompactJson.isCompact(utf8("  [1]  "), 2, 5));
    assertFalse(CompactJson.isCompact(utf8("[1, ]"), 0, 5));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1}",
        "[]",
        "{}",
        "[1,2,{\"b\":[]}]",
        "{\"a\":\"x y, ]\"}",
        "{\"a\":\"x,]\",\"b\":\"y,}\"}",
        "{\"a\":\"// /* */\"}",
        "\"a\\\"b, ]\"",
        "{\"a\":\"\\\\\"}",
        "{\"a\":\"\\\\\",\"b\":1}",
        "{\"a\":[],\"b\":{}}",
        "{\"ö\":\"ß ✓\"}"
      })
  void isCompactWhenThereIsNothingToRemove(String json) {
    assertTrue(isCompact(json), json);
    assertEquals(json, compact(json));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{ \"a\":1}",
        "{\"a\": 1}",
        "{\"a\":1}\n",
        "{\"a\":\t1}",
        "{\"a\":\r1}",
        "{\"a\":1,}",
        "[1,]",
        "[1,{\"b\":2,}]",
        "{\"a\"/*c*/:1}",
        "{\"a\":1}//x",
        "{\"a\":\"\\\\\",}"
      })
  void isNotCompactWhenSomethingCanBeRemoved(String json) {
    assertFalse(isCompact(json), json);
    assertTrue(isCompact(compact(json)), compact(json));
  }

  /**
   * Random JSON values, written twice: once compactly and once with random whitespace, comments and
   * trailing commas. Compacting the second must give the first, byte for byte.
   */
  @Test
  void randomDecoratedJsonCompactsToItsPlainForm() throws Exception {
    Random r = new Random(0xC0FFEEL);
    for (int i = 0; i < 1_000; i++) {
      StringBuilder plain = new StringBuilder();
      StringBuilder decorated = new StringBuilder();
      value(r, 0, plain, decorated);
      // Jackson wants whitespace, not a comment, right after a number at the root.
      String input = gap(r) + decorated + (r.nextBoolean() ? " " : "\n");
      assertEquals(plain.toString(), compact(input), input);
      assertEquals(LENIENT.readTree(input), STRICT.readTree(plain.toString()), input);
    }
  }

  private static final String[] GAPS = {
    "", "", "", " ", "  ", "\n", "\t", "\r\n", " /* c, ] } \" */ ", "/**/", "// c, ] \"\n", "\n  "
  };
  private static final String STRING_CHARS = "ab ,:[]{}/*#'xyzé✓";

  private static String gap(Random r) {
    return GAPS[r.nextInt(GAPS.length)];
  }

  private static void both(StringBuilder plain, StringBuilder decorated, String s) {
    plain.append(s);
    decorated.append(s);
  }

  private static void value(Random r, int depth, StringBuilder plain, StringBuilder decorated) {
    int kind = depth >= 4 ? 2 + r.nextInt(4) : r.nextInt(6);
    switch (kind) {
      case 0, 1 -> {
        boolean object = kind == 0;
        both(plain, decorated, object ? "{" : "[");
        int n = r.nextInt(4);
        for (int m = 0; m < n; m++) {
          if (m > 0) {
            decorated.append(gap(r));
            both(plain, decorated, ",");
          }
          decorated.append(gap(r));
          if (object) {
            string(r, plain, decorated);
            decorated.append(gap(r));
            both(plain, decorated, ":");
            decorated.append(gap(r));
          }
          value(r, depth + 1, plain, decorated);
        }
        decorated.append(gap(r));
        if (n > 0 && r.nextBoolean()) {
          decorated.append(',').append(gap(r));
        }
        both(plain, decorated, object ? "}" : "]");
      }
      case 2 -> string(r, plain, decorated);
      case 3 ->
          both(plain, decorated, new String[] {"0", "-1", "12.50", "1e3", "-0.0"}[r.nextInt(5)]);
      case 4 -> both(plain, decorated, new String[] {"true", "false", "null"}[r.nextInt(3)]);
      default -> both(plain, decorated, Integer.toString(r.nextInt()));
    }
  }

  private static void string(Random r, StringBuilder plain, StringBuilder decorated) {
    StringBuilder s = new StringBuilder("\"");
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      switch (r.nextInt(6)) {
        case 0 -> s.append("\\\"");
        case 1 -> s.append("\\\\");
        case 2 -> s.append("\\/");
        case 3 -> s.append("\\n");
        default -> s.append(STRING_CHARS.charAt(r.nextInt(STRING_CHARS.length())));
      }
    }
    both(plain, decorated, s.append('"').toString());
  }
}
