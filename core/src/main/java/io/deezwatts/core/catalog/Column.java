package io.deezwatts.core.catalog;

import java.util.List;

/**
 * A warehouse column in BigQuery's terms.
 *
 * @param name snake_case column name
 * @param type BigQuery type: STRING, INT64, FLOAT64, BOOL, DATE, TIMESTAMP, JSON or RECORD
 * @param mode NULLABLE, REQUIRED or REPEATED
 * @param description what the column holds
 * @param fields sub-columns of a RECORD, empty otherwise
 */
public record Column(
    String name, String type, String mode, String description, List<Column> fields) {

  public Column {
    fields = List.copyOf(fields);
  }

  public boolean isRecord() {
    return "RECORD".equals(type);
  }

  public boolean isRepeated() {
    return "REPEATED".equals(mode);
  }

  /** Index of a sub-column of this RECORD, or -1. */
  public int fieldIndex(String subName) {
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).name().equals(subName)) {
        return i;
      }
    }
    return -1;
  }
}
