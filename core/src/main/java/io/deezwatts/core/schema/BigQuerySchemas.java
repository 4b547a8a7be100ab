package io.deezwatts.core.schema;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.TableSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * BigQuery table schemas, generated from the catalog: one JSON file per table in the format {@code
 * bq mk --schema} and terraform's {@code google_bigquery_table.schema} read, plus {@code
 * tables.json} with each table's partitioning and clustering.
 */
public final class BigQuerySchemas {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter WRITER =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));

  private BigQuerySchemas() {}

  /**
   * Every generated file by its name: {@code <table>.json} for each table, and {@code tables.json}.
   */
  public static Map<String, String> files(Catalog catalog) {
    Map<String, String> files = new LinkedHashMap<>();
    for (TableSpec t : catalog.tables()) {
      files.put(t.name() + ".json", schemaJson(t));
    }
    files.put("tables.json", tablesJson(catalog));
    return files;
  }

  /** The table's schema as BigQuery JSON, pretty-printed, ending in a newline. */
  public static String schemaJson(TableSpec table) {
    ArrayNode fields = MAPPER.createArrayNode();
    table.columns().forEach(c -> fields.add(column(c)));
    return write(fields);
  }

  /** Each table's description, partition column and clustering, for terraform. */
  public static String tablesJson(Catalog catalog) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("catalog_version", catalog.version());
    ArrayNode tables = root.putArray("tables");
    for (TableSpec t : catalog.tables()) {
      ObjectNode n = tables.addObject();
      n.put("name", t.name());
      n.put("feed", t.feed());
      n.put("description", t.description());
      n.put("schema_file", t.name() + ".json");
      n.put("partition_column", t.partitionColumn());
      ArrayNode cluster = n.putArray("clustering");
      t.cluster().forEach(cluster::add);
      n.put("dedup_view", t.name() + "_dedup");
    }
    return write(root);
  }

  private static ObjectNode column(Column c) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", c.name());
    n.put("type", c.type());
    n.put("mode", c.mode());
    n.put("description", c.description());
    if (c.isRecord()) {
      ArrayNode sub = n.putArray("fields");
      c.fields().forEach(f -> sub.add(column(f)));
    }
    return n;
  }

  private static String write(Object tree) {
    try {
      return WRITER.writeValueAsString(tree) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
