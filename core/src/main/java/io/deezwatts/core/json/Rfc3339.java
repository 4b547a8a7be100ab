package io.deezwatts.core.json;

/**
 * Parses RFC 3339 date-times and ISO dates without allocating, as the decoder parses one per event.
 * Strict: a four-digit year from 0001, real calendar dates, an offset (Z or ±HH:MM); lenient only
 * where RFC 3339 itself is (lower-case T and Z, a space for T, any number of fraction digits, of
 * which microseconds are kept).
 */
public final class Rfc3339 {
  /** Returned by {@link #parseMicros} and {@link #parseEpochDay} for text that does not parse. */
  public static final long INVALID = Long.MIN_VALUE;

  private static final long MICROS_PER_SECOND = 1_000_000L;

  private Rfc3339() {}

  /**
   * Microseconds since the epoch of an RFC 3339 date-time, or {@link #INVALID}. Leap seconds
   * (second 60) are not accepted, since no instant in UTC represents them.
   */
  public static long parseMicros(CharSequence s) {
    String str = s.toString();
    return parseMicros(str.toCharArray(), 0, str.length());
  }

  /**
   * Microseconds since the epoch of the RFC 3339 date-time in {@code chars[offset, offset+length)},
   * or {@link #INVALID}. Allocates nothing.
   */
  public static long parseMicros(char[] chars, int offset, int length) {
    Chars s = new Chars(chars, offset, length);
    int n = length;
    if (n < 20) {
      return INVALID;
    }
    int year = digits(s, 0, 4);
    if (year <= 0 || s.charAt(4) != '-') {
      return INVALID;
    }
    int month = digits(s, 5, 2);
    if (month < 1 || month > 12 || s.charAt(7) != '-') {
      return INVALID;
    }
    int day = digits(s, 8, 2);
    if (day < 1 || day > daysInMonth(year, month)) {
      return INVALID;
    }
    char sep = s.charAt(10);
    if (sep != 'T' && sep != 't' && sep != ' ') {
      return INVALID;
    }
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (hour < 0
        || hour > 23
        || s.charAt(13) != ':'
        || minute < 0
        || minute > 59
        || s.charAt(16) != ':'
        || second < 0
        || second > 59) {
      return INVALID;
    }
    int i = 19;
    long micros = 0;
    if (s.charAt(i) == '.') {
      i++;
      int start = i;
      long scale = 100_000;
      while (i < n && isDigit(s.charAt(i))) {
        micros += (s.charAt(i) - '0') * scale;
        scale /= 10;
        i++;
      }
      if (i == start) {
        return INVALID;
      }
    }
    if (i >= n) {
      return INVALID;
    }
    int offsetSeconds;
    char z = s.charAt(i);
    if (z == 'Z' || z == 'z') {
      offsetSeconds = 0;
      i++;
    } else if ((z == '+' || z == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || oh > 23 || om < 0 || om > 59) {
        return INVALID;
      }
      offsetSeconds = (oh * 3600 + om * 60) * (z == '-' ? -1 : 1);
      i += 6;
    } else {
      return INVALID;
    }
    if (i != n) {
      return INVALID;
    }
    long epochSecond =
        epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSecond * MICROS_PER_SECOND + micros;
  }

  /** Days since 1970-01-01 of a {@code YYYY-MM-DD} date, or {@link #INVALID}. */
  public static long parseEpochDay(CharSequence text) {
    Chars s = new Chars(text.toString().toCharArray(), 0, text.length());
    if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
      return INVALID;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    if (year <= 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return INVALID;
    }
    return epochDay(year, month, day);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The number written by {@code count} digits at {@code from}, or -1. */
  /**
   * A window on a char array; a final class, so that its calls inline and it is never allocated.
   */
  private static final class Chars {
    final char[] a;
    final int off;
    final int len;

    Chars(char[] a, int off, int len) {
      this.a = a;
      this.off = off;
      this.len = len;
    }

    char charAt(int i) {
      return a[off + i];
    }

    int length() {
      return len;
    }
  }

  private static int digits(Chars s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int daysInMonth(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
  static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }
}
