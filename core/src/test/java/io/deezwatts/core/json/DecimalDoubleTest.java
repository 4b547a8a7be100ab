package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.NumberInput;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link DecimalDouble} must give exactly the bits {@link Double#parseDouble} and Jackson's parser
 * give, or NaN (which the decoder answers by asking Jackson). Random decimals of every length and
 * scale, the coordinate shape the decoder sees most, and the cases where rounding is hardest.
 */
class DecimalDoubleTest {
  /** Parses {@code text} (digits, at most one point, optional minus) the way the scanner does. */
  private static double viaDecimalDouble(String text) {
    boolean negative = text.startsWith("-");
    long mantissa = 0;
    int scale = 0;
    boolean point = false;
    for (int i = negative ? 1 : 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.') {
        point = true;
        continue;
      }
      mantissa = mantissa * 10 + (c - '0');
      if (point) {
        scale++;
      }
    }
    return DecimalDouble.parse(mantissa, -scale, negative);
  }

  private static int significant(String text) {
    String digits = text.replace("-", "").replace(".", "").replaceFirst("^0+", "");
    return digits.length();
  }

  /** Checks one decimal; true when the fast path answered (not NaN). */
  private static boolean check(String text) {
    double expected = Double.parseDouble(text);
    assertEquals(
        Double.doubleToRawLongBits(expected),
        Double.doubleToRawLongBits(NumberInput.parseDouble(text, true)),
        "the two references disagree on " + text);
    double actual = viaDecimalDouble(text);
    if (Double.isNaN(actual)) {
      return false;
    }
    assertEquals(
        Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual), "for " + text);
    return true;
  }

  @Test
  void randomDecimalsGiveTheBitsParseDoubleGives() {
    Random r = new Random(20261122L);
    int answered = 0;
    int total = 0;
    for (int i = 0; i < 150_000; i++) {
      String text =
          switch (i % 5) {
            // Coordinates as the vendor prints them: Double.toString of 55 + 5 * random.
            case 0 -> Double.toString((r.nextBoolean() ? 1 : -1) * (55 + r.nextDouble() * 5));
            case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(16)));
            // Any 1 to 19 significant digits at any scale the table covers.
            case 2 -> {
              int digits = 1 + r.nextInt(19);
              BigInteger m = new BigInteger(64, r).mod(BigInteger.TEN.pow(digits));
              yield new BigDecimal(m, r.nextInt(40)).toPlainString();
            }
            // 17 random significant digits, the hardest common shape.
            case 3 -> {
              long m = 10_000_000_000_000_000L + (r.nextLong() >>> 1) % 90_000_000_000_000_000L;
              yield (r.nextBoolean() ? "-" : "")
                  + BigDecimal.valueOf(m, r.nextInt(22)).toPlainString();
            }
            default ->
                "0." + "0".repeat(r.nextInt(30)) + (1 + (r.nextLong() >>> 1) % 999_999_999_999L);
          };
      if (text.contains("E")) {
        text = new BigDecimal(text).toPlainString(); // the scanner hands exponents to Jackson
      }
      if (significant(text) > 19 || !text.contains(".")) {
        continue;
      }
      total++;
      if (check(text)) {
        answered++;
      }
    }
    assertTrue(total > 100_000, "decimals checked: " + total);
    // The point of the class: it answers nearly always.
    assertTrue(answered > total * 0.99, answered + " of " + total + " answered");
  }

  /** Decimals exactly halfway between two doubles, and one unit either side of halfway. */
  @Test
  void halfwayCasesRoundToEven() {
    Random r = new Random(7);
    int answered = 0;
    for (int i = 0; i < 20_000; i++) {
      // A double in [1, 2^10), and the midpoint to its neighbour, written exactly.
      double d = 1 + r.nextDouble() * 1023;
      BigDecimal lo = new BigDecimal(d);
      BigDecimal hi = new BigDecimal(Math.nextUp(d));
      BigDecimal mid = lo.add(hi).divide(BigDecimal.valueOf(2));
      for (BigDecimal x :
          new BigDecimal[] {
            mid,
            mid.round(new java.math.MathContext(19)),
            mid.round(new java.math.MathContext(17)),
            mid.round(new java.math.MathContext(16))
          }) {
        String text = x.toPlainString();
        if (significant(text) <= 19 && text.contains(".") && check(text)) {
          answered++;
        }
      }
    }
    assertTrue(answered > 0, "some near-halfway decimals take the fast path");
  }

  @Test
  void edgeCases() {
    String[] texts = {
      "0.0",
      "-0.0",
      "0.00000000000000000000000000000",
      "-0.00000000000000000000000000000",
      "1.0",
      "-1.5",
      "0.1",
      "0.2",
      "0.3",
      "9007199254740992.0", // 2^53
      "9007199254740993.0", // 2^53 + 1: halfway, rounds to even
      "9007199254740995.0",
      "999999999999999999.9",
      "184467440737095516.1",
      "9223372036854775807.",
      "9999999999999999999.",
      "0.9999999999999999999",
      "1.7976931348623157",
      "4.9406564584124654",
      "2.2250738585072014",
      "0.000000000000000000000000000000000000000000000000000000000000000000000000000001",
      "0.00000000000000000000000000000000000000000000000000000000000000000000000000001",
      "123456789012345678.9",
      "55.67610000000001",
      "12.568299999999999",
      "59.99999999999999",
      "8.000000000000002",
      "0.30000000000000004",
    };
    for (String text : texts) {
      check(text);
    }
    assertEquals(
        Double.doubleToRawLongBits(-0.0),
        Double.doubleToRawLongBits(DecimalDouble.parse(0, -30, true)));
    assertEquals(0.0, DecimalDouble.parse(0, -30, false));
  }

  @Test
  void exponentsOutsideTheTableAreLeftToTheCaller() {
    assertTrue(Double.isNaN(DecimalDouble.parse(12345678901234567L, -200, false)));
    assertTrue(Double.isNaN(DecimalDouble.parse(12345678901234567L, 300, false)));
    // Within the table, a large exponent still answers exactly.
    assertEquals(1.2345678901234567e30, DecimalDouble.parse(12345678901234567L, 14, false));
    assertEquals(-1.2345678901234567e-60, DecimalDouble.parse(12345678901234567L, -76, true));
  }

  @Test
  void everyPowerOfTenInTheTableIsExactForOneDigit() {
    for (int e = DecimalDouble.MIN_EXPONENT; e <= DecimalDouble.MAX_EXPONENT; e++) {
      for (long m : new long[] {1, 7, 9_999_999_999_999_999L, 9_007_199_254_740_993L, -1L}) {
        double actual = DecimalDouble.parse(m, e, false);
        if (Double.isNaN(actual)) {
          continue;
        }
        BigDecimal exact = new BigDecimal(new BigInteger(Long.toUnsignedString(m)), -e);
        assertEquals(
            Double.doubleToRawLongBits(Double.parseDouble(exact.toString())),
            Double.doubleToRawLongBits(actual),
            m + "e" + e);
      }
    }
  }
}
