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
import io.deezwatts.core.json.DecimalDouble;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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

  /** Eight bytes at once, the first in the lowest byte: for the word-at-a-time scans. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] b;
  private final int len;
  private final EventTokens t;
  private final Names names;
  private final char[] number = new char[MAX_FLOAT_LENGTH];

  /** Size of {@link #following}: a power of two. */
  private static final int FOLLOWING = 1024;

  /**
   * The slot (plus one; 0 for none) of the name that last followed a given name (or an object's
   * start) and began with a given byte, by a hash of the two. Events of a bulk repeat their fields
   * in the same order, and the first byte tells apart the fields that follow {@code type} in
   * different event types, so a name is usually recognised by comparing its bytes with one
   * candidate's, without scanning it first and looking it up. A collision only costs that lookup.
   */
  private final int[] following = new int[FOLLOWING];

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
    int previous = -1; // the slot of the previous name; -1 at the object's start
    while (true) {
      if (p >= len || b[p] != '"') {
        return false;
      }
      int from = p + 1;
      int h = from < len ? ((previous * 0x9E3779B1 + b[from]) * 0x85EBCA6B) >>> 22 : 0;
      int slot = following[h] - 1;
      int q = slot >= 0 ? names.match(slot, b, from, len) : -1;
      if (q < 0) {
        q = plainEnd(from, MAX_NAME);
        if (q < 0) {
          return false;
        }
        slot = names.find(b, from, q - from);
        following[h] = slot + 1;
      }
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
      previous = slot;
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
    int q = from;
    // Eight bytes at a time while none of them is a quote, a backslash, a control character or
    // outside ASCII (together the tests are exact for "any byte of the word"); then byte by byte.
    while (q + 8 <= limit) {
      long x = (long) LONGS.get(b, q);
      long quote = x ^ 0x2222222222222222L;
      long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
      long special =
          ((x - 0x2020202020202020L) & ~x)
              | ((quote - 0x0101010101010101L) & ~quote)
              | ((backslash - 0x0101010101010101L) & ~backslash)
              | x;
      if ((special & 0x8080808080808080L) != 0) {
        break;
      }
      q += 8;
    }
    for (; q < limit; q++) {
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
   * delimiter. Its value is computed as Jackson computes it: an integer exactly, a fraction
   * correctly rounded ({@link DecimalDouble}, or else the parser Jackson uses with {@code
   * USE_FAST_DOUBLE_PARSER}). One pass: the digits are accumulated as they are checked.
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
    long mantissa = 0; // all digits, as an unsigned number while there are at most 19 significant
    int significant = 0; // digits from the first that is not zero
    byte c = b[p];
    if (c == '0') {
      p++;
    } else if (c >= '1' && c <= '9') {
      mantissa = c - '0';
      significant = 1;
      p++;
      int eight;
      while (p + 8 <= len && (eight = eightDigits(p)) >= 0) {
        mantissa = mantissa * 100_000_000L + eight;
        significant += 8;
        p += 8;
      }
      while (p < len && (c = b[p]) >= '0' && c <= '9') {
        mantissa = mantissa * 10 + (c - '0');
        significant++;
        p++;
      }
    } else {
      return false;
    }
    boolean fraction = false;
    int scale = 0;
    if (p < len && b[p] == '.') {
      fraction = true;
      int d = ++p;
      int eight;
      while (significant > 0 && p + 8 <= len && (eight = eightDigits(p)) >= 0) {
        mantissa = mantissa * 100_000_000L + eight; // all eight are significant
        significant += 8;
        p += 8;
      }
      while (p < len && (c = b[p]) >= '0' && c <= '9') {
        if (significant > 0 || c != '0') {
          significant++;
        }
        mantissa = mantissa * 10 + (c - '0');
        p++;
      }
      if (p == d) {
        return false;
      }
      scale = p - d;
    }
    boolean exponent = false;
    if (p < len && (b[p] == 'e' || b[p] == 'E')) {
      fraction = true;
      exponent = true;
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
      // Correctly rounded, so the same bits as Jackson's parser, which is correctly rounded too.
      double v =
          exponent || significant > 19
              ? Double.NaN
              : DecimalDouble.parse(mantissa, -scale, negative);
      if (v != v) {
        v = parseText(start, n);
      }
      int i = t.open(fieldName, fieldRank);
      t.kind[i] = FLOAT;
      t.doubles[i] = v;
    } else {
      if (n > MAX_INT_LENGTH) {
        return false;
      }
      int i = t.open(fieldName, fieldRank);
      t.kind[i] = INT;
      t.longs[i] = negative ? -mantissa : mantissa; // at most 18 digits: exact
    }
    pos = p;
    return true;
  }

  /**
   * The number the eight bytes at {@code p} (which the caller checked exist) write when all are
   * decimal digits, or -1. Both steps work on all eight at once (as simdjson and fast_float do): a
   * byte is a digit when neither adding 0x46 nor subtracting 0x30 sets its top bit; then digit
   * pairs, quads and the two halves are combined by multiplications.
   */
  private int eightDigits(int p) {
    long x = (long) LONGS.get(b, p); // little-endian: the first digit is the lowest byte
    if ((((x + 0x4646464646464646L) | (x - 0x3030303030303030L)) & 0x8080808080808080L) != 0) {
      return -1;
    }
    x -= 0x3030303030303030L;
    x = x * 10 + (x >>> 8);
    x =
        ((x & 0x000000FF000000FFL) * (100 + (1_000_000L << 32))
                + ((x >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32)))
            >>> 32;
    return (int) x;
  }

  /** The number {@code b[start, start+n)} by Jackson's own parser. */
  private double parseText(int start, int n) {
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

    /**
     * For names of at most 15 bytes: the name and its closing quote as two little-endian words, and
     * masks of the bytes they cover, so that {@link #match} is two loads and compares.
     */
    private final long[] word0;

    private final long[] word1;
    private final long[] mask0;
    private final long[] mask1;

    Names(FieldNames all) {
      this.all = all;
      int size = Integer.highestOneBit(Math.max(16, all.size() * 4) - 1) << 1;
      this.keys = new byte[size][];
      this.strings = new String[size];
      this.ranks = new int[size];
      this.mask = size - 1;
      this.word0 = new long[size];
      this.word1 = new long[size];
      this.mask0 = new long[size];
      this.mask1 = new long[size];
      for (int r = 0; r < all.size(); r++) {
        String s = all.name(r).intern();
        if (!isPrintableAscii(s) || s.length() > MAX_NAME) {
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
        byte[] quoted = Arrays.copyOf(key, key.length + 1);
        quoted[key.length] = '"';
        for (int k = 0; k < Math.min(quoted.length, 16); k++) {
          long bits = (quoted[k] & 0xFFL) << (8 * (k & 7));
          long byteMask = 0xFFL << (8 * (k & 7));
          if (k < 8) {
            word0[slot] |= bits;
            mask0[slot] |= byteMask;
          } else {
            word1[slot] |= bits;
            mask1[slot] |= byteMask;
          }
        }
      }
    }

    FieldNames all() {
      return all;
    }

    /** The slot of the name {@code b[from, from+length)}, or -1. */
    int find(byte[] b, int from, int length) {
      for (int slot = hash(b, from, length) & mask; keys[slot] != null; slot = (slot + 1) & mask) {
        byte[] key = keys[slot];
        if (key.length == length && sameBytes(key, b, from)) {
          return slot;
        }
      }
      return -1;
    }

    /**
     * Where the quote that ends a name starting at {@code b[from]} stands when that name is the one
     * in {@code slot}, or -1. A key is printable ASCII without quotes or backslashes, so a match
     * followed by a quote is a whole plain name.
     */
    int match(int slot, byte[] b, int from, int len) {
      byte[] key = keys[slot];
      int end = from + key.length;
      if (key.length < 16 && from + 16 <= len) {
        // mask1 is 0 for names under 8 bytes: the second word then always matches.
        return ((long) LONGS.get(b, from) & mask0[slot]) == word0[slot]
                && ((long) LONGS.get(b, from + 8) & mask1[slot]) == word1[slot]
            ? end
            : -1;
      }
      return end < len && b[end] == '"' && sameBytes(key, b, from) ? end : -1;
    }

    /** Whether {@code b} holds all of {@code key} at {@code from} (which the caller checked). */
    private static boolean sameBytes(byte[] key, byte[] b, int from) {
      int n = key.length;
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        if ((long) LONGS.get(key, i) != (long) LONGS.get(b, from + i)) {
          return false;
        }
      }
      for (; i < n; i++) {
        if (key[i] != b[from + i]) {
          return false;
        }
      }
      return true;
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
