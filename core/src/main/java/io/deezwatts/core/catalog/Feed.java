package io.deezwatts.core.catalog;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A vendor feed: its event types, the tables they land in, and how types it does not know are kept.
 */
public final class Feed {
  /** Where an event of an unknown type goes: the first rule whose field is present wins. */
  public record UnknownTypeRule(EventType standIn, String whenField) {}

  /** A message of the feed that is not data (ViriCiti's error, acl and subscription echo). */
  public record ControlMessage(String type, String description) {}

  private final String name;
  private final String title;
  private final String specFile;
  private final Map<String, EventType> types;

  /**
   * Open-addressing index of {@link #types} by a cheap hash, as a fresh type string arrives per
   * event.
   */
  private final String[] indexKeys;

  private final EventType[] indexTypes;
  private final List<UnknownTypeRule> unknownTypes;
  private final List<ControlMessage> controlMessages;

  Feed(
      String name,
      String title,
      String specFile,
      Map<String, EventType> types,
      List<UnknownTypeRule> unknownTypes,
      List<ControlMessage> controlMessages) {
    this.name = name;
    this.title = title;
    this.specFile = specFile;
    this.types = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(types));
    int size = Integer.highestOneBit(Math.max(16, types.size() * 4) - 1) << 1;
    this.indexKeys = new String[size];
    this.indexTypes = new EventType[size];
    for (EventType t : types.values()) {
      int i = slot(t.name());
      while (indexKeys[i] != null) {
        i = (i + 1) & (size - 1);
      }
      indexKeys[i] = t.name();
      indexTypes[i] = t;
    }
    this.unknownTypes = List.copyOf(unknownTypes);
    this.controlMessages = List.copyOf(controlMessages);
  }

  public String name() {
    return name;
  }

  public String title() {
    return title;
  }

  /** The file name of the vendor document this feed follows (not in this repository). */
  public String specFile() {
    return specFile;
  }

  /** The type of that name, or null. */
  public EventType type(String typeName) {
    int mask = indexKeys.length - 1;
    for (int i = slot(typeName); indexKeys[i] != null; i = (i + 1) & mask) {
      if (indexKeys[i].equals(typeName)) {
        return indexTypes[i];
      }
    }
    return null;
  }

  /** The type whose name is {@code chars[offset, offset+length)}, or null; allocates nothing. */
  public EventType type(char[] chars, int offset, int length) {
    int mask = indexKeys.length - 1;
    int h = length;
    if (length > 0) {
      h =
          mix(
              h,
              chars[offset],
              chars[offset + length - 1],
              chars[offset + length / 2],
              chars[offset + length / 3],
              chars[offset + (2 * length) / 3]);
    }
    for (int i = (h ^ (h >>> 7)) & mask; indexKeys[i] != null; i = (i + 1) & mask) {
      String key = indexKeys[i];
      // Compared by hand: contentEquals needs a CharBuffer, one allocation per event.
      if (key.length() == length && sameChars(key, chars, offset)) {
        return indexTypes[i];
      }
    }
    return null;
  }

  /**
   * The type whose name is the ASCII text {@code bytes[offset, offset+length)}, or null; allocates
   * nothing. A byte outside ASCII never matches (no type name has one).
   */
  public EventType type(byte[] bytes, int offset, int length) {
    int mask = indexKeys.length - 1;
    int h = length;
    if (length > 0) {
      h =
          mix(
              h,
              (char) (bytes[offset] & 0xff),
              (char) (bytes[offset + length - 1] & 0xff),
              (char) (bytes[offset + length / 2] & 0xff),
              (char) (bytes[offset + length / 3] & 0xff),
              (char) (bytes[offset + (2 * length) / 3] & 0xff));
    }
    for (int i = (h ^ (h >>> 7)) & mask; indexKeys[i] != null; i = (i + 1) & mask) {
      String key = indexKeys[i];
      if (key.length() == length && sameAscii(key, bytes, offset)) {
        return indexTypes[i];
      }
    }
    return null;
  }

  private static boolean sameAscii(String key, byte[] bytes, int offset) {
    for (int k = 0, n = key.length(); k < n; k++) {
      if (key.charAt(k) != bytes[offset + k]) { // a negative (non-ASCII) byte never equals a char
        return false;
      }
    }
    return true;
  }

  /** A hash of a few characters: cheaper than String.hashCode over the whole fresh string. */
  private int slot(String s) {
    int n = s.length();
    int h = n;
    if (n > 0) {
      h =
          mix(
              h,
              s.charAt(0),
              s.charAt(n - 1),
              s.charAt(n / 2),
              s.charAt(n / 3),
              s.charAt((2 * n) / 3));
    }
    h ^= h >>> 7;
    return h & (indexKeys.length - 1);
  }

  private static boolean sameChars(String key, char[] chars, int offset) {
    for (int k = 0, n = key.length(); k < n; k++) {
      if (key.charAt(k) != chars[offset + k]) {
        return false;
      }
    }
    return true;
  }

  private static int mix(int h, char a, char b, char c, char d, char e) {
    return ((((h * 31 + a) * 31 + b) * 31 + c) * 31 + d) * 31 + e;
  }

  public Collection<EventType> types() {
    return types.values();
  }

  public List<UnknownTypeRule> unknownTypes() {
    return unknownTypes;
  }

  public List<ControlMessage> controlMessages() {
    return controlMessages;
  }
}
