package io.deezwatts.core.json;

import java.io.ByteArrayOutputStream;

/**
 * Rewrites JSON that a lenient Jackson parser has already accepted into strict, compact JSON:
 * whitespace outside strings, trailing commas and comments are removed; everything else, number
 * spellings and string escapes included, is kept byte for byte.
 */
public final class CompactJson {
  private CompactJson() {}

  /** The compact form of {@code src[from, to)}, which must be JSON the decoder accepted. */
  public static byte[] compact(byte[] src, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
    int i = from;
    int pendingComma = -1;
    while (i < to) {
      byte b = src[i];
      switch (b) {
        case ' ', '\t', '\n', '\r' -> i++;
        case '/' -> i = skipComment(src, i, to);
        case ',' -> {
          flushComma(out, pendingComma);
          pendingComma = i;
          i++;
        }
        case '}', ']' -> {
          pendingComma = -1; // a comma right before a closing bracket is a trailing comma
          out.write(b);
          i++;
        }
        case '"' -> {
          flushComma(out, pendingComma);
          pendingComma = -1;
          int end = endOfString(src, i, to);
          out.write(src, i, end - i);
          i = end;
        }
        default -> {
          flushComma(out, pendingComma);
          pendingComma = -1;
          out.write(b);
          i++;
        }
      }
    }
    flushComma(out, pendingComma);
    return out.toByteArray();
  }

  /** Whether {@code src[from, to)} is already compact, so that it can be used as it is. */
  public static boolean isCompact(byte[] src, int from, int to) {
    boolean inString = false;
    for (int i = from; i < to; i++) {
      byte b = src[i];
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '/') {
        return false;
      } else if ((b == '}' || b == ']') && i > from && src[i - 1] == ',') {
        return false;
      }
    }
    return true;
  }

  private static void flushComma(ByteArrayOutputStream out, int pendingComma) {
    if (pendingComma >= 0) {
      out.write(',');
    }
  }

  private static int endOfString(byte[] src, int quote, int to) {
    int i = quote + 1;
    while (i < to) {
      byte b = src[i];
      if (b == '\\') {
        i += 2;
      } else if (b == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    return to;
  }

  private static int skipComment(byte[] src, int i, int to) {
    if (i + 1 < to && src[i + 1] == '/') {
      while (i < to && src[i] != '\n' && src[i] != '\r') {
        i++;
      }
      return i;
    }
    if (i + 1 < to && src[i + 1] == '*') {
      i += 2;
      while (i + 1 < to && !(src[i] == '*' && src[i + 1] == '/')) {
        i++;
      }
      return Math.min(i + 2, to);
    }
    return i + 1;
  }
}
