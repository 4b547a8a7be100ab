package io.deezwatts.core.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonTokenId;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.catalog.FieldNames;
import io.deezwatts.core.json.Rfc3339;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One event's JSON captured as a flat list of values, so that it can be validated once its {@code
 * type} is known, wherever that field stands. Reused from event to event by one decoding call; not
 * thread-safe.
 */
final class EventTokens {
  static final byte OBJECT = 1;
  static final byte ARRAY = 2;
  static final byte STRING = 3;
  static final byte INT = 4;
  static final byte BIG_INT = 5;
  static final byte FLOAT = 6;
  static final byte TRUE = 7;
  static final byte FALSE = 8;
  static final byte NULL = 9;

  /** A string that parsed as an RFC 3339 date-time: {@code longs} holds its epoch microseconds. */
  static final byte DATETIME = 10;

  /** Integers of at most this many characters always fit a long. */
  private static final int SAFE_LONG_DIGITS = 18;

  private final FieldNames names;
  private final Feed feed;

  /** The input being decoded: byte offsets ({@link #from}, {@link #to}) index it. */
  private final byte[] input;

  /**
   * Ranks of recently seen names by hash slot. Jackson hands out the same String instance for a
   * name every time, so a hit is one reference comparison.
   */
  private final String[] cachedName = new String[256];

  private final int[] cachedRank = new int[256];

  /** The date of the last {@code time} read plainly: events of a bulk mostly share it. */
  private final Rfc3339.LastDay lastDay = new Rfc3339.LastDay();

  byte[] kind = new byte[32];
  String[] name = new String[32];

  /** The catalog rank of a member's name, or {@link FieldNames#UNKNOWN} (also for array items). */
  int[] rank = new int[32];

  String[] text = new String[32];
  long[] longs = new long[32];
  double[] doubles = new double[32];

  /** For containers: the index after the last value inside. */
  int[] end = new int[32];

  /** For containers: byte offsets of the opening and one past the closing bracket. */
  int[] from = new int[32];

  int[] to = new int[32];
  int size;

  /** The type that the member at {@link #typeIndex} named, resolved while reading it. */
  EventType type;

  int typeIndex = -1;

  EventTokens(FieldNames names, Feed feed, byte[] input) {
    this.names = names;
    this.feed = feed;
    this.input = input;
  }

  void reset() {
    size = 0;
    type = null;
    typeIndex = -1;
  }

  /** The index after value {@code i} and everything inside it. */
  int next(int i) {
    byte k = kind[i];
    return k == OBJECT || k == ARRAY ? end[i] : i + 1;
  }

  /** Index of the member {@code memberName} of object {@code obj}, or -1. */
  int member(int obj, String memberName) {
    for (int j = obj + 1; j < end[obj]; j = next(j)) {
      if (memberName.equals(name[j])) {
        return j;
      }
    }
    return -1;
  }

  /**
   * Adds value {@code i} (the next index) as a member named {@code fieldName} with its rank, or as
   * an array item (null, {@link FieldNames#UNKNOWN}); the caller then sets its kind and contents.
   */
  int open(String fieldName, int fieldRank) {
    int i = size++;
    if (i == kind.length) {
      grow();
    }
    name[i] = fieldName;
    rank[i] = fieldRank;
    return i;
  }

  /** Captures the value the parser stands on, and everything inside it. */
  int capture(JsonParser p, JsonToken token, String fieldName) throws IOException {
    int i = open(fieldName, fieldName == null ? FieldNames.UNKNOWN : rankOf(fieldName));
    switch (token.id()) {
      case JsonTokenId.ID_START_OBJECT -> {
        kind[i] = OBJECT;
        from[i] = (int) p.currentTokenLocation().getByteOffset();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String member = p.currentName();
          capture(p, p.nextToken(), member);
        }
        to[i] = (int) p.currentTokenLocation().getByteOffset() + 1;
        end[i] = size;
      }
      case JsonTokenId.ID_START_ARRAY -> {
        kind[i] = ARRAY;
        from[i] = (int) p.currentTokenLocation().getByteOffset();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
          capture(p, t, null);
        }
        to[i] = (int) p.currentTokenLocation().getByteOffset() + 1;
        end[i] = size;
      }
      case JsonTokenId.ID_STRING -> string(p, i, fieldName);
      case JsonTokenId.ID_NUMBER_INT -> {
        if (p.getTextLength() <= SAFE_LONG_DIGITS
            || p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          kind[i] = INT;
          longs[i] = p.getLongValue();
        } else {
          kind[i] = BIG_INT;
          text[i] = p.getText();
        }
      }
      case JsonTokenId.ID_NUMBER_FLOAT -> {
        kind[i] = FLOAT;
        doubles[i] = p.getDoubleValue();
      }
      case JsonTokenId.ID_TRUE -> kind[i] = TRUE;
      case JsonTokenId.ID_FALSE -> kind[i] = FALSE;
      case JsonTokenId.ID_NULL -> kind[i] = NULL;
      default -> throw new IllegalStateException("unexpected token " + token);
    }
    return i;
  }

  /**
   * Reads a string. Two strings stand in every event, and neither needs a String of its own: a
   * {@code type} the feed knows is its type's name, and a {@code time} is kept as microseconds.
   */
  private void string(JsonParser p, int i, String fieldName) throws IOException {
    // Jackson interns field names, so these compare by reference.
    if (fieldName == "time") { // NOPMD: interned
      if (time(
          i, Rfc3339.parseMicros(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()))) {
        return;
      }
    } else if (fieldName == "type") { // NOPMD: interned
      if (knownType(i, feed.type(p.getTextCharacters(), p.getTextOffset(), p.getTextLength()))) {
        return;
      }
    }
    kind[i] = STRING;
    text[i] = p.getText();
  }

  /** Sets value {@code i} to a parsed {@code time}; false when it did not parse. */
  private boolean time(int i, long micros) {
    if (micros == Rfc3339.INVALID) {
      return false;
    }
    kind[i] = DATETIME;
    longs[i] = micros;
    text[i] = null;
    return true;
  }

  /** Sets value {@code i} to a {@code type} the feed knows; false for null (an unknown type). */
  private boolean knownType(int i, EventType type) {
    if (type == null) {
      return false;
    }
    kind[i] = STRING;
    text[i] = type.name();
    this.type = type;
    this.typeIndex = i;
    return true;
  }

  /**
   * Sets value {@code i} to the string {@code input[from, to)}, which is printable ASCII without
   * escapes (so its bytes are its characters); as {@link #string} does for a string Jackson read.
   */
  void plainString(int i, String fieldName, int from, int to) {
    if (fieldName == "time") { // NOPMD: interned
      if (time(i, Rfc3339.parseMicros(input, from, to - from, lastDay))) {
        return;
      }
    } else if (fieldName == "type") { // NOPMD: interned
      if (knownType(i, feed.type(input, from, to - from))) {
        return;
      }
    }
    kind[i] = STRING;
    text[i] = new String(input, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private int rankOf(String fieldName) {
    int slot = fieldName.hashCode() & 255;
    if (cachedName[slot] == fieldName) {
      return cachedRank[slot];
    }
    int r = names.rank(fieldName);
    cachedName[slot] = fieldName;
    cachedRank[slot] = r;
    return r;
  }

  private void grow() {
    int n = kind.length * 2;
    kind = Arrays.copyOf(kind, n);
    name = Arrays.copyOf(name, n);
    rank = Arrays.copyOf(rank, n);
    text = Arrays.copyOf(text, n);
    longs = Arrays.copyOf(longs, n);
    doubles = Arrays.copyOf(doubles, n);
    end = Arrays.copyOf(end, n);
    from = Arrays.copyOf(from, n);
    to = Arrays.copyOf(to, n);
  }

  /** A short description of a value's JSON kind, for reasons. */
  static String kindName(byte k) {
    return switch (k) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> "a string";
      case INT, BIG_INT, FLOAT -> "a number";
      case DATETIME -> "a date-time string";
      case TRUE, FALSE -> "a boolean";
      default -> "null";
    };
  }
}
