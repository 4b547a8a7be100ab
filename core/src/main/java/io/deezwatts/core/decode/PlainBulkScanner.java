package io.deezwatts.core.decode;

import static io.deezwatts.core.decode.EventTokens.ARRAY;
import static io.deezwatts.core.decode.EventTokens.FALSE;
import static io.deezwatts.core.decode.EventTokens.FLOAT;
import static io.deezwatts.core.decode.EventTokens.INT;
import static io.deezwatts.core.decode.EventTokens.NULL;
import static io.deezwatts.core.decode.EventTokens.OBJECT;
import static io.deezwatts.core.decode.EventTokens.TRUE;

import com.fasterxml.jackson.core.io.NumberInput;
import io.deezwatts.core.catalog.FieldNames;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads a Connected Cars bulk straight from its bytes when it is in the plain form the vendor
 * sends: an array of objects, names and strings in printable ASCII without escapes, numbers that
 * fit a long or a double. It captures each event into {@link EventTokens} exactly as {@link
 * EventTokens#capture} does from Jackson's tokens, and skips Jackson's general machinery (name
 * canonicalisation, text buffers, number dispatch), which is most of the decoder's cost.
 *
 * <p>It accepts only a strict subset of what the Jackson path accepts, and gives up (returns {@link
 * #GIVE_UP}) at anything else: an escape, a byte outside ASCII, a comment, a leading zero, a long
 * number, deep nesting, an array item that is not an object, any syntax error. The caller then
 * decodes the whole bulk again with Jackson, so rejections, their messages and every unusual case
 * stay exactly as before. Not thread-safe; one per decoding call.
 */
final class PlainBulkScanner {
  /** {@link #next} captured an event. */
  static final int EVENT = 1;

  /** {@link #next} found the end of the array, and nothing but whitespace after it. */
  static final int END = 0;

  /** {@link #next} met something outside the plain subset: decode the bulk with Jackson. */
  static final int GIVE_UP = -1;

  /** Containers deeper than this (the bulk's array is 1, an event 2) go to Jackson. */
  private static final int MAX_DEPTH = 8;

  /** Longer strings go to Jackson, which enforces {@link Limits#MAX_STRING_LENGTH}. */
  private static final int MAX_STRING = 4096;

  /** Integers of up to this many characters (sign included) always fit a long. */
  private static final int MAX_INT_LENGTH = 18;

  /** Longer numbers go to Jackson, which enforces {@link Limits#MAX_NUMBER_LENGTH}. */
  private static final int MAX_FLOAT_LENGTH = 64;

  /** Longer names go to Jackson, which enforces {@link Limits#MAX_NAME_LENGTH}. */
  private static final int MAX_NAME = 128;

  private final byte[] b;
  private final int len;
  private final EventTokens t;
  private final Names names;
  private final char[] number = new char[MAX_FLOAT_LENGTH];
  private int pos;
  private boolean first = true;

  PlainBulkScanner(byte[] body, EventTokens tokens, Names names) {
    this.b = body;
    this.len = body.length;
    this.t = tokens;
    this.names = names;
  }

  /** Steps into the array; false when the body does not start as one (Jackson then says why). */
  boolean start() {
    int p = ws(0);
    if (p >= len || b[p] != '[') {
      return false;
    }
    pos = ws(p + 1);
    return true;
  }

  /** Captures the next event into the tokens (reset by the caller): {@link #EVENT}, or not. */
  int next() {
    int p = pos;
    if (p >= len) {
      return GIVE_UP;
    }
    if (first) {
      first = false;
    } else if (b[p] == ',') {
      p = ws(p + 1); // a trailing comma before the ']' is allowed, as Jackson is told to
    } else if (b[p] != ']') {
      return GIVE_UP;
    }
    if (p >= len) {
      return GIVE_UP;
    }
    if (b[p] == ']') {
      return ws(p + 1) == len ? END : GIVE_UP;
    }
    if (b[p] != '{') {
      return GIVE_UP; // not an object: the Jackson path quarantines it
    }
    pos = p;
    if (!object(null, FieldNames.UNKNOWN, 2)) {
      return GIVE_UP;
    }
    pos = ws(pos);
    return EVENT;
  }

  /** The object at {@link #pos}; leaves {@link #pos} after its closing brace. */
  private boolean object(String fieldName, int fieldRank, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    int i = t.open(fieldName, fieldRank);
    t.kind[i] = OBJECT;
    t.from[i] = pos;
    int p = ws(pos + 1);
    if (p < len && b[p] == '}') {
      return close(i, p);
    }
    while (true) {
      if (p >= len || b[p] != '"') {
        return false;
      }
      int from = p + 1;
      int q = plainEnd(from, MAX_NAME);
      if (q < 0) {
        return false;
      }
      int slot = names.find(b, from, q - from);
      String member;
      int rank;
      if (slot >= 0) {
        member = names.string(slot);
        rank = names.rank(slot);
      } else {
        // Interned, as Jackson's names are: the decoder compares names by reference.
        member = new String(b, from, q - from, StandardCharsets.ISO_8859_1).intern();
        rank = names.all().rank(member);
      }
      p = ws(q + 1);
      if (p >= len || b[p] != ':') {
        return false;
      }
      pos = ws(p + 1);
      if (!value(member, rank, depth)) {
        return false;
      }
      p = ws(pos);
      if (p >= len) {
        return false;
      }
      if (b[p] == ',') {
        p = ws(p + 1);
        if (p < len && b[p] == '}') {
          return close(i, p); // trailing comma
        }
      } else if (b[p] == '}') {
        return close(i, p);
      } else {
        return false;
      }
    }
  }

  /** The array at {@link #pos}; leaves {@link #pos} after its closing bracket. */
  private boolean array(String fieldName, int fieldRank, int depth) {
    if (depth > MAX_DEPTH) {
      return false;
    }
    int i = t.open(fieldName, fieldRank);
    t.kind[i] = ARRAY;
    t.from[i] = pos;
    int p = ws(pos + 1);
    if (p < len && b[p] == ']') {
      return close(i, p);
    }
    while (true) {
      pos = p;
      if (!value(null, FieldNames.UNKNOWN, depth)) {
        return false;
      }
      p = ws(pos);
      if (p >= len) {
        return false;
      }
      if (b[p] == ',') {
        p = ws(p + 1);
        if (p < len && b[p] == ']') {
          return close(i, p); // trailing comma
        }
      } else if (b[p] == ']') {
        return close(i, p);
      } else {
        return false;
      }
    }
  }

  private boolean close(int i, int bracket) {
    t.to[i] = bracket + 1;
    t.end[i] = t.size;
    pos = bracket + 1;
    return true;
  }

  /** The value at {@link #pos} (no whitespace before it); leaves {@link #pos} after it. */
  private boolean value(String fieldName, int fieldRank, int depth) {
    if (pos >= len) {
      return false;
    }
    byte c = b[pos];
    switch (c) {
      case '{':
        return object(fieldName, fieldRank, depth + 1);
      case '[':
        return array(fieldName, fieldRank, depth + 1);
      case '"':
        return string(fieldName, fieldRank);
      case 't':
        return literal("true", TRUE, fieldName, fieldRank);
      case 'f':
        return literal("false", FALSE, fieldName, fieldRank);
      case 'n':
        return literal("null", NULL, fieldName, fieldRank);
      default:
        return number(fieldName, fieldRank);
    }
  }

  private boolean string(String fieldName, int fieldRank) {
    int from = pos + 1;
    int q = plainEnd(from, MAX_STRING);
    if (q < 0) {
      return false;
    }
    int i = t.open(fieldName, fieldRank);
    t.plainString(i, fieldName, from, q);
    pos = q + 1;
    return true;
  }

  /**
   * The index of the quote that closes the string whose first byte is at {@code from}, when the
   * string is at most {@code max} bytes of printable ASCII without a backslash; otherwise -1.
   */
  private int plainEnd(int from, int max) {
    int limit = Math.min(len, from + max + 1);
    for (int q = from; q < limit; q++) {
      byte c = b[q];
      if (c == '"') {
        return q;
      }
      if (c < 0x20 || c == '\\') { // control character, escape, or (negative) non-ASCII
        return -1;
      }
    }
    return -1;
  }

  private boolean literal(String word, byte kind, String fieldName, int fieldRank) {
    int n = word.length();
    if (pos + n >= len) {
      return false; // a value is never the last byte of an array
    }
    for (int k = 1; k < n; k++) {
      if (b[pos + k] != word.charAt(k)) {
        return false;
      }
    }
    if (!endsValue(b[pos + n])) {
      return false;
    }
    int i = t.open(fieldName, fieldRank);
    t.kind[i] = kind;
    pos += n;
    return true;
  }

  /**
   * A number in JSON's grammar: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, then a
   * delimiter. Its value is computed as Jackson computes it: an integer exactly, a fraction by the
   * same parser Jackson uses with {@code USE_FAST_DOUBLE_PARSER}.
   */
  private boolean number(String fieldName, int fieldRank) {
    int start = pos;
    int p = start;
    boolean negative = b[p] == '-';
    if (negative) {
      p++;
    }
    if (p >= len) {
      return false;
    }
    if (b[p] == '0') {
      p++;
    } else if (b[p] >= '1' && b[p] <= '9') {
      p = digits(p + 1);
    } else {
      return false;
    }
    boolean fraction = false;
    if (p < len && b[p] == '.') {
      fraction = true;
      int d = p + 1;
      p = digits(d);
      if (p == d) {
        return false;
      }
    }
    if (p < len && (b[p] == 'e' || b[p] == 'E')) {
      fraction = true;
      p++;
      if (p < len && (b[p] == '+' || b[p] == '-')) {
        p++;
      }
      int d = p;
      p = digits(d);
      if (p == d) {
        return false;
      }
    }
    if (p >= len || !endsValue(b[p])) {
      return false; // also a leading zero ("01"), which JSON does not allow
    }
    int n = p - start;
    if (fraction) {
      if (n > MAX_FLOAT_LENGTH) {
        return false;
      }
      int i = t.open(fieldName, fieldRank);
      t.kind[i] = FLOAT;
      t.doubles[i] = decimal(start, p, negative);
    } else {
      if (n > MAX_INT_LENGTH) {
        return false;
      }
      long v = 0;
      for (int k = negative ? start + 1 : start; k < p; k++) {
        v = v * 10 + (b[k] - '0');
      }
      int i = t.open(fieldName, fieldRank);
      t.kind[i] = INT;
      t.longs[i] = negative ? -v : v;
    }
    pos = p;
    return true;
  }

  /** Exact powers of ten as doubles: 10^22 is the largest a double holds exactly. */
  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  /**
   * The double nearest to the number {@code b[start, end)}, as Jackson's parser gives it. Plain
   * decimals whose digits make a mantissa below 2^53, with at most 22 fraction digits, take the
   * exact shortcut: both operands are exact doubles, so one IEEE division rounds correctly, and any
   * correctly rounding parser gives the same bits. Others go to Jackson's own parser.
   */
  private double decimal(int start, int end, boolean negative) {
    int p = negative ? start + 1 : start;
    long mantissa = 0;
    int digits = 0;
    int scale = -1;
    for (; p < end; p++) {
      byte c = b[p];
      if (c == '.') {
        scale = 0;
        continue;
      }
      if (c < '0' || c > '9') {
        break; // an exponent: not the shortcut
      }
      if (digits > 0 || c != '0') {
        digits++; // significant digits: with at most 18 the long cannot overflow
      }
      mantissa = mantissa * 10 + (c - '0');
      if (scale >= 0) {
        scale++;
      }
    }
    if (p == end && digits <= 18 && scale >= 0 && scale <= 22 && mantissa < (1L << 53)) {
      double v = mantissa / POWERS_OF_TEN[scale];
      return negative ? -v : v;
    }
    int n = end - start;
    for (int k = 0; k < n; k++) {
      number[k] = (char) b[start + k];
    }
    return NumberInput.parseDouble(number, 0, n, true);
  }

  private int digits(int p) {
    while (p < len && b[p] >= '0' && b[p] <= '9') {
      p++;
    }
    return p;
  }

  private static boolean endsValue(byte c) {
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  /** The index of the first byte from {@code p} on that is not JSON whitespace. */
  private int ws(int p) {
    while (p < len) {
      byte c = b[p];
      if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) {
        break;
      }
      p++;
    }
    return p;
  }

  /**
   * The catalog's field names by their ASCII bytes, each with its interned String (as Jackson hands
   * out) and rank. Immutable; built once per decoder and shared by its calls.
   */
  static final class Names {
    private final FieldNames all;
    private final byte[][] keys;
    private final String[] strings;
    private final int[] ranks;
    private final int mask;

    Names(FieldNames all) {
      this.all = all;
      int size = Integer.highestOneBit(Math.max(16, all.size() * 4) - 1) << 1;
      this.keys = new byte[size][];
      this.strings = new String[size];
      this.ranks = new int[size];
      this.mask = size - 1;
      for (int r = 0; r < all.size(); r++) {
        String s = all.name(r).intern();
        if (!isPrintableAscii(s)) {
          continue; // never read plainly; found through all.rank()
        }
        byte[] key = s.getBytes(StandardCharsets.ISO_8859_1);
        int slot = hash(key, 0, key.length) & mask;
        while (keys[slot] != null) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        strings[slot] = s;
        ranks[slot] = r;
      }
    }

    FieldNames all() {
      return all;
    }

    /** The slot of the name {@code b[from, from+length)}, or -1. */
    int find(byte[] b, int from, int length) {
      for (int slot = hash(b, from, length) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
        byte[] key = keys[slot];
        if (key.length == length && Arrays.equals(key, 0, length, b, from, from + length)) {
          return slot;
        }
      }
      return -1;
    }

    String string(int slot) {
      return strings[slot];
    }

    int rank(int slot) {
      return ranks[slot];
    }

    /** A hash of the length and three bytes: names differ early, late or in length. */
    private static int hash(byte[] b, int from, int length) {
      if (length == 0) {
        return 0;
      }
      int h = ((length * 31 + b[from]) * 31 + b[from + length - 1]) * 31 + b[from + length / 2];
      return h ^ (h >>> 7);
    }

    private static boolean isPrintableAscii(String s) {
      for (int k = 0; k < s.length(); k++) {
        char c = s.charAt(k);
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
          return false;
        }
      }
      return true;
    }
  }
}
