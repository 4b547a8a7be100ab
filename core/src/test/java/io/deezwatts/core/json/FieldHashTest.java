package io.deezwatts.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FieldHashTest {
  /** Event keys are stored: their spelling must never change. */
  @Test
  void hexIsThirtyTwoLowerCaseDigitsHighNibbleFirst() {
    Random r = new Random(42);
    long[] edges = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, 0x0123456789abcdefL, 0xa5a5a5a5L};
    byte[] scratch = new byte[40];
    for (int i = 0; i < 20_000; i++) {
      long h1 = i < edges.length ? edges[i] : r.nextLong();
      long h2 = i < edges.length ? edges[edges.length - 1 - i] : r.nextLong();
      String expected = String.format("%016x%016x", h1, h2);
      assertEquals(expected, FieldHash.hex(h1, h2));
      assertEquals(expected, FieldHash.hex(h1, h2, scratch));
    }
  }
}
