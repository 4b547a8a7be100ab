package io.deezwatts.core.decode;

import io.deezwatts.core.json.CompactJson;
import java.nio.charset.StandardCharsets;

/**
 * A JSON value exactly as the vendor sent it, held as a slice of the received bytes so that
 * decoding copies nothing. {@link #toString()} gives strict, compact JSON (whitespace, trailing
 * commas and comments removed; every value spelled as sent), computed once on first use.
 */
public final class RawJson {
  private final byte[] source;
  private final int from;
  private final int to;
  private volatile String compact;

  RawJson(byte[] source, int from, int to) {
    this.source = source;
    this.from = from;
    this.to = to;
  }

  /** Wraps JSON text that is already strict and compact. */
  public static RawJson ofCompact(String json) {
    RawJson r = new RawJson(json.getBytes(StandardCharsets.UTF_8), 0, 0);
    r.compact = json;
    return r;
  }

  /** Length in bytes of the value as received. */
  public int receivedLength() {
    return compact != null && to == 0 ? source.length : to - from;
  }

  /** The compact JSON as UTF-8 bytes. */
  public byte[] toBytes() {
    String c = compact;
    if (c != null) {
      return c.getBytes(StandardCharsets.UTF_8);
    }
    return CompactJson.isCompact(source, from, to)
        ? java.util.Arrays.copyOfRange(source, from, to)
        : CompactJson.compact(source, from, to);
  }

  @Override
  public String toString() {
    String c = compact;
    if (c == null) {
      c = new String(toBytes(), StandardCharsets.UTF_8);
      compact = c;
    }
    return c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawJson other && toString().equals(other.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
