package io.deezwatts.core.json;

import java.math.BigInteger;

/**
 * The double nearest to a decimal {@code mantissa × 10^exponent}, correctly rounded (ties to even),
 * as {@link Double#parseDouble} gives it, for the decimals a JSON feed sends: up to 19 significant
 * digits, and a small exponent. Two exact methods, tried in turn:
 *
 * <ul>
 *   <li>Clinger's shortcut: a mantissa below 2^53 and a power of ten up to 10^22 are both exact
 *       doubles, so one IEEE multiplication or division rounds correctly;
 *   <li>Eisel and Lemire's algorithm (Lemire, "Number Parsing at a Gigabyte per Second", 2021): the
 *       mantissa times a 128-bit truncation of the power of ten gives the result's bits whenever
 *       the truncation cannot have moved it across a rounding boundary, which the algorithm
 *       detects; then it gives up.
 * </ul>
 *
 * <p>When neither applies (more digits, an exponent outside the table, a result near a halfway
 * point, subnormal or infinite results), {@link #parse} returns NaN and the caller uses a general
 * parser. A finite decimal never parses to NaN, so NaN is free as the signal. Allocates nothing.
 */
public final class DecimalDouble {
  /** Smallest and largest power of ten in the table: enough for any plain JSON decimal we read. */
  static final int MIN_EXPONENT = -80;

  static final int MAX_EXPONENT = 30;

  /** Exact powers of ten as doubles: 10^22 is the largest a double holds exactly. */
  private static final double[] EXACT = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  /**
   * 10^e for e in [{@link #MIN_EXPONENT}, {@link #MAX_EXPONENT}], as the 128-bit number {@code
   * floor(10^e × 2^k)} with k such that its top bit is set: high and low 64 bits.
   */
  private static final long[] POW10_HI = new long[MAX_EXPONENT - MIN_EXPONENT + 1];

  private static final long[] POW10_LO = new long[MAX_EXPONENT - MIN_EXPONENT + 1];

  static {
    BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    for (int e = MIN_EXPONENT; e <= MAX_EXPONENT; e++) {
      BigInteger v;
      if (e >= 0) {
        BigInteger p = BigInteger.TEN.pow(e);
        int shift = 128 - p.bitLength();
        v = shift >= 0 ? p.shiftLeft(shift) : p.shiftRight(-shift); // truncates
      } else {
        BigInteger p = BigInteger.TEN.pow(-e);
        // floor(2^k / 10^-e) has 128 bits when k = 127 + bitLength(10^-e) (or one more).
        int k = 127 + p.bitLength();
        v = BigInteger.ONE.shiftLeft(k).divide(p);
        if (v.bitLength() < 128) {
          v = BigInteger.ONE.shiftLeft(k + 1).divide(p);
        }
      }
      POW10_HI[e - MIN_EXPONENT] = v.shiftRight(64).longValue();
      POW10_LO[e - MIN_EXPONENT] = v.and(mask).longValue();
    }
  }

  private DecimalDouble() {}

  /**
   * The double nearest to {@code ±mantissa × 10^exponent}, or NaN when this class cannot tell it
   * exactly (the caller then parses the text in full). Never wrong: a result other than NaN is the
   * one {@link Double#parseDouble} gives for the same decimal.
   *
   * @param mantissa the decimal's significant digits as an unsigned 64-bit integer (at most 19
   *     digits, so that it holds them exactly)
   * @param exponent the power of ten to scale it by
   * @param negative whether the decimal has a minus sign (zero then gives -0.0)
   */
  public static double parse(long mantissa, int exponent, boolean negative) {
    if (mantissa >= 0 && mantissa < (1L << 53)) {
      if (exponent < 0 && exponent >= -22) {
        double v = mantissa / EXACT[-exponent];
        return negative ? -v : v;
      }
      if (exponent >= 0 && exponent <= 22) {
        double v = mantissa * EXACT[exponent];
        return negative ? -v : v;
      }
      if (mantissa == 0) {
        return negative ? -0.0 : 0.0;
      }
    }
    if (exponent < MIN_EXPONENT || exponent > MAX_EXPONENT) {
      return Double.NaN;
    }
    long bits = eiselLemire(mantissa, exponent);
    if (bits < 0) {
      return Double.NaN;
    }
    return Double.longBitsToDouble(negative ? bits | Long.MIN_VALUE : bits);
  }

  /**
   * The bits of the positive double nearest to {@code mantissa × 10^exponent} (mantissa unsigned,
   * not zero), or -1 when the truncated power of ten leaves the rounding undecided, or the result
   * is subnormal or infinite. A transcription of Go's {@code strconv.eiselLemire64}.
   */
  private static long eiselLemire(long mantissa, int exponent) {
    int clz = Long.numberOfLeadingZeros(mantissa);
    long man = mantissa << clz;
    // floor(exponent × log2(10)) + 64 + bias, less the normalising shift.
    long retExp2 = ((217_706L * exponent) >> 16) + 64 + 1023 - clz;
    int i = exponent - MIN_EXPONENT;
    long xLo = man * POW10_HI[i];
    long xHi = unsignedMultiplyHigh(man, POW10_HI[i]);
    if ((xHi & 0x1FF) == 0x1FF && Long.compareUnsigned(xLo + man, man) < 0) {
      // The low bits may carry into the result: widen with the power's low half.
      long yLo = man * POW10_LO[i];
      long yHi = unsignedMultiplyHigh(man, POW10_LO[i]);
      long mergedHi = xHi;
      long mergedLo = xLo + yHi;
      if (Long.compareUnsigned(mergedLo, xLo) < 0) {
        mergedHi++;
      }
      if ((mergedHi & 0x1FF) == 0x1FF
          && mergedLo + 1 == 0
          && Long.compareUnsigned(yLo + man, man) < 0) {
        return -1;
      }
      xHi = mergedHi;
      xLo = mergedLo;
    }
    long msb = xHi >>> 63;
    long retMantissa = xHi >>> (msb + 9);
    retExp2 -= 1 ^ msb;
    if (xLo == 0 && (xHi & 0x1FF) == 0 && (retMantissa & 3) == 1) {
      return -1; // exactly halfway after truncation: cannot tell which way to round
    }
    retMantissa += retMantissa & 1;
    retMantissa >>>= 1;
    if ((retMantissa >>> 53) > 0) {
      retMantissa >>>= 1;
      retExp2 += 1;
    }
    if (retExp2 <= 0 || retExp2 >= 0x7FF) {
      return -1; // subnormal or infinite
    }
    return (retExp2 << 52) | (retMantissa & 0x000F_FFFF_FFFF_FFFFL);
  }

  /** The high 64 bits of the unsigned 128-bit product (Math has it from Java 18 on). */
  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }
}
