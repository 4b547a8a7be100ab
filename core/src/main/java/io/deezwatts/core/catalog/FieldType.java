package io.deezwatts.core.catalog;

import java.util.Locale;

/** The JSON shape and meaning of an event field, as the catalog names it. */
public enum FieldType {
  BOOLEAN,
  INT16(Short.MIN_VALUE, Short.MAX_VALUE),
  INT32(Integer.MIN_VALUE, Integer.MAX_VALUE),
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

  private final long minValue;
  private final long maxValue;
  private final String catalogName;

  FieldType() {
    this(Long.MIN_VALUE, Long.MAX_VALUE);
  }

  FieldType(long minValue, long maxValue) {
    this.minValue = minValue;
    this.maxValue = maxValue;
    this.catalogName = name().toLowerCase(Locale.ROOT);
  }

  /** The catalog's spelling: lower case with underscores. */
  public String catalogName() {
    return catalogName;
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

  /** Whether an integer fits this type's bit width (always true for non-integer types). */
  public boolean fits(long v) {
    return v >= minValue && v <= maxValue;
  }
}
