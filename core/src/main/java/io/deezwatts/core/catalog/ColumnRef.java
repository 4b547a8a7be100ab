package io.deezwatts.core.catalog;

/**
 * Where a field's value lands in a row: a top-level column index and, for a RECORD, the index of
 * the sub-column (or -1). Inside a repeated RECORD's items the indexes are relative to the item.
 */
public record ColumnRef(int column, int subColumn) {
  public boolean isNested() {
    return subColumn >= 0;
  }
}
