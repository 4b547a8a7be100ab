package io.deezwatts.core.sink.bigquery;

import com.google.cloud.bigquery.storage.v1.ProtoSchema;
import com.google.cloud.bigquery.storage.v1.ProtoSchemaConverter;
import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import io.deezwatts.core.catalog.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The protobuf (proto2) message a table's rows are written as through the Storage Write API, built
 * from the catalog's columns: column {@code i} is field {@code i + 1}, so a column's number never
 * depends on which others are written. STRING and JSON are {@code string}, INT64 {@code int64},
 * FLOAT64 {@code double}, BOOL {@code bool}, TIMESTAMP {@code int64} microseconds since the epoch,
 * DATE {@code int32} days since the epoch, RECORD a nested message, REPEATED a repeated field;
 * every other field is optional, so a null is a missing field and a zero a present one.
 *
 * <p>When the table lags the catalog, {@link #keeping} leaves out the columns the table does not
 * have yet (see {@link ProtoRowEncoder}, which skips them). Immutable.
 */
final class ProtoTableSchema {
  private final List<Column> columns;
  private final boolean[] written;
  private final ProtoTableSchema[] records;
  private final Descriptor descriptor;
  private final ProtoSchema protoSchema;

  private ProtoTableSchema(
      List<Column> columns,
      boolean[] written,
      ProtoTableSchema[] records,
      Descriptor descriptor,
      ProtoSchema protoSchema) {
    this.columns = columns;
    this.written = written;
    this.records = records;
    this.descriptor = descriptor;
    this.protoSchema = protoSchema;
  }

  /**
   * Every column of a table.
   *
   * @throws IllegalArgumentException when a column's type has no protobuf form here
   */
  static ProtoTableSchema of(List<Column> columns) {
    return build(columns, null);
  }

  /**
   * This schema without the columns (and RECORD fields) that {@code tableFields}, a table's schema
   * as BigQuery reports it, lacks. Names are compared as BigQuery does, ignoring case.
   */
  ProtoTableSchema keeping(List<TableFieldSchema> tableFields) {
    return build(columns, tableFields);
  }

  private static ProtoTableSchema build(List<Column> columns, List<TableFieldSchema> table) {
    boolean[] written = new boolean[columns.size()];
    ProtoTableSchema[] records = new ProtoTableSchema[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      Column c = columns.get(i);
      TableFieldSchema field = table == null ? null : find(table, c.name());
      written[i] = table == null || field != null;
      if (c.isRecord() && written[i]) {
        records[i] = build(c.fields(), field == null ? null : field.getFieldsList());
      }
    }
    DescriptorProto message = message("Row", columns, written, records);
    FileDescriptorProto file =
        FileDescriptorProto.newBuilder()
            .setName("deezwatts_row.proto")
            .setSyntax("proto2")
            .addMessageType(message)
            .build();
    Descriptor descriptor;
    try {
      descriptor =
          Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0])
              .findMessageTypeByName("Row");
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalArgumentException("columns make no valid protobuf message: " + e, e);
    }
    return new ProtoTableSchema(
        columns, written, records, descriptor, ProtoSchemaConverter.convert(descriptor));
  }

  private static TableFieldSchema find(List<TableFieldSchema> fields, String name) {
    for (TableFieldSchema f : fields) {
      if (f.getName().equalsIgnoreCase(name)) {
        return f;
      }
    }
    return null;
  }

  /** A message for columns; a RECORD column's message is nested in it, named after the column. */
  private static DescriptorProto message(
      String name, List<Column> columns, boolean[] written, ProtoTableSchema[] records) {
    DescriptorProto.Builder m = DescriptorProto.newBuilder().setName(name);
    for (int i = 0; i < columns.size(); i++) {
      if (!written[i]) {
        continue;
      }
      Column c = columns.get(i);
      FieldDescriptorProto.Builder f =
          FieldDescriptorProto.newBuilder()
              .setName(c.name())
              .setNumber(i + 1)
              .setLabel(
                  c.isRepeated()
                      ? FieldDescriptorProto.Label.LABEL_REPEATED
                      : FieldDescriptorProto.Label.LABEL_OPTIONAL);
      if (c.isRecord()) {
        ProtoTableSchema sub = records[i];
        String typeName = "R_" + c.name().toUpperCase(Locale.ROOT);
        m.addNestedType(message(typeName, sub.columns, sub.written, sub.records));
        f.setType(FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(typeName);
      } else {
        f.setType(scalarType(c));
      }
      m.addField(f);
    }
    return m.build();
  }

  private static FieldDescriptorProto.Type scalarType(Column c) {
    return switch (c.type()) {
      case "STRING", "JSON" -> FieldDescriptorProto.Type.TYPE_STRING;
      case "INT64", "TIMESTAMP" -> FieldDescriptorProto.Type.TYPE_INT64;
      case "FLOAT64" -> FieldDescriptorProto.Type.TYPE_DOUBLE;
      case "BOOL" -> FieldDescriptorProto.Type.TYPE_BOOL;
      case "DATE" -> FieldDescriptorProto.Type.TYPE_INT32;
      default ->
          throw new IllegalArgumentException(
              "column " + c.name() + " has type " + c.type() + ", which has no protobuf form here");
    };
  }

  List<Column> columns() {
    return columns;
  }

  /** Whether column {@code i} is written. */
  boolean writes(int i) {
    return written[i];
  }

  /** The schema of RECORD column {@code i}'s fields; null for other or left-out columns. */
  ProtoTableSchema record(int i) {
    return records[i];
  }

  /** The message, to decode rows with (tests) or to build one. */
  Descriptor descriptor() {
    return descriptor;
  }

  /** What the writer sends as {@code writer_schema}. */
  ProtoSchema protoSchema() {
    return protoSchema;
  }

  /** The columns left out, as {@code column} or {@code record.field}; empty when none. */
  List<String> leftOut() {
    List<String> out = new ArrayList<>();
    collectLeftOut("", out);
    return out;
  }

  private void collectLeftOut(String prefix, List<String> out) {
    for (int i = 0; i < columns.size(); i++) {
      String name = prefix + columns.get(i).name();
      if (!written[i]) {
        out.add(name);
      } else if (records[i] != null) {
        records[i].collectLeftOut(name + ".", out);
      }
    }
  }
}
