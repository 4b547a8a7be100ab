package io.deezwatts.cli.replay;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * An input stream that keeps a window of the bytes it has passed on, so that an event the JSON
 * parser has just skipped over can be copied byte for byte by its offsets (no re-serialising: the
 * published bytes are the file's). Memory stays bounded: bytes before {@link #retainFrom} are
 * dropped, and when more than the retention limit would be held, retention stops and {@link
 * #overflowed()} says so (the event is too large to publish anyway).
 */
final class RecordingInput extends InputStream {
  private final InputStream in;
  private final int maxRetained;
  private byte[] window = new byte[64 * 1024];
  private long windowStart;
  private int windowLength;
  private long keepFrom;
  private long served;
  private boolean overflowed;
  private int largestRead = 8 * 1024;

  /**
   * @param in the file
   * @param maxRetained the most bytes of one event to keep; beyond it the event is only skipped
   */
  RecordingInput(InputStream in, int maxRetained) {
    this.in = in;
    this.maxRetained = maxRetained;
  }

  /** The window's largest size so far: what reading held in memory. */
  int capacity() {
    return window.length;
  }

  /** How many bytes have been passed on so far. */
  long position() {
    return windowStart + windowLength;
  }

  /**
   * Keeps the bytes from this offset on (until the next call), up to the retention limit.
   *
   * @throws IllegalStateException when those bytes were already dropped (a bug: the parser starts
   *     an event only within what it read last)
   */
  void retainFrom(long offset) {
    if (offset < windowStart) {
      throw new IllegalStateException(
          "byte " + offset + " was already dropped (window starts at " + windowStart + ")");
    }
    keepFrom = offset;
    overflowed = false;
  }

  /** True when the bytes since {@link #retainFrom} went over the limit and were not all kept. */
  boolean overflowed() {
    return overflowed;
  }

  /** Copies the kept bytes {@code [from, to)} into the piece being built. */
  void copyTo(Piece.Builder piece, long from, long to) {
    if (overflowed || from < windowStart || to > position() || from > to) {
      throw new IllegalStateException("bytes " + from + ".." + to + " are not held");
    }
    piece.add(window, (int) (from - windowStart), (int) (to - from));
  }

  /** Reads the first bytes without consuming them from the caller's point of view. */
  byte[] peek(int n) throws IOException {
    while (windowLength < n) {
      if (fill(n - windowLength) < 0) {
        break;
      }
    }
    return Arrays.copyOf(window, Math.min(n, windowLength));
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xFF;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    largestRead = Math.max(largestRead, len);
    long available = position() - served;
    if (available == 0) {
      int n = fill(len);
      if (n < 0) {
        return -1;
      }
      available = n;
    }
    int n = (int) Math.min(len, available);
    System.arraycopy(window, (int) (served - windowStart), b, off, n);
    served += n;
    return n;
  }

  /** Reads up to {@code len} more bytes from the file into the window. */
  private int fill(int len) throws IOException {
    drop();
    if (windowLength + len > window.length) {
      // Doubling, but not far past what may be held: an event up to the limit and a read or two.
      long cap = (long) maxRetained + 4L * largestRead;
      int grown = (int) Math.min(Integer.MAX_VALUE - 8, Math.min(window.length * 2L, cap));
      window = Arrays.copyOf(window, Math.max(windowLength + len, grown));
    }
    int n = in.read(window, windowLength, len);
    if (n > 0) {
      windowLength += n;
    }
    return n;
  }

  /**
   * Drops the bytes nobody needs: those before {@code keepFrom} and not yet handed to the parser,
   * and, past the retention limit, all but the parser's last read (the next event starts there).
   */
  private void drop() {
    long keep = Math.min(keepFrom, served);
    if (position() - keep > (long) maxRetained + 2L * largestRead) {
      overflowed = true;
      keep = Math.max(keep, position() - 2L * largestRead);
    }
    keep = Math.max(keep, windowStart);
    int cut = (int) (keep - windowStart);
    if (cut > 0 && (cut >= window.length / 2 || windowLength - cut < 4096)) {
      System.arraycopy(window, cut, window, 0, windowLength - cut);
      windowLength -= cut;
      windowStart = keep;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
