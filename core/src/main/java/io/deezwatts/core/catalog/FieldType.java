package io.deezwatts.core.catalog;

import java.util.Locale;

/** The JSON shape and meaning of an event field, as the catalog names it. */
public enum FieldType {
  BOOLEAN,
  INT16,
  INT32,
  INT64,
  INTEGER,
  DECIMAL,
  STRING,
  DATE,
  DATETIME,
  EPOCH_MILLIS,
  ID,
  JSON,
  SCALAR,
  OBJECT,
  ARRAY;

  /** The catalog's spelling: lower case with underscores. */
  public String catalogName() {
    return name().toLowerCase(Locale.ROOT);
  }

  static FieldType fromCatalog(String name) {
    for (FieldType t : values()) {
      if (t.catalogName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown field type in catalog: " + name);
  }

  /** True for the integer types, whose values must be whole numbers within their bit width. */
  public boolean isInteger() {
    return this == INT16 || this == INT32 || this == INT64 || this == INTEGER;
  }

  /** Smallest value of an integer type. */
  long minValue() {
    return switch (this) {
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      default -> Long.MIN_VALUE;
    };
  }

  /** Largest value of an integer type. */
  long maxValue() {
    return switch (this) {
      case INT16 -> Short.MAX_VALUE;
      case INT32 -> Integer.MAX_VALUE;
      default -> Long.MAX_VALUE;
    };
  }
}
