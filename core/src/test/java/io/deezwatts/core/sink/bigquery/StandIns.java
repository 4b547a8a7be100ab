package io.deezwatts.core.sink.bigquery;

import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.cloud.bigquery.storage.v1.TableSchema;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.testing.bigquery.BigQueryStandIn;
import io.deezwatts.testing.bigquery.StorageWriteStandIn;
import io.deezwatts.testing.bigquery.TableReads;
import java.util.ArrayList;
import java.util.List;

/**
 * Core's half of the testing module's BigQuery stand-ins, which need nothing of core (so that
 * core's own tests can use them): sinks that write to them, and the catalog's tables as the Storage
 * Write API reports them.
 */
final class StandIns {
  private StandIns() {}

  /** A sink on {@code proj.ds} that talks to the insertAll stand-in. */
  static BigQuerySink sink(BigQueryStandIn bigQuery, BigQuerySink.Options options) {
    return BigQuerySink.open(
        BigQueryStandIn.PROJECT, BigQueryStandIn.DATASET, bigQuery.environment(), options);
  }

  /** A sink on {@code proj.ds} that talks to the Storage Write API stand-in. */
  static BigQuerySink sink(StorageWriteStandIn bigQuery, BigQuerySink.Options options) {
    return BigQuerySink.open(
        StorageWriteStandIn.PROJECT, StorageWriteStandIn.DATASET, bigQuery.environment(), options);
  }

  /** A Storage Write API stand-in whose tables have the catalog's columns. */
  static StorageWriteStandIn storageWrite() {
    return new StorageWriteStandIn(StandIns::tableSchema);
  }

  /**
   * An insertAll stand-in whose reads ({@code tables.get}, {@code tabledata.list}) serve every
   * catalog table with the catalog's columns.
   */
  static BigQueryStandIn insertAll() {
    BigQueryStandIn bigQuery = new BigQueryStandIn();
    for (TableSpec t : Catalog.standard().tables()) {
      bigQuery.table(t.name(), restFields(t));
    }
    return bigQuery;
  }

  /** A catalog table's columns as {@code tables.get} reports them. */
  static List<TableReads.Field> restFields(TableSpec t) {
    List<TableReads.Field> fields = new ArrayList<>();
    for (Column c : t.columns()) {
      fields.add(
          new TableReads.Field(
              c.name(), c.type().equals("INT64") ? "INTEGER" : c.type(), c.mode()));
    }
    return fields;
  }

  /** A catalog table's schema as BigQuery would report it (unknown names: the quarantine's). */
  static TableSchema tableSchema(String table) {
    TableSpec spec =
        Catalog.standard().tables().stream()
            .filter(t -> t.name().equals(table))
            .findFirst()
            .orElse(Catalog.standard().quarantineTable());
    TableSchema.Builder b = TableSchema.newBuilder();
    for (Column c : spec.columns()) {
      b.addFields(field(c));
    }
    return b.build();
  }

  private static TableFieldSchema field(Column c) {
    TableFieldSchema.Builder f =
        TableFieldSchema.newBuilder()
            .setName(c.name())
            .setMode(TableFieldSchema.Mode.valueOf(c.mode()))
            .setType(
                switch (c.type()) {
                  case "INT64" -> TableFieldSchema.Type.INT64;
                  case "FLOAT64" -> TableFieldSchema.Type.DOUBLE;
                  case "BOOL" -> TableFieldSchema.Type.BOOL;
                  case "TIMESTAMP" -> TableFieldSchema.Type.TIMESTAMP;
                  case "DATE" -> TableFieldSchema.Type.DATE;
                  case "JSON" -> TableFieldSchema.Type.JSON;
                  case "RECORD" -> TableFieldSchema.Type.STRUCT;
                  default -> TableFieldSchema.Type.STRING;
                });
    for (Column sub : c.fields()) {
      f.addFields(field(sub));
    }
    return f.build();
  }
}
