package io.deezwatts.core.json;

/**
 * The 128-bit hashing behind event keys. An event's key combines one hash per field by addition, so
 * it does not depend on field order and needs no sorting; each field hash mixes the field's name
 * with its normalised value. The functions are fixed: changing any constant changes every key ever
 * stored, and re-sent events would no longer match their first copies.
 */
public final class FieldHash {
  private static final long K1 = 0x9E3779B97F4A7C15L;
  private static final long K2 = 0xC2B2AE3D27D4EB4FL;
  private static final long FNV_PRIME = 0x100000001B3L;
  private static final long FNV_OFFSET = 0xCBF29CE484222325L;

  private FieldHash() {}

  /** First half of a string's hash. */
  public static long string1(String s) {
    long h = FNV_OFFSET;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h ^ s.charAt(i)) * FNV_PRIME;
    }
    return fmix64(h ^ s.length());
  }

  /** Second half of a string's hash, independent of the first. */
  public static long string2(String s) {
    long h = K2;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = (h + s.charAt(i)) * K1;
      h ^= h >>> 29;
    }
    return fmix64(h + s.length());
  }

  /** First half of a field's hash, from its name's hash, a value tag and the value's two halves. */
  public static long field1(long name1, int tag, long a, long b) {
    return fmix64((name1 + tag * K1 + a) ^ Long.rotateLeft(b, 29));
  }

  /** Second half of a field's hash; mixes in the first half. */
  public static long field2(long name2, int tag, long a, long b, long field1) {
    return fmix64((name2 + tag * K2 + b) ^ Long.rotateLeft(a, 17) ^ field1);
  }

  /** Folds the next element into an ordered sequence's hash (arrays keep their order). */
  public static long sequence(long acc, long element, long salt) {
    return fmix64(acc * K1 + element + salt);
  }

  /** MurmurHash3's 64-bit finaliser. */
  public static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
          long[].class, java.nio.ByteOrder.BIG_ENDIAN);

  /** The two halves as 32 lower-case hex digits. */
  public static String hex(long h1, long h2) {
    return hex(h1, h2, new byte[32]);
  }

  /**
   * As {@link #hex(long, long)}, using {@code scratch} (at least 32 bytes, overwritten) as the work
   * buffer, so that a caller producing many keys allocates only the strings.
   */
  public static String hex(long h1, long h2, byte[] scratch) {
    LONGS.set(scratch, 0, hexDigits(h1 >>> 32));
    LONGS.set(scratch, 8, hexDigits(h1 & 0xFFFFFFFFL));
    LONGS.set(scratch, 16, hexDigits(h2 >>> 32));
    LONGS.set(scratch, 24, hexDigits(h2 & 0xFFFFFFFFL));
    return new String(scratch, 0, 32, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * The 8 lower-case hex digits of a 32-bit value as 8 ASCII bytes, most significant digit in the
   * highest byte: each nibble is spread into a byte of its own, then turned into a digit in all
   * bytes at once ('0' + n, plus the gap to 'a' where n is 10 or more).
   */
  private static long hexDigits(long v) {
    v = (v | (v << 16)) & 0x0000FFFF0000FFFFL;
    v = (v | (v << 8)) & 0x00FF00FF00FF00FFL;
    v = (v | (v << 4)) & 0x0F0F0F0F0F0F0F0FL;
    long letters = ((v + 0x0606060606060606L) >>> 4) & 0x0101010101010101L;
    return v + 0x3030303030303030L + letters * ('a' - '0' - 10);
  }
}
