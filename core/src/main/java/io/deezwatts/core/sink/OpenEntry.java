package io.deezwatts.core.sink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.deezwatts.core.decode.IngestContext;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A quarantine row as stored: the entry and the ingest columns of the delivery it came in.
 *
 * @param entry the event, bulk or refused row, with its reason and raw bytes
 * @param context when and how it arrived ({@code received_at}, {@code source}, ids, metadata); rows
 *     a requeue stores for it keep these, so their keys and partitions are those of first delivery
 */
public record OpenEntry(QuarantineEntry entry, IngestContext context) {
  private static final JsonFactory JSON = JsonFactory.builder().build();

  /** The entry is a whole bulk kept raw: no event index and no type. */
  public boolean wholeBulk() {
    return entry.eventIndex() == null && entry.type() == null;
  }

  /**
   * An entry from a quarantine row's columns by name: strings for the text columns (the metadata
   * JSON as text), numbers for {@code event_index} and {@code raw_length}, an {@link Instant} for
   * {@code received_at}. A null {@code raw_encoding} (schema version 1) is text.
   *
   * @throws IllegalArgumentException when a required column is missing or malformed (an unknown
   *     source, metadata that is not a JSON object of strings)
   */
  public static OpenEntry fromColumns(Function<String, Object> column) {
    Object index = column.apply("event_index");
    Object encoding = column.apply("raw_encoding");
    QuarantineEntry entry =
        new QuarantineEntry(
            required(column, "event_key"),
            required(column, "feed"),
            (String) column.apply("type"),
            index == null ? null : ((Number) index).intValue(),
            required(column, "reason"),
            required(column, "raw"),
            ((Number) column.apply("raw_length")).longValue(),
            encoding == null ? QuarantineEntry.TEXT : (String) encoding);
    String source = required(column, "source");
    IngestContext.Source s;
    try {
      s = IngestContext.Source.valueOf(source.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("quarantine row has the unknown source '" + source + "'");
    }
    Object receivedAt = column.apply("received_at");
    if (!(receivedAt instanceof Instant at)) {
      throw new IllegalArgumentException("quarantine row has no received_at");
    }
    return new OpenEntry(
        entry,
        new IngestContext(
            at,
            s,
            (String) column.apply("request_id"),
            (String) column.apply("message_id"),
            metadata((String) column.apply("metadata"))));
  }

  private static String required(Function<String, Object> column, String name) {
    Object v = column.apply(name);
    if (v == null) {
      throw new IllegalArgumentException("quarantine row has no " + name);
    }
    return v.toString();
  }

  /** The {@code metadata} column's JSON object of strings (as {@code MetadataJson} writes it). */
  static Map<String, String> metadata(String json) {
    Map<String, String> m = new HashMap<>();
    if (json == null || json.isBlank()) {
      return m;
    }
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("metadata is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.VALUE_NULL) {
          continue; // an ingest context holds no null values
        } else if (t.isScalarValue()) {
          m.put(name, p.getText());
        } else {
          throw new IllegalArgumentException("metadata field '" + name + "' is not a string");
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("metadata is not valid JSON: " + e.getMessage(), e);
    }
    return m;
  }
}
