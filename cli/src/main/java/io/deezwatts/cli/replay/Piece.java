package io.deezwatts.cli.replay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One message to publish: a valid bulk made of whole events taken from one bulk of an input file.
 * Connected Cars bulks are written as a JSON array ({@code [e0,e1,...]}); ViriCiti bulks as
 * newline-delimited socket messages, which is what the receivers' decoders read.
 *
 * @param file the input file's name, for messages and the {@code file} attribute
 * @param bulk the bulk's number in the file, from 1
 * @param firstEvent the index of the first event within its bulk, from 0
 * @param body the message body, UTF-8
 * @param ends for each event, the offset in {@code body} just after it; event {@code i} starts one
 *     byte after {@code ends[i - 1]} (after the separator), the first one after the opening bracket
 * @param array true for a JSON array, false for newline-delimited messages
 */
record Piece(String file, int bulk, int firstEvent, byte[] body, int[] ends, boolean array) {
  int events() {
    return ends.length;
  }

  /** The events' indexes and where they came from, as people read it. */
  String where() {
    int last = firstEvent + ends.length - 1;
    return file
        + ": bulk "
        + bulk
        + (ends.length == 1 ? ", event " + firstEvent : ", events " + firstEvent + "-" + last);
  }

  /**
   * This piece as two valid pieces, each with half of the events.
   *
   * @throws IllegalStateException when it holds a single event, which cannot be split
   */
  Piece[] halves() {
    if (ends.length < 2) {
      throw new IllegalStateException("a single event cannot be split");
    }
    int half = ends.length / 2;
    return new Piece[] {part(0, half), part(half, ends.length)};
  }

  private int start(int i) {
    return i == 0 ? (array ? 1 : 0) : ends[i - 1] + 1;
  }

  private Piece part(int from, int to) {
    int size = ends[to - 1] - start(from) + 2;
    Builder b = new Builder(array, size, to - from, size);
    for (int i = from; i < to; i++) {
      b.add(body, start(i), ends[i] - start(i));
    }
    return b.build(file, bulk, firstEvent + from);
  }

  @Override
  public String toString() {
    return where() + " (" + body.length + " bytes)";
  }

  /** Decodes the body, for tests and messages. */
  String text() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Builds a piece's body event by event; reusable after {@link #build}. */
  static final class Builder {
    private final boolean array;
    private final int maxBytes;
    private byte[] buf;
    private int len;
    private int[] ends;
    private int count;

    /**
     * @param initialBytes the buffer's first size; it grows as needed, by doubling up to {@code
     *     maxBytes} (the largest body built), beyond only as far as needed
     */
    Builder(boolean array, int initialBytes, int initialEvents, int maxBytes) {
      this.array = array;
      this.maxBytes = maxBytes;
      this.buf = new byte[Math.max(16, initialBytes)];
      this.ends = new int[Math.max(4, initialEvents)];
      reset();
    }

    /** The body's size if an event of {@code length} bytes were added. */
    long sizeWith(int length) {
      return array ? len + (count == 0 ? 0 : 1) + length + 1L : len + length + 1L;
    }

    /** The body's size as it would be built now. */
    int size() {
      return array ? len + 1 : len;
    }

    int count() {
      return count;
    }

    void add(byte[] from, int offset, int length) {
      int need = len + length + 2;
      if (need > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(need, Math.min(buf.length * 2, maxBytes + 2)));
      }
      if (array && count > 0) {
        buf[len++] = ',';
      }
      System.arraycopy(from, offset, buf, len, length);
      len += length;
      if (count == ends.length) {
        ends = Arrays.copyOf(ends, ends.length * 2);
      }
      ends[count++] = len;
      if (!array) {
        buf[len++] = '\n';
      }
    }

    Piece build(String file, int bulk, int firstEvent) {
      byte[] body = Arrays.copyOf(buf, size());
      if (array) {
        body[body.length - 1] = ']';
      }
      Piece p = new Piece(file, bulk, firstEvent, body, Arrays.copyOf(ends, count), array);
      reset();
      return p;
    }

    private void reset() {
      len = 0;
      count = 0;
      if (array) {
        buf[len++] = '[';
      }
    }
  }
}
