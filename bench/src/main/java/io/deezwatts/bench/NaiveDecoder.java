package io.deezwatts.bench;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.catalog.FieldSpec;
import io.deezwatts.core.json.Murmur3;
import java.io.IOException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The baseline the issue names: {@code ObjectMapper.readTree}, then per-field mapping with the same
 * validation (types, ranges, enums, times), a row map per event, the payload re-serialised and a
 * key hashed from a sorted re-serialisation. This is how such a decoder is usually first written.
 */
final class NaiveDecoder {
  private final ObjectMapper mapper =
      JsonMapper.builder()
          .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();
  private final Feed feed = Catalog.standard().feed("data-streams");

  record Result(List<Map<String, Object>> rows, List<String> quarantined) {}

  Result decode(byte[] body) throws IOException {
    JsonNode root = mapper.readTree(body);
    if (!root.isArray()) {
      throw new IOException("not an array");
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode e = root.get(i);
      EventType type = feed.type(e.path("type").asText());
      if (type == null) {
        quarantined.add("event " + i + ": unknown type");
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      String error = null;
      for (FieldSpec f : type.fields()) {
        JsonNode v = e.get(f.name());
        if (v == null || v.isNull()) {
          if (f.required()) {
            error = "field " + f.name() + " missing";
          }
          continue;
        }
        Object value = convert(f, v);
        if (value == null) {
          error = "field " + f.name() + " invalid";
          continue;
        }
        row.put(f.columnPath() == null ? f.name() : f.columnPath(), value);
      }
      if (error != null) {
        quarantined.add("event " + i + ": " + error);
        continue;
      }
      Map<String, Object> sorted = new TreeMap<>();
      e.properties().forEach(m -> sorted.put(m.getKey(), m.getValue()));
      byte[] canonical = mapper.writeValueAsBytes(sorted);
      row.put("event_key", Murmur3.hash128Hex(canonical, 0, canonical.length, 1));
      row.put("type", type.name());
      row.put("payload", e.toString());
      rows.add(row);
    }
    return new Result(rows, quarantined);
  }

  private static Object convert(FieldSpec f, JsonNode v) {
    switch (f.type()) {
      case BOOLEAN:
        return v.isBoolean() ? v.booleanValue() : null;
      case INT16:
      case INT32:
      case INT64:
      case INTEGER:
        {
          long l;
          if (v.isIntegralNumber() && v.canConvertToLong()) {
            l = v.longValue();
          } else if (v.isTextual() && f.lenientNumericString()) {
            try {
              l = Long.parseLong(v.asText());
            } catch (NumberFormatException ex) {
              return null;
            }
          } else {
            return null;
          }
          return inRange(f, l) ? l : null;
        }
      case DECIMAL:
        {
          if (!v.isNumber()) {
            return null;
          }
          double d = v.doubleValue();
          return Double.isFinite(d) && inRange(f, d) ? d : null;
        }
      case STRING:
        if (!v.isTextual()) {
          return null;
        }
        if (!f.enumValues().isEmpty() && !f.enumValues().contains(v.asText())) {
          return null;
        }
        if (f.hex() && !v.asText().matches("[0-9A-Fa-f]+")) {
          return null;
        }
        return v.asText();
      case DATE:
        try {
          return LocalDate.parse(v.asText());
        } catch (RuntimeException ex) {
          return null;
        }
      case DATETIME:
        try {
          return OffsetDateTime.parse(v.asText()).toInstant();
        } catch (RuntimeException ex) {
          return null;
        }
      default:
        return v.toString();
    }
  }

  private static boolean inRange(FieldSpec f, double d) {
    return d >= f.min() && d <= f.max();
  }
}
