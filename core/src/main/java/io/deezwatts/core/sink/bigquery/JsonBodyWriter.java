package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Column;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Writes compact UTF-8 JSON for {@code insertAll} bodies into a buffer that it flushes to a stream,
 * byte for byte as Jackson's UTF-8 generator does with its defaults: {@code "} and {@code \} and
 * control characters escaped (the short forms for backspace, tab, newline, form feed and carriage
 * return, {@code \}{@code u00XX} for the others), each half of a surrogate pair as {@code \}{@code
 * uXXXX}, every other character as UTF-8; numbers as {@link Long#toString} and {@link
 * Double#toString} spell them.
 *
 * <p>Why not the generator itself: on a cold function's first request the bodies of a 10,000-row
 * bulk are written by code that has not been compiled yet, and the generator's general path (a
 * write context checked per token, a field name copied to a char buffer and escaped per character,
 * every string staged in a char buffer) is several times the work of this one, where a table's
 * quoted column names are encoded once per body and copied.
 *
 * <p>Not thread-safe: one writer per body. Writes nothing but what it is told to: the caller keeps
 * the JSON well formed.
 */
final class JsonBodyWriter {
  private static final int CAPACITY = 16 << 10;
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  /**
   * For each ASCII character: 0 written as it is, -1 written as {@code \}{@code u00XX}, else the
   * character after the backslash of its short escape. Jackson's {@code CharTypes} escapes.
   */
  private static final int[] ESCAPES = new int[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = -1;
    }
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\f'] = 'f';
    ESCAPES['\n'] = 'n';
    ESCAPES['\r'] = 'r';
  }

  private final OutputStream out;
  private final byte[] buf;
  private final int cap;
  private int len;

  /** Each column list's names as {@code "name":}, encoded once per body. */
  private final IdentityHashMap<List<Column>, byte[][]> names = new IdentityHashMap<>();

  JsonBodyWriter(OutputStream out) {
    this(out, CAPACITY);
  }

  private JsonBodyWriter(OutputStream out, int capacity) {
    this.out = out;
    this.buf = new byte[capacity];
    this.cap = capacity;
  }

  /** Writes ASCII text that needs no escaping, such as punctuation or a number's spelling. */
  void raw(String ascii) throws IOException {
    int n = ascii.length();
    if (len + n > cap) {
      flush();
      if (n > cap) {
        out.write(ascii.getBytes(StandardCharsets.US_ASCII));
        return;
      }
    }
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
  }

  /** Writes bytes as they are. */
  void raw(byte[] bytes) throws IOException {
    if (len + bytes.length > cap) {
      flush();
      if (bytes.length > cap) {
        out.write(bytes);
        return;
      }
    }
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
  }

  /** Writes one ASCII character, such as a bracket or a comma. */
  void raw(char c) throws IOException {
    if (len >= cap) {
      flush();
    }
    buf[len++] = (byte) c;
  }

  /** Writes a string literal, quoted and escaped. */
  void string(String s) throws IOException {
    int n = s.length();
    // Each character takes at most 6 bytes: when that fits, the loop needs no check of the room
    // left, and keeps its position in a local (fewer steps for cold, interpreted code too).
    if (6L * n + 2 > cap - len) {
      flush();
      if (6L * n + 2 > cap) {
        longString(s);
        return;
      }
    }
    byte[] b = buf;
    int p = len;
    b[p++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        int e = ESCAPES[c];
        if (e == 0) {
          b[p++] = (byte) c;
        } else if (e > 0) {
          b[p++] = '\\';
          b[p++] = (byte) e;
        } else {
          p = unicodeEscape(b, p, c);
        }
      } else {
        p = multiByte(b, p, c);
      }
    }
    b[p++] = '"';
    len = p;
  }

  /** {@link #string} for a string that may not fit the buffer: room checked per character. */
  private void longString(String s) throws IOException {
    raw('"');
    for (int i = 0, n = s.length(); i < n; i++) {
      if (len + 6 > cap) {
        flush();
      }
      char c = s.charAt(i);
      if (c < 0x80) {
        int e = ESCAPES[c];
        if (e == 0) {
          buf[len++] = (byte) c;
        } else if (e > 0) {
          buf[len++] = '\\';
          buf[len++] = (byte) e;
        } else {
          len = unicodeEscape(buf, len, c);
        }
      } else {
        len = multiByte(buf, len, c);
      }
    }
    raw('"');
  }

  /** A character from U+0080 as UTF-8, or a surrogate as an escape; returns the new position. */
  private static int multiByte(byte[] b, int p, char c) {
    if (c < 0x800) {
      b[p++] = (byte) (0xc0 | (c >> 6));
      b[p++] = (byte) (0x80 | (c & 0x3f));
    } else if (Character.isSurrogate(c)) {
      p = unicodeEscape(b, p, c);
    } else {
      b[p++] = (byte) (0xe0 | (c >> 12));
      b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
      b[p++] = (byte) (0x80 | (c & 0x3f));
    }
    return p;
  }

  private static int unicodeEscape(byte[] b, int p, char c) {
    b[p++] = '\\';
    b[p++] = 'u';
    b[p++] = HEX[(c >> 12) & 0xf];
    b[p++] = HEX[(c >> 8) & 0xf];
    b[p++] = HEX[(c >> 4) & 0xf];
    b[p++] = HEX[c & 0xf];
    return p;
  }

  /** Writes a whole number. */
  void number(long v) throws IOException {
    if (len + 20 > cap) {
      flush();
    }
    if (v == Long.MIN_VALUE) {
      raw("-9223372036854775808");
      return;
    }
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long p = v; p >= 10; p /= 10) {
      digits++;
    }
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    }
    len += digits;
  }

  /** Writes a finite double as {@link Double#toString} spells it. */
  void number(double v) throws IOException {
    raw(Double.toString(v));
  }

  void bool(boolean v) throws IOException {
    raw(v ? TRUE : FALSE);
  }

  /**
   * The quoted names of these columns, each followed by a colon, as {@link #name} takes them: made
   * once per column list and body (a list is the same object for every row of its table).
   */
  byte[][] names(List<Column> columns) {
    byte[][] encoded = names.get(columns);
    if (encoded == null) {
      encoded = new byte[columns.size()][];
      names.put(columns, encoded);
    }
    return encoded;
  }

  /**
   * Writes {@code "name":} for the column at {@code index} of {@code columns}, whose {@link #names}
   * are {@code encoded}, preceded by a comma unless it is the first member written.
   */
  void name(byte[][] encoded, List<Column> columns, int index, boolean first) throws IOException {
    byte[] name = encoded[index];
    if (name == null) {
      name = encode(columns.get(index).name());
      encoded[index] = name;
    }
    if (!first) {
      raw(',');
    }
    raw(name);
  }

  /** {@code "name":} as bytes, escaped as {@link #string} escapes. */
  private static byte[] encode(String name) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(name.length() + 3);
    JsonBodyWriter w = new JsonBodyWriter(bytes, 64);
    w.string(name);
    w.raw(':');
    w.flush();
    return bytes.toByteArray();
  }

  /** Passes what is buffered on to the stream (does not flush the stream itself). */
  void flush() throws IOException {
    if (len > 0) {
      out.write(buf, 0, len);
      len = 0;
    }
  }
}
