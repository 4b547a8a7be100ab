package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte form of {@link Rfc3339#parseMicros} agrees with the character form on all input. */
class Rfc3339BytesTest {
  private static void assertAgrees(String text) {
    byte[] padded = ("\"" + text + "\"").getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(
        Rfc3339.parseMicros(text), Rfc3339.parseMicros(padded, 1, padded.length - 2), text);
  }

  @Test
  void agreesOnValidDateTimes() {
    Random r = new Random(3339);
    for (int i = 0; i < 20_000; i++) {
      long second = r.nextLong() % 253_402_300_799L;
      String iso = Instant.ofEpochSecond(Math.abs(second), r.nextInt(1_000_000_000)).toString();
      assertAgrees(iso);
      assertAgrees(iso.replace('T', ' ').replace("Z", "+05:30"));
      assertAgrees(iso.toLowerCase(java.util.Locale.ROOT).replace("z", "-00:00"));
    }
  }

  @Test
  void agreesOnEveryOneCharacterChangeOfADateTime() {
    String base = "2024-02-29T23:59:59.123456+01:00";
    String alphabet = "0123456789-:.+TtZz /\u00e9\u007f";
    for (int i = 0; i < base.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        assertAgrees(base.substring(0, i) + c + base.substring(i + 1));
      }
      assertAgrees(base.substring(0, i) + base.substring(i + 1));
      assertAgrees(base.substring(0, i));
    }
  }

  /**
   * With a {@link Rfc3339.LastDay} carried from text to text (as the decoder does), every result is
   * what the uncached parse gives: the same date again, another date, a broken date after a good
   * one with the same first bytes, a good date with a broken time.
   */
  @Test
  void rememberingTheLastDayChangesNoResult() {
    Random r = new Random(1122);
    Rfc3339.LastDay days = new Rfc3339.LastDay();
    String base = "2024-02-29T23:59:59.123456+01:00";
    String alphabet = "0123456789-:.+TtZz /";
    int valid = 0;
    for (int i = 0; i < 50_000; i++) {
      String text;
      switch (r.nextInt(4)) {
        case 0 -> text = base;
        case 1 -> {
          int k = r.nextInt(base.length());
          text =
              base.substring(0, k)
                  + alphabet.charAt(r.nextInt(alphabet.length()))
                  + base.substring(k + 1);
        }
        case 2 ->
            text =
                Instant.ofEpochSecond(
                        1_700_000_000L + r.nextInt(200_000), r.nextInt(1000) * 1_000_000)
                    .toString();
        default -> text = "2023-02-" + (27 + r.nextInt(4)) + "T00:00:00Z";
      }
      byte[] padded = ("\"" + text + "\"").getBytes(StandardCharsets.ISO_8859_1);
      long expected = Rfc3339.parseMicros(text);
      assertEquals(expected, Rfc3339.parseMicros(padded, 1, padded.length - 2, days), text);
      if (expected != Rfc3339.INVALID) {
        valid++;
      }
    }
    assertTrue(valid > 10_000 && valid < 49_000, "valid: " + valid);
  }
}
