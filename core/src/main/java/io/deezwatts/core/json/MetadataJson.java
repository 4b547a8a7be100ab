package io.deezwatts.core.json;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Map;
import java.util.TreeMap;

/** Ingest metadata as the JSON object the {@code metadata} column holds, keys sorted. */
public final class MetadataJson {
  private MetadataJson() {}

  /** The metadata as a compact JSON object with sorted keys; null values stay null. */
  public static String of(Map<String, String> metadata) {
    StringBuilder sb = new StringBuilder("{");
    JsonStringEncoder enc = JsonStringEncoder.getInstance();
    for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
      if (sb.length() > 1) {
        sb.append(',');
      }
      sb.append('"').append(enc.quoteAsString(e.getKey())).append("\":");
      if (e.getValue() == null) {
        sb.append("null");
      } else {
        sb.append('"').append(enc.quoteAsString(e.getValue())).append('"');
      }
    }
    return sb.append('}').toString();
  }
}
