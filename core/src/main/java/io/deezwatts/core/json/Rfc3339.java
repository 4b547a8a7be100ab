package io.deezwatts.core.json;

/**
 * Parses RFC 3339 date-times and ISO dates; the decoder's form (ASCII bytes) without allocating, as
 * it parses one per event. Strict: a four-digit year from 0001, real calendar dates, an offset (Z
 * or ±HH:MM); lenient only where RFC 3339 itself is (lower-case T and Z, a space for T, any number
 * of fraction digits, of which microseconds are kept).
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
   * or {@link #INVALID}. The text is narrowed to ASCII bytes (a non-ASCII character never matches)
   * and parsed by {@link #parseMicros(byte[], int, int, LastDay)}, so both forms share one parser;
   * the copy is the only allocation. The decoder's plain path passes bytes and copies nothing.
   */
  public static long parseMicros(char[] chars, int offset, int length) {
    if (length < 20) {
      return INVALID;
    }
    byte[] ascii = new byte[length];
    for (int i = 0; i < length; i++) {
      char ch = chars[offset + i];
      if (ch > 0x7F) {
        return INVALID; // as a byte it could alias an ASCII character
      }
      ascii[i] = (byte) ch;
    }
    return parseMicros(ascii, 0, length, null);
  }

  /**
   * As {@link #parseMicros(char[], int, int)}, for text given as bytes that are all ASCII (one byte
   * per character), such as a JSON string read straight from UTF-8 input without escapes. A byte
   * outside ASCII never matches, so such text gives {@link #INVALID}. Allocates nothing.
   */
  public static long parseMicros(byte[] bytes, int offset, int length) {
    return parseMicros(bytes, offset, length, null);
  }

  /**
   * As {@link #parseMicros(byte[], int, int)}, remembering the date in {@code days} (may be null):
   * a decoder reads the same date event after event, and then checks and converts it only once.
   * Allocates nothing.
   */
  public static long parseMicros(byte[] bytes, int offset, int length, LastDay days) {
    int n = length;
    if (n < 20) {
      return INVALID;
    }
    final byte[] c = bytes;
    final int o = offset;
    long date = (long) LONGS.get(c, o); // "YYYY-MM-"
    int dd = (c[o + 8] << 8) | (c[o + 9] & 0xFF);
    long epochDay;
    if (days != null && days.known && days.date == date && days.dd == dd) {
      epochDay = days.epochDay;
    } else {
      int year = two(c, o) * 100 + two(c, o + 2);
      if (year <= 0 || c[o + 4] != '-') { // a non-digit makes year negative
        return INVALID;
      }
      int month = two(c, o + 5);
      if (month < 1 || month > 12 || c[o + 7] != '-') {
        return INVALID;
      }
      int day = two(c, o + 8);
      if (day < 1 || day > daysInMonth(year, month)) {
        return INVALID;
      }
      epochDay = epochDay(year, month, day);
      if (days != null) {
        days.known = true;
        days.date = date;
        days.dd = dd;
        days.epochDay = epochDay;
      }
    }
    byte sep = c[o + 10];
    if (sep != 'T' && sep != 't' && sep != ' ') {
      return INVALID;
    }
    int hour = two(c, o + 11);
    int minute = two(c, o + 14);
    int second = two(c, o + 17);
    if (hour < 0
        || hour > 23
        || c[o + 13] != ':'
        || minute < 0
        || minute > 59
        || c[o + 16] != ':'
        || second < 0
        || second > 59) {
      return INVALID;
    }
    int i = 19;
    long micros = 0;
    if (c[o + i] == '.') {
      i++;
      int start = i;
      long scale = 100_000;
      int d;
      while (i < n && (d = digit(c[o + i])) >= 0) {
        micros += d * scale;
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
    byte z = c[o + i];
    if (z == 'Z' || z == 'z') {
      offsetSeconds = 0;
      i++;
    } else if ((z == '+' || z == '-') && i + 6 == n && c[o + i + 3] == ':') {
      int oh = two(c, o + i + 1);
      int om = two(c, o + i + 4);
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
    long epochSecond = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    return epochSecond * MICROS_PER_SECOND + micros;
  }

  /**
   * The last valid date (its first ten bytes) that {@link #parseMicros(byte[], int, int, LastDay)}
   * read, and its day number. Mutable; one per decoding call, not thread-safe.
   */
  public static final class LastDay {
    private boolean known;
    private long date;
    private int dd;
    private long epochDay;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private static int digit(byte b) {
    int d = b - '0';
    return d >= 0 && d <= 9 ? d : -1;
  }

  private static int two(byte[] c, int i) {
    int a = c[i] - '0';
    int b = c[i + 1] - '0';
    return (a < 0 || a > 9 || b < 0 || b > 9) ? -10_000 : a * 10 + b;
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
