package io.deezwatts.core.push;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * The {@code Content-Encoding} of a push: none (or {@code identity}) or {@code gzip}. A gzip body
 * is decompressed here with a limit on what it expands to, so that a small body cannot fill the
 * memory (a "zip bomb").
 */
enum ContentEncoding {
  IDENTITY,
  GZIP;

  /** The bytes that decompress to more than the limit. */
  static final class TooLargeException extends Exception {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** The encoding a header names, or null for one this endpoint does not decode. */
  static ContentEncoding of(String header) {
    if (header == null) {
      return IDENTITY;
    }
    return switch (header.trim().toLowerCase(Locale.ROOT)) {
      case "", "identity" -> IDENTITY;
      case "gzip", "x-gzip" -> GZIP;
      default -> null;
    };
  }

  /**
   * The body as sent before encoding.
   *
   * @param limit the most bytes it may expand to
   * @throws TooLargeException when it expands to more than {@code limit} bytes
   * @throws IOException when it is not valid gzip (no retry helps: the sender must fix it)
   */
  byte[] decode(byte[] received, int limit) throws IOException, TooLargeException {
    if (this == IDENTITY) {
      return received;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(received))) {
      byte[] out = in.readNBytes(limit + 1);
      if (out.length > limit) {
        throw new TooLargeException(
            "the gzip body expands to more than " + limit + " bytes (32 MiB)");
      }
      return out;
    }
  }
}
