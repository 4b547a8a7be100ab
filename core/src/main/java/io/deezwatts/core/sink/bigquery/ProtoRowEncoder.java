package io.deezwatts.core.sink.bigquery;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.json.RowValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Encodes a row's positional values (see {@link io.deezwatts.core.decode.Row}) as the protobuf
 * message of its {@link ProtoTableSchema}, straight from the values: no JSON and no {@code
 * DynamicMessage} in between. A null is left out; any other value is written, zero included. A
 * TIMESTAMP is microseconds since the epoch (finer digits dropped, as BigQuery keeps microseconds),
 * a DATE days since the epoch, JSON its compact text. Columns the schema leaves out are skipped.
 *
 * <p>Sizes first, then writes into one array of exactly that size. Stateless and thread-safe.
 */
final class ProtoRowEncoder {
  private ProtoRowEncoder() {}

  /**
   * The row as the schema's message.
   *
   * @throws IllegalArgumentException when there are not as many values as columns, or a value is of
   *     a type its column cannot hold; the message names the column
   */
  static ByteString encode(ProtoTableSchema schema, Object[] values) {
    byte[] bytes = new byte[size(schema, values)];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      write(out, schema, values);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("an array sized for the row did not fit it", e);
    }
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  /** The encoded size of a row, checking its values as {@link #encode} does. */
  static int size(ProtoTableSchema schema, Object[] values) {
    List<Column> columns = schema.columns();
    if (values.length != columns.size()) {
      throw new IllegalArgumentException(
          values.length + " values for " + columns.size() + " columns");
    }
    int n = 0;
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null && schema.writes(i)) {
        n += fieldSize(i + 1, columns.get(i), schema.record(i), v);
      }
    }
    return n;
  }

  private static int fieldSize(int number, Column c, ProtoTableSchema record, Object v) {
    if (record != null) {
      if (v instanceof Object[] fields && !c.isRepeated()) {
        return messageSize(number, record, fields);
      }
      if (v instanceof List<?> list && c.isRepeated()) {
        int n = 0;
        for (Object element : list) {
          if (!(element instanceof Object[] fields)) {
            throw unexpected(c, element);
          }
          n += messageSize(number, record, fields);
        }
        return n;
      }
      throw unexpected(c, v);
    }
    return switch (c.type()) {
      case "STRING", "JSON" -> CodedOutputStream.computeStringSize(number, text(c, v));
      case "INT64" -> CodedOutputStream.computeInt64Size(number, integer(c, v));
      case "FLOAT64" -> CodedOutputStream.computeDoubleSize(number, real(c, v));
      case "BOOL" -> CodedOutputStream.computeBoolSize(number, bool(c, v));
      case "TIMESTAMP" -> CodedOutputStream.computeInt64Size(number, micros(c, v));
      case "DATE" -> CodedOutputStream.computeInt32Size(number, days(c, v));
      default -> throw unexpected(c, v);
    };
  }

  private static int messageSize(int number, ProtoTableSchema record, Object[] fields) {
    int body = size(record, fields);
    return CodedOutputStream.computeTagSize(number)
        + CodedOutputStream.computeUInt32SizeNoTag(body)
        + body;
  }

  private static void write(CodedOutputStream out, ProtoTableSchema schema, Object[] values)
      throws IOException {
    List<Column> columns = schema.columns();
    for (int i = 0; i < values.length; i++) {
      Object v = values[i];
      if (v != null && schema.writes(i)) {
        writeField(out, i + 1, columns.get(i), schema.record(i), v);
      }
    }
  }

  private static void writeField(
      CodedOutputStream out, int number, Column c, ProtoTableSchema record, Object v)
      throws IOException {
    if (record != null) {
      if (v instanceof Object[] fields) {
        writeMessage(out, number, record, fields);
      } else {
        for (Object element : (List<?>) v) { // checked by size()
          writeMessage(out, number, record, (Object[]) element);
        }
      }
      return;
    }
    switch (c.type()) {
      case "STRING", "JSON" -> out.writeString(number, text(c, v));
      case "INT64" -> out.writeInt64(number, integer(c, v));
      case "FLOAT64" -> out.writeDouble(number, real(c, v));
      case "BOOL" -> out.writeBool(number, bool(c, v));
      case "TIMESTAMP" -> out.writeInt64(number, micros(c, v));
      case "DATE" -> out.writeInt32(number, days(c, v));
      default -> throw unexpected(c, v);
    }
  }

  private static void writeMessage(
      CodedOutputStream out, int number, ProtoTableSchema record, Object[] fields)
      throws IOException {
    out.writeTag(number, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(size(record, fields));
    write(out, record, fields);
  }

  private static String text(Column c, Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof RawJson j) {
      return j.toString();
    }
    throw unexpected(c, v);
  }

  private static long integer(Column c, Object v) {
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof Integer i) {
      return i;
    }
    throw unexpected(c, v);
  }

  private static double real(Column c, Object v) {
    if (v instanceof Double d) {
      return d;
    }
    throw unexpected(c, v);
  }

  private static boolean bool(Column c, Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw unexpected(c, v);
  }

  /** Microseconds since the epoch, rounded down (BigQuery keeps microseconds). */
  static long micros(Column c, Object v) {
    if (v instanceof Instant t) {
      try {
        return RowValues.epochMicros(t);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "column " + c.name() + ": " + t + " is out of TIMESTAMP's range", e);
      }
    }
    throw unexpected(c, v);
  }

  private static int days(Column c, Object v) {
    if (v instanceof LocalDate d) {
      return Math.toIntExact(d.toEpochDay());
    }
    throw unexpected(c, v);
  }

  private static IllegalArgumentException unexpected(Column column, Object v) {
    return RowValues.unexpected(column, v);
  }
}
