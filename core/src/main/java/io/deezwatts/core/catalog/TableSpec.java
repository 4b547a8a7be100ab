package io.deezwatts.core.catalog;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One warehouse table: its columns in order, the column it is partitioned on and its clustering.
 * Immutable.
 */
public final class TableSpec {
  /** Columns that every feed table starts with. */
  public static final List<String> HEAD_COLUMNS = List.of("event_key", "type", "time");

  /** Ingest columns that every feed table ends with. */
  public static final List<String> TAIL_COLUMNS =
      List.of("payload", "received_at", "source", "request_id", "message_id", "metadata");

  private final String name;
  private final String feed;
  private final String description;
  private final String partitionColumn;
  private final List<String> cluster;
  private final List<Column> columns;
  private final Map<String, Integer> indexByName = new HashMap<>();
  private final int payloadIndex;

  TableSpec(
      String name,
      String feed,
      String description,
      String partitionColumn,
      List<String> cluster,
      List<Column> columns) {
    this.name = name;
    this.feed = feed;
    this.description = description;
    this.partitionColumn = partitionColumn;
    this.cluster = List.copyOf(cluster);
    this.columns = List.copyOf(columns);
    for (int i = 0; i < columns.size(); i++) {
      if (indexByName.put(columns.get(i).name(), i) != null) {
        throw new IllegalArgumentException(name + ": column " + columns.get(i).name() + " twice");
      }
    }
    this.payloadIndex = indexByName.getOrDefault("payload", -1);
    if (!indexByName.containsKey(partitionColumn)) {
      throw new IllegalArgumentException(name + ": no partition column " + partitionColumn);
    }
    for (String c : cluster) {
      if (!indexByName.containsKey(c)) {
        throw new IllegalArgumentException(name + ": no clustering column " + c);
      }
    }
  }

  public String name() {
    return name;
  }

  /** The feed whose events land here, or null for the quarantine table. */
  public String feed() {
    return feed;
  }

  public String description() {
    return description;
  }

  /** The TIMESTAMP column the table is partitioned on by day. */
  public String partitionColumn() {
    return partitionColumn;
  }

  public List<String> cluster() {
    return cluster;
  }

  public List<Column> columns() {
    return columns;
  }

  /**
   * Index of the {@code payload} column, which {@link #TAIL_COLUMNS} follow in order; -1 for the
   * quarantine table.
   */
  public int payloadIndex() {
    return payloadIndex;
  }

  /** Index of a top-level column, or -1. */
  public int columnIndex(String column) {
    Integer i = indexByName.get(column);
    return i == null ? -1 : i;
  }

  /** Index of a top-level column that must exist. */
  public int requireColumn(String column) {
    int i = columnIndex(column);
    if (i < 0) {
      throw new IllegalArgumentException("table " + name + " has no column " + column);
    }
    return i;
  }

  @Override
  public String toString() {
    return name;
  }
}
