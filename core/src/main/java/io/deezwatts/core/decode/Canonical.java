package io.deezwatts.core.decode;

import io.deezwatts.core.json.Murmur3;
import java.util.Arrays;

/**
 * An event's normalised content as bytes, hashed into its {@code event_key}. Fields are written in
 * name order, each value in its catalog type's normal form (an integer id sent as a string is the
 * integer; a time is its UTC instant; null is the same as absent), so the key survives reformatting
 * and re-sending and changes with any field. Reused; not thread-safe.
 */
final class Canonical {
  static final byte OBJECT = 'O';
  static final byte OBJECT_END = 'o';
  static final byte ARRAY = 'A';
  static final byte ARRAY_END = 'a';
  static final byte NAME = 'n';
  static final byte STRING = 'S';
  static final byte INT = 'I';
  static final byte BIG_INT = 'B';
  static final byte DECIMAL = 'D';
  static final byte TRUE = 'T';
  static final byte FALSE = 'F';
  static final byte NULL = 'N';
  static final byte INSTANT = 't';
  static final byte DATE = 'd';

  /** Fixed so that keys are stable across versions; changing it changes every key. */
  private static final long SEED = 0x6465657a77617474L; // "deezwatt"

  private byte[] buf = new byte[512];
  private int len;
  private final byte[][] knownNames;

  /** Pre-encodes every name the catalog knows, as {@link #putName} would write it. */
  Canonical(io.deezwatts.core.catalog.FieldNames names) {
    knownNames = new byte[names.size()][];
    for (int r = 0; r < names.size(); r++) {
      len = 0;
      putName(names.name(r));
      knownNames[r] = Arrays.copyOf(buf, len);
    }
    len = 0;
  }

  /** Writes a name the catalog knows by its rank; the bytes equal {@code putName(name)}. */
  void putKnownName(int rank) {
    byte[] b = knownNames[rank];
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  void reset(String feed, String type) {
    len = 0;
    putString(feed);
    putString(type);
  }

  void tag(byte t) {
    ensure(1);
    buf[len++] = t;
  }

  void putName(String name) {
    tag(NAME);
    putString(name);
  }

  void putLong(byte tag, long v) {
    ensure(9);
    buf[len++] = tag;
    for (int i = 0; i < 8; i++) {
      buf[len++] = (byte) (v >>> (i * 8));
    }
  }

  void putDouble(double d) {
    putLong(DECIMAL, Double.doubleToLongBits(d == 0.0 ? 0.0 : d));
  }

  void putTagged(byte tag, String s) {
    tag(tag);
    putString(s);
  }

  /** Length-prefixed; ASCII as one byte, any other char as 0xFF and its two UTF-16 bytes. */
  private void putString(String s) {
    int n = s.length();
    ensure(4 + 3 * n);
    buf[len++] = (byte) n;
    buf[len++] = (byte) (n >>> 8);
    buf[len++] = (byte) (n >>> 16);
    buf[len++] = (byte) (n >>> 24);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        buf[len++] = (byte) c;
      } else {
        buf[len++] = (byte) 0xFF;
        buf[len++] = (byte) (c >>> 8);
        buf[len++] = (byte) c;
      }
    }
  }

  String key() {
    return Murmur3.hash128Hex(buf, 0, len, SEED);
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }
  }
}
