package io.deezwatts.core.catalog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only JSON tree of the catalog resource, read with Jackson's streaming parser. It offers
 * the few {@code JsonNode} accessors the catalog's loader uses, with the same answers for missing
 * and null values, so that loading the catalog does not need jackson-databind: building an {@code
 * ObjectMapper} loads some 400 classes, which cost a cold function's first request about 150 ms.
 *
 * <p>A missing member reads as an empty node: {@link #path} of it is missing too, it iterates as
 * empty, {@link #asText()} is {@code ""} and the {@code as*(default)} accessors give the default.
 * Numbers keep their text. Iterating an object gives its members' values, an array its elements.
 *
 * <p>Unlike {@code JsonNode}, the number and boolean accessors are strict: a value of another type
 * ({@code "min": "-90"}, {@code "nullable": "yes"}) throws instead of reading as 0 or the default,
 * so that a bad catalog edit fails loading (and the build's tests) instead of quietly changing what
 * is validated.
 */
final class CatalogJson implements Iterable<CatalogJson> {
  private static final CatalogJson MISSING = new CatalogJson(Kind.MISSING, null);
  private static final CatalogJson NULL = new CatalogJson(Kind.NULL, null);

  private enum Kind {
    MISSING,
    NULL,
    OBJECT,
    ARRAY,
    STRING,
    INTEGER,
    DECIMAL,
    TRUE,
    FALSE
  }

  private final Kind kind;

  /** Members (a map) for an object, elements (a list) for an array, the text of a scalar. */
  private final Object value;

  private CatalogJson(Kind kind, Object value) {
    this.kind = kind;
    this.value = value;
  }

  /**
   * Reads one JSON document.
   *
   * @throws IOException when the stream fails or does not hold exactly one JSON value (a build
   *     error for the bundled catalog; a retry cannot help)
   */
  static CatalogJson read(InputStream in) throws IOException {
    try (JsonParser p = new JsonFactory().createParser(in)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw new IOException("no JSON value");
      }
      CatalogJson root = value(p, first);
      if (p.nextToken() != null) {
        throw new IOException("more than one JSON value");
      }
      return root;
    }
  }

  private static CatalogJson value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        {
          Map<String, CatalogJson> members = new LinkedHashMap<>();
          JsonToken next;
          while ((next = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            members.put(name, value(p, p.nextToken()));
          }
          if (next != JsonToken.END_OBJECT) {
            throw new IOException("unexpected " + next + " in an object");
          }
          return new CatalogJson(Kind.OBJECT, Collections.unmodifiableMap(members));
        }
      case START_ARRAY:
        {
          List<CatalogJson> elements = new ArrayList<>();
          JsonToken next;
          while ((next = p.nextToken()) != JsonToken.END_ARRAY) {
            if (next == null) {
              throw new IOException("unexpected end of input in an array");
            }
            elements.add(value(p, next));
          }
          return new CatalogJson(Kind.ARRAY, Collections.unmodifiableList(elements));
        }
      case VALUE_STRING:
        return new CatalogJson(Kind.STRING, p.getText());
      case VALUE_NUMBER_INT:
        return new CatalogJson(Kind.INTEGER, p.getText());
      case VALUE_NUMBER_FLOAT:
        return new CatalogJson(Kind.DECIMAL, p.getText());
      case VALUE_TRUE:
        return new CatalogJson(Kind.TRUE, "true");
      case VALUE_FALSE:
        return new CatalogJson(Kind.FALSE, "false");
      case VALUE_NULL:
        return NULL;
      default:
        throw new IOException("unexpected " + t);
    }
  }

  /** The member of that name of an object, else a missing node. */
  CatalogJson path(String name) {
    if (kind == Kind.OBJECT) {
      CatalogJson member = members().get(name);
      if (member != null) {
        return member;
      }
    }
    return MISSING;
  }

  /** Whether this is an object with a member of that name that is not JSON null. */
  boolean hasNonNull(String name) {
    Kind k = path(name).kind;
    return k != Kind.MISSING && k != Kind.NULL;
  }

  /** A string's value, a number's or boolean's text, {@code "null"} for null, else {@code ""}. */
  String asText() {
    return switch (kind) {
      case STRING, INTEGER, DECIMAL, TRUE, FALSE -> (String) value;
      case NULL -> "null";
      default -> "";
    };
  }

  /** As {@link #asText()}, but {@code defaultValue} when missing or null. */
  String asText(String defaultValue) {
    return kind == Kind.MISSING || kind == Kind.NULL ? defaultValue : asText();
  }

  /**
   * A whole number's value.
   *
   * @throws IllegalStateException when this is not a whole number (missing, null, a decimal, a
   *     string...): a catalog edit went wrong, and it must fail loading rather than quietly shift
   *     validation
   */
  int asInt() {
    if (kind != Kind.INTEGER) {
      throw new IllegalStateException("expected a whole number, found " + describe());
    }
    return Math.toIntExact(Long.parseLong((String) value));
  }

  /**
   * As {@link #asInt()}, but {@code defaultValue} when missing or null.
   *
   * @throws IllegalStateException when present and not a whole number
   */
  int asInt(int defaultValue) {
    return kind == Kind.MISSING || kind == Kind.NULL ? defaultValue : asInt();
  }

  /**
   * A number's value.
   *
   * @throws IllegalStateException when this is not a number (a string such as {@code "-90"}
   *     included)
   */
  double asDouble() {
    if (kind != Kind.INTEGER && kind != Kind.DECIMAL) {
      throw new IllegalStateException("expected a number, found " + describe());
    }
    return Double.parseDouble((String) value);
  }

  /**
   * A boolean's value, or {@code defaultValue} when missing or null.
   *
   * @throws IllegalStateException when present and not {@code true} or {@code false}
   */
  boolean asBoolean(boolean defaultValue) {
    return switch (kind) {
      case TRUE -> true;
      case FALSE -> false;
      case MISSING, NULL -> defaultValue;
      default -> throw new IllegalStateException("expected true or false, found " + describe());
    };
  }

  private String describe() {
    return switch (kind) {
      case MISSING -> "nothing";
      case STRING -> "the string \"" + value + "\"";
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      default -> asText();
    };
  }

  /** An object's members in document order; empty for anything else. */
  @SuppressWarnings("unchecked")
  Map<String, CatalogJson> members() {
    return kind == Kind.OBJECT ? (Map<String, CatalogJson>) value : Map.of();
  }

  /** An array's elements or an object's values, in document order; nothing for anything else. */
  @Override
  @SuppressWarnings("unchecked")
  public Iterator<CatalogJson> iterator() {
    if (kind == Kind.ARRAY) {
      return ((List<CatalogJson>) value).iterator();
    }
    return members().values().iterator();
  }
}
