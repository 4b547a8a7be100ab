package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Murmur3Test {

  /** Guava's MurmurHash3 x64 128 in our spelling: h1 then h2, each as 16 big-endian hex digits. */
  private static String guava(byte[] data, int offset, int length, int seed) {
    byte[] hash = Hashing.murmur3_128(seed).hashBytes(data, offset, length).asBytes();
    ByteBuffer bb = ByteBuffer.wrap(hash).order(ByteOrder.LITTLE_ENDIAN);
    long h1 = bb.getLong();
    long h2 = bb.getLong();
    return String.format("%016x%016x", h1, h2);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {0, 1, 42, 0x9747b28c & 0x7fffffff, 104_729, Integer.MAX_VALUE})
  void matchesGuavaForEveryLengthUpTo100(int seed) {
    Random r = new Random(31L * seed + 7);
    for (int length = 0; length <= 100; length++) {
      for (int rep = 0; rep < 8; rep++) {
        byte[] data = new byte[length];
        r.nextBytes(data);
        assertEquals(
            guava(data, 0, length, seed),
            Murmur3.hash128Hex(data, 0, length, seed),
            "length " + length + " data " + Arrays.toString(data));
      }
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(ints = {0, 3, 1_000_003})
  void hashesOnlyTheSliceAtAnOffset(int seed) {
    Random r = new Random(seed + 99L);
    for (int length = 0; length <= 100; length++) {
      int offset = 1 + r.nextInt(17);
      byte[] buffer = new byte[offset + length + 1 + r.nextInt(17)];
      r.nextBytes(buffer);
      byte[] slice = Arrays.copyOfRange(buffer, offset, offset + length);
      String hash = Murmur3.hash128Hex(buffer, offset, length, seed);
      assertEquals(guava(buffer, offset, length, seed), hash, "length " + length);
      assertEquals(Murmur3.hash128Hex(slice, 0, length, seed), hash, "length " + length);
    }
  }

  @Test
  void knownVectors() {
    byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
    assertEquals("e34bbc7bbc071b6c7a433ca9c49a9347", Murmur3.hash128Hex(fox, 0, fox.length, 0));
    assertEquals("00000000000000000000000000000000", Murmur3.hash128Hex(new byte[0], 0, 0, 0));
  }

  @Test
  void seedChangesTheHash() {
    byte[] data = "deezwatts".getBytes(StandardCharsets.US_ASCII);
    String seed0 = Murmur3.hash128Hex(data, 0, data.length, 0);
    assertTrue(!seed0.equals(Murmur3.hash128Hex(data, 0, data.length, 1)));
    assertEquals(seed0, Murmur3.hash128Hex(data, 0, data.length, 0));
  }

  @Test
  void isAlways32LowerCaseHexDigits() {
    Random r = new Random(5);
    for (int i = 0; i < 1_000; i++) {
      byte[] data = new byte[r.nextInt(64)];
      r.nextBytes(data);
      String hex = Murmur3.hash128Hex(data, 0, data.length, r.nextInt(Integer.MAX_VALUE));
      assertTrue(hex.matches("[0-9a-f]{32}"), hex);
    }
  }
}
