package io.deezwatts.cli.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads a file of bulks in one streaming pass and cuts it into {@link Piece pieces}: valid bulks of
 * whole events, each at most {@code maxBytes} and {@code maxEvents}, never mixing two input bulks.
 * Events are copied byte for byte; the file is never held whole (memory: about one piece plus the
 * parser's buffer).
 *
 * <p>What a file holds is what {@code deezwatts ingest} reads, plus concatenation: for the
 * Connected Cars feeds one JSON array of events, or several (one per line, NDJSON); for {@code
 * viriciti} a sequence of socket messages, the whole file being one bulk.
 */
final class BulkReader {
  private static final JsonFactory ARRAYS = factory(false);

  /** ViriCiti's document prints its examples with comments; the decoder accepts them too. */
  private static final JsonFactory MESSAGES = factory(true);

  private final boolean messages;
  private final int maxBytes;
  private final int maxEvents;

  /** The current file's bytes read so far; read by the progress display. */
  private volatile long position;

  private int largestWindow;

  /** Where the pieces go and what the reader reports. */
  interface Handler {
    /**
     * A piece to publish. May block while the publisher catches up.
     *
     * @throws InterruptedException when interrupted while blocked
     */
    void piece(Piece piece) throws InterruptedException;

    /**
     * Something that will not be published, and why.
     *
     * @param events how many events that is (1 for an event too large; 0 for the unread rest of a
     *     file, as nobody knows how many it holds)
     */
    void failure(String message, int events);

    /** True when reading should stop early (a failure every publish would get). */
    boolean stopped();
  }

  /**
   * What one file held.
   *
   * @param bulks the bulks read (whole or in part)
   * @param events the events read
   * @param complete false when reading stopped early
   */
  record FileOutcome(int bulks, long events, boolean complete) {}

  /**
   * @param messages true for ViriCiti (sequences of socket messages), false for JSON arrays
   * @param maxBytes the largest body of one piece
   * @param maxEvents the most events in one piece
   */
  BulkReader(boolean messages, int maxBytes, int maxEvents) {
    this.messages = messages;
    this.maxBytes = maxBytes;
    this.maxEvents = maxEvents;
  }

  private static JsonFactory factory(boolean comments) {
    var b =
        JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE);
    if (comments) {
      b.enable(JsonReadFeature.ALLOW_JAVA_COMMENTS);
    }
    return b.build();
  }

  /** Bytes of the current file read so far (safe to call from another thread). */
  long position() {
    return position;
  }

  /**
   * Reads one file and hands its pieces to the handler. A file that is not what the feed expects
   * (not JSON, not arrays, not UTF-8) is reported to the handler as a failure, after the pieces
   * read before the problem; the remaining files can still be read.
   *
   * @param in the file's content (not closed here)
   * @param name the file's name, for messages and the pieces
   * @throws IOException when reading the file fails (not for bad content); the caller reports it
   * @throws InterruptedException when interrupted while the handler blocks
   */
  FileOutcome read(InputStream in, String name, Handler handler)
      throws IOException, InterruptedException {
    position = 0;
    RecordingInput input = new RecordingInput(in, maxBytes);
    Run run = new Run(input, name, handler);
    byte[] head = input.peek(4);
    if (!looksLikeUtf8(head)) {
      handler.failure(name + ": not UTF-8 (it looks like UTF-16 or UTF-32); not published", 0);
      return new FileOutcome(0, 0, false);
    }
    if (head.length >= 3
        && head[0] == (byte) 0xEF
        && head[1] == (byte) 0xBB
        && head[2] == (byte) 0xBF) {
      // Jackson would skip the byte-order mark but count its offsets from after it.
      input.skipNBytes(3);
      run.base = 3;
    }
    try (JsonParser p = (messages ? MESSAGES : ARRAYS).createParser(input)) {
      boolean complete = messages ? run.messages(p) : run.arrays(p);
      return new FileOutcome(run.bulks, run.events, complete);
    } catch (JsonProcessingException e) {
      run.flush();
      JsonLocation at = e.getLocation();
      handler.failure(
          name
              + ": not valid JSON"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
              + ": "
              + e.getOriginalMessage().lines().findFirst().orElse("")
              + "; the rest of the file was not published",
          0);
      return new FileOutcome(run.bulks, run.events, false);
    } catch (NotABulkException e) {
      run.flush();
      handler.failure(name + ": " + e.getMessage() + "; the rest of the file was not published", 0);
      return new FileOutcome(run.bulks, run.events, false);
    } finally {
      position = input.position();
      largestWindow = Math.max(largestWindow, input.capacity());
    }
  }

  /** The most bytes of a file held at once so far (for tests of the memory bound). */
  int largestWindow() {
    return largestWindow;
  }

  /** JSON travels as UTF-8; every offset here counts UTF-8 bytes. */
  private static boolean looksLikeUtf8(byte[] b) {
    if (b.length >= 2
        && ((b[0] == (byte) 0xFE && b[1] == (byte) 0xFF)
            || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE))) {
      return false;
    }
    for (byte x : b) {
      if (x == 0) {
        return false;
      }
    }
    return true;
  }

  private static final class NotABulkException extends Exception {
    private static final long serialVersionUID = 1L;

    NotABulkException(String message) {
      super(message, null, false, false);
    }
  }

  /** The state of reading one file. */
  private final class Run {
    final RecordingInput input;
    final String name;
    final Handler handler;
    final Piece.Builder pending;
    long base;
    int bulks;
    long events;
    int bulk;
    int firstEvent;

    Run(RecordingInput input, String name, Handler handler) {
      this.input = input;
      this.name = name;
      this.handler = handler;
      this.pending = new Piece.Builder(!messages, 64 * 1024, 1024, maxBytes);
    }

    boolean arrays(JsonParser p) throws IOException, InterruptedException, NotABulkException {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t != JsonToken.START_ARRAY) {
          throw new NotABulkException(
              "line "
                  + p.currentTokenLocation().getLineNr()
                  + " holds "
                  + kindOf(t)
                  + ", not a JSON array of events (a bulk)");
        }
        bulk = ++bulks;
        int index = 0;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          if (handler.stopped()) {
            flush();
            return false;
          }
          event(p, t, index++);
        }
        input.retainFrom(base + p.currentLocation().getByteOffset());
        flush();
      }
      return true;
    }

    boolean messages(JsonParser p) throws IOException, InterruptedException {
      bulk = bulks = 1;
      int index = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (handler.stopped()) {
          flush();
          return false;
        }
        event(p, t, index++);
      }
      flush();
      return true;
    }

    private void event(JsonParser p, JsonToken t, int index)
        throws IOException, InterruptedException {
      long start = base + p.currentTokenLocation().getByteOffset();
      input.retainFrom(start);
      if (t.isStructStart()) {
        p.skipChildren();
      } else {
        p.finishToken(); // a string's end is known only once it is read
      }
      long end = base + p.currentLocation().getByteOffset();
      events++;
      position = input.position();
      long length = end - start;
      long alone = length + (messages ? 1 : 2);
      if (input.overflowed() || alone > maxBytes) {
        flush();
        handler.failure(
            String.format(
                Locale.ROOT,
                "%s: bulk %d, event %d: %d bytes, more than one message may hold (%d bytes);"
                    + " not published",
                name,
                bulk,
                index,
                length,
                maxBytes - (alone - length)),
            1);
        input.retainFrom(end);
        return;
      }
      if (pending.count() > 0
          && (pending.sizeWith((int) length) > maxBytes || pending.count() >= maxEvents)) {
        flush();
      }
      if (pending.count() == 0) {
        firstEvent = index;
      }
      input.copyTo(pending, start, end);
      input.retainFrom(end);
    }

    void flush() throws InterruptedException {
      if (pending.count() > 0) {
        handler.piece(pending.build(name, bulk, firstEvent));
      }
    }
  }

  private static String kindOf(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
