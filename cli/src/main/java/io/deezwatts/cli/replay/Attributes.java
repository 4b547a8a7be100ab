package io.deezwatts.cli.replay;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The message attributes (Pub/Sub) and application properties (Event Hubs) replay sets. */
final class Attributes {
  /** The feed the receivers decode the body as; set on every message. */
  static final String FEED = "feed";

  /** The input file's name, recorded on every row as metadata (as ingest does). */
  static final String FILE = "file";

  /** Pub/Sub takes attribute values of at most 1024 bytes. */
  private static final int MAX_VALUE_BYTES = 1024;

  private Attributes() {}

  /** The file's last name element, cut to fit an attribute value. */
  static String fileName(String file) {
    Path name = Path.of(file).getFileName();
    String s = name == null ? file : name.toString();
    if (s.getBytes(StandardCharsets.UTF_8).length <= MAX_VALUE_BYTES) {
      return s;
    }
    // At most 4 bytes per code point.
    return s.codePoints()
        .limit(MAX_VALUE_BYTES / 4)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }
}
