package io.deezwatts.core.decode;

/** The limits every bulk is held to; exceeding one rejects the bulk with a clear reason. */
public final class Limits {
  /** Largest body accepted: 32 MiB. */
  public static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  /** Most events in one bulk. */
  public static final int MAX_EVENTS = 100_000;

  /** Deepest nesting of objects and arrays (events need 4). */
  public static final int MAX_NESTING_DEPTH = 32;

  /** Longest number, in characters. */
  public static final int MAX_NUMBER_LENGTH = 100;

  /** Longest string value, in characters. */
  public static final int MAX_STRING_LENGTH = 1024 * 1024;

  /** Longest field name, in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  private Limits() {}
}
