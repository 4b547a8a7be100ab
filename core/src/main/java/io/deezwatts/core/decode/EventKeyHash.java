package io.deezwatts.core.decode;

import io.deezwatts.core.json.FieldHash;
import java.util.Arrays;

/**
 * Computes one event's {@code event_key} from its normalised values, as the validator walks it: a
 * 128-bit hash in which an object is the sum of its fields' hashes (member order does not matter),
 * an array folds its elements in order, and each value is hashed with a tag of its kind. Every
 * constant and step here is fixed forever: the golden keys ({@code event-keys/} in core's tests)
 * fail when any key changes. Reused from event to event; not thread-safe.
 */
final class EventKeyHash {
  // Value tags, so that equal bits of different kinds hash apart.
  private static final int TAG_STRING = 1;
  private static final int TAG_INT = 2;
  private static final int TAG_BIG_INT = 3;
  private static final int TAG_DECIMAL = 4;
  private static final int TAG_TRUE = 5;
  private static final int TAG_FALSE = 6;
  private static final int TAG_NULL = 7;
  private static final int TAG_INSTANT = 8;
  private static final int TAG_DATE = 9;
  private static final int TAG_OBJECT = 10;
  private static final int TAG_ARRAY = 11;

  // The value just hashed: its tag and two halves.
  private int tag;
  private long value1;
  private long value2;

  // One frame per open object or array: its running sums (or folds) and member count.
  private long[] frame1 = new long[16];
  private long[] frame2 = new long[16];
  private int[] frameCount = new int[16];
  private int depth = -1;

  private long key1;
  private long key2;
  private final byte[] hexScratch = new byte[32];

  void bool(boolean v) {
    hashed(v ? TAG_TRUE : TAG_FALSE, 0, 0);
  }

  void integer(long v) {
    hashed(TAG_INT, v, 0);
  }

  /** An integer too large for 64 bits, by its text. */
  void bigInteger(String text) {
    string(text);
    tag = TAG_BIG_INT;
  }

  void decimal(double d) {
    hashed(TAG_DECIMAL, Double.doubleToLongBits(d == 0.0 ? 0.0 : d), 0);
  }

  void string(String s) {
    hashed(TAG_STRING, FieldHash.string1(s), FieldHash.string2(s));
  }

  void date(long epochDay) {
    hashed(TAG_DATE, epochDay, 0);
  }

  void instant(long epochMicros) {
    hashed(TAG_INSTANT, epochMicros, 0);
  }

  void nullValue() {
    hashed(TAG_NULL, 0, 0);
  }

  void beginObject() {
    push();
  }

  /** Adds the value just hashed to the open object, as the field with this name's hashes. */
  void field(long name1, long name2) {
    long f1 = FieldHash.field1(name1, tag, value1, value2);
    frame1[depth] += f1;
    frame2[depth] += FieldHash.field2(name2, tag, value1, value2, f1);
    frameCount[depth]++;
  }

  /** Closes the open object; it becomes the value just hashed. */
  void endObject() {
    int count = frameCount[depth];
    hashed(TAG_OBJECT, frame1[depth] + count, frame2[depth] ^ count);
    depth--;
  }

  void beginArray() {
    push();
  }

  /** Folds the value just hashed into the open array as its next element. */
  void element() {
    frame1[depth] = FieldHash.sequence(frame1[depth], value1, tag);
    frame2[depth] = FieldHash.sequence(frame2[depth], value2, tag + 1L);
    frameCount[depth]++;
  }

  /** Closes the open array; it becomes the value just hashed. */
  void endArray() {
    hashed(TAG_ARRAY, frame1[depth] + frameCount[depth], frame2[depth]);
    depth--;
  }

  /** Seals the key from the event's object (the value just hashed) and its type's seeds. */
  void key(long seed1, long seed2) {
    key1 = FieldHash.fmix64(value1 ^ seed1);
    key2 = FieldHash.fmix64(value2 + seed2 + key1);
    depth = -1;
  }

  /** The last sealed key: 32 lower-case hex digits. */
  String hex() {
    return FieldHash.hex(key1, key2, hexScratch);
  }

  private void push() {
    if (++depth == frame1.length) {
      frame1 = Arrays.copyOf(frame1, depth * 2);
      frame2 = Arrays.copyOf(frame2, depth * 2);
      frameCount = Arrays.copyOf(frameCount, depth * 2);
    }
    frame1[depth] = 0;
    frame2[depth] = 0;
    frameCount[depth] = 0;
  }

  private void hashed(int valueTag, long a, long b) {
    tag = valueTag;
    value1 = a;
    value2 = b;
  }
}
