package io.deezwatts.testing.bigquery;

import com.google.cloud.bigquery.storage.v1.AppendRowsRequest;
import com.google.cloud.bigquery.storage.v1.AppendRowsResponse;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteGrpc;
import com.google.cloud.bigquery.storage.v1.GetWriteStreamRequest;
import com.google.cloud.bigquery.storage.v1.RowError;
import com.google.cloud.bigquery.storage.v1.StorageError;
import com.google.cloud.bigquery.storage.v1.TableFieldSchema;
import com.google.cloud.bigquery.storage.v1.TableSchema;
import com.google.cloud.bigquery.storage.v1.WriteStream;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import io.deezwatts.testing.grpc.LoopbackGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stands in for BigQuery's Storage Write API, which has no local emulator: a real gRPC server on a
 * loopback port implementing the generated {@code BigQueryWriteGrpc.BigQueryWriteImplBase}. It
 * decodes every appended row with the {@code writer_schema} the client sent on its connection, and
 * keeps what BigQuery would have stored: an append is all or nothing, as on the {@code _default}
 * stream. Tables have the columns the caller's schemas give them unless told to lack some: the
 * caller passes them (core's tests, the catalog's) so that this module needs nothing of core.
 *
 * <p>Faults it can inject: an error status answering the Nth append (counted from 1 since the last
 * {@link #reset()}), row errors for rows a predicate picks, an idle close (ABORTED "inactive") of
 * the connection instead of an answer, and no answer at all.
 */
public final class StorageWriteStandIn implements AutoCloseable {
  public static final String PROJECT = "proj";
  public static final String DATASET = "ds";

  /**
   * The variable that points core's sink here (its {@code BigQuerySink.WRITE_ENDPOINT_VARIABLE}).
   */
  public static final String WRITE_ENDPOINT_VARIABLE = "DEEZWATTS_BIGQUERY_WRITE_ENDPOINT";

  private static final Pattern STREAM =
      Pattern.compile("projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)(?:/streams)?/_default");

  private final Server server;
  private final Function<String, TableSchema> schemas;
  private final Map<String, List<DynamicMessage>> stored = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> lacking = new ConcurrentHashMap<>();
  private final AtomicInteger appends = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final AtomicInteger schemaReads = new AtomicInteger();
  private final List<Integer> rowsPerAppend = new CopyOnWriteArrayList<>();
  private volatile int failAt = -1;
  private volatile Status.Code failWith = Status.Code.UNAVAILABLE;
  private volatile Predicate<DynamicMessage> refuse = m -> false;
  private volatile int closes;
  private volatile Status closeStatus;
  private volatile boolean silent;

  /**
   * @param schemas each table's full schema as BigQuery reports it, by table name
   */
  public StorageWriteStandIn(Function<String, TableSchema> schemas) {
    this.schemas = schemas;
    server = LoopbackGrpc.start(new Service(), 20 << 20);
  }

  /** The environment of a sink writing here. */
  public Map<String, String> environment() {
    return Map.of(WRITE_ENDPOINT_VARIABLE, "127.0.0.1:" + server.getPort());
  }

  /** Forgets what was stored and the faults; connections stay. */
  public void reset() {
    stored.clear();
    appends.set(0);
    rowsPerAppend.clear();
    failAt = -1;
    refuse = m -> false;
    closes = 0;
    silent = false;
  }

  /** Answers the {@code n}th append with an error status instead of storing it. */
  public void failAppend(int n, Status.Code code) {
    failWith = code;
    failAt = n;
  }

  /** Refuses the rows a predicate picks with row errors (and so stores none of their appends). */
  public void refuseRows(Predicate<DynamicMessage> rows) {
    refuse = rows;
  }

  /** Closes the connection of the next {@code n} appends as BigQuery does an idle one. */
  public void closeIdle(int n) {
    closeWith(
        n,
        Status.ABORTED.withDescription(
            "Closing the stream because it has been inactive for 600 seconds."));
  }

  /** Ends the connection of the next {@code n} appends with a status instead of answering. */
  public void closeWith(int n, Status status) {
    closeStatus = status;
    closes = n;
  }

  /** Never answers any append from now on. */
  public void goSilent() {
    silent = true;
  }

  /** Gives a table only the columns of its schema but these (top-level names). */
  public void lack(String table, Set<String> columns) {
    lacking.put(table, columns);
  }

  public List<DynamicMessage> stored(String table) {
    return stored.getOrDefault(table, List.of());
  }

  /** The values of a column of the rows stored in a table. */
  public List<Object> column(String table, String column) {
    List<Object> values = new ArrayList<>();
    for (DynamicMessage m : stored(table)) {
      Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName(column);
      values.add(f == null || !m.hasField(f) ? null : m.getField(f));
    }
    return values;
  }

  public int appends() {
    return appends.get();
  }

  public List<Integer> rowsPerAppend() {
    return List.copyOf(rowsPerAppend);
  }

  public int connections() {
    return connections.get();
  }

  public int openConnections() {
    return openConnections.get();
  }

  public int schemaReads() {
    return schemaReads.get();
  }

  @Override
  public void close() {
    LoopbackGrpc.stop(server);
  }

  private static String table(String streamName) {
    Matcher m = STREAM.matcher(streamName);
    if (!m.matches() || !PROJECT.equals(m.group(1)) || !DATASET.equals(m.group(2))) {
      return null;
    }
    return m.group(3);
  }

  /** The table's schema as BigQuery would report it. */
  private TableSchema tableSchema(String table) {
    Set<String> lacks = lacking.getOrDefault(table, Set.of());
    TableSchema.Builder b = TableSchema.newBuilder();
    for (TableFieldSchema f : schemas.apply(table).getFieldsList()) {
      if (!lacks.contains(f.getName())) {
        b.addFields(f);
      }
    }
    return b.build();
  }

  private final class Service extends BigQueryWriteGrpc.BigQueryWriteImplBase {
    @Override
    public void getWriteStream(
        GetWriteStreamRequest request, StreamObserver<WriteStream> response) {
      schemaReads.incrementAndGet();
      String table = table(request.getName());
      if (table == null) {
        response.onError(Status.NOT_FOUND.withDescription(request.getName()).asException());
        return;
      }
      response.onNext(
          WriteStream.newBuilder()
              .setName(request.getName())
              .setType(WriteStream.Type.COMMITTED)
              .setTableSchema(tableSchema(table))
              .build());
      response.onCompleted();
    }

    @Override
    public StreamObserver<AppendRowsRequest> appendRows(
        StreamObserver<AppendRowsResponse> response) {
      connections.incrementAndGet();
      openConnections.incrementAndGet();
      return new StreamObserver<>() {
        private String streamName;
        private Descriptor descriptor;
        private boolean ended;

        @Override
        public void onNext(AppendRowsRequest request) {
          if (ended) {
            return;
          }
          if (!request.getWriteStream().isEmpty()) {
            streamName = request.getWriteStream();
          }
          if (request.getProtoRows().hasWriterSchema()) {
            descriptor =
                descriptor(
                    request.getProtoRows().getWriterSchema().getProtoDescriptor().toBuilder());
          }
          int n = appends.incrementAndGet();
          if (silent) {
            return;
          }
          if (closes > 0) {
            closes--;
            end(closeStatus);
            return;
          }
          String table = streamName == null ? null : table(streamName);
          if (table == null || descriptor == null) {
            answer(
                error(
                    Status.Code.INVALID_ARGUMENT,
                    "no stream or no writer schema: " + streamName + " " + (descriptor != null),
                    null));
            return;
          }
          if (n == failAt) {
            answer(error(failWith, "injected failure of append " + n, null));
            return;
          }
          Set<String> lacks = lacking.getOrDefault(table, Set.of());
          for (Descriptors.FieldDescriptor f : descriptor.getFields()) {
            if (lacks.contains(f.getName())) {
              answer(
                  error(
                      Status.Code.INVALID_ARGUMENT,
                      "Input schema has more fields than BigQuery schema, extra fields: '"
                          + f.getName()
                          + "'",
                      StorageError.newBuilder()
                          .setCode(StorageError.StorageErrorCode.SCHEMA_MISMATCH_EXTRA_FIELDS)
                          .setEntity(streamName)
                          .setErrorMessage("extra field " + f.getName())
                          .build()));
              return;
            }
          }
          List<DynamicMessage> rows = new ArrayList<>();
          AppendRowsResponse.Builder refused = AppendRowsResponse.newBuilder();
          List<ByteString> serialized = request.getProtoRows().getRows().getSerializedRowsList();
          for (int i = 0; i < serialized.size(); i++) {
            DynamicMessage m;
            try {
              m = DynamicMessage.parseFrom(descriptor, serialized.get(i));
            } catch (InvalidProtocolBufferException e) {
              refused.addRowErrors(rowError(i, "cannot parse: " + e.getMessage()));
              continue;
            }
            if (refuse.test(m)) {
              refused.addRowErrors(rowError(i, "Invalid value for a column of row " + i));
            }
            rows.add(m);
          }
          if (refused.getRowErrorsCount() > 0) {
            answer(
                refused
                    .setError(
                        com.google.rpc.Status.newBuilder()
                            .setCode(Status.Code.INVALID_ARGUMENT.value())
                            .setMessage("rows refused"))
                    .build());
            return;
          }
          stored.computeIfAbsent(table, t -> new CopyOnWriteArrayList<>()).addAll(rows);
          rowsPerAppend.add(rows.size());
          answer(
              AppendRowsResponse.newBuilder()
                  .setAppendResult(AppendRowsResponse.AppendResult.getDefaultInstance())
                  .setWriteStream(streamName)
                  .build());
        }

        private void answer(AppendRowsResponse r) {
          synchronized (response) {
            response.onNext(r);
          }
        }

        private void end(Status status) {
          ended = true;
          openConnections.decrementAndGet();
          synchronized (response) {
            response.onError(status.asException());
          }
        }

        @Override
        public void onError(Throwable t) {
          if (!ended) {
            ended = true;
            openConnections.decrementAndGet();
          }
        }

        @Override
        public void onCompleted() {
          if (!ended) {
            ended = true;
            openConnections.decrementAndGet();
            synchronized (response) {
              response.onCompleted();
            }
          }
        }
      };
    }
  }

  private static RowError rowError(int index, String message) {
    return RowError.newBuilder()
        .setIndex(index)
        .setCode(RowError.RowErrorCode.FIELDS_ERROR)
        .setMessage(message)
        .build();
  }

  private static AppendRowsResponse error(Status.Code code, String message, StorageError detail) {
    com.google.rpc.Status.Builder s =
        com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message);
    if (detail != null) {
      s.addDetails(Any.pack(detail));
    }
    return AppendRowsResponse.newBuilder().setError(s).build();
  }

  /** The message a writer schema describes (self-contained: nested types inside it). */
  static Descriptor descriptor(com.google.protobuf.DescriptorProtos.DescriptorProto.Builder proto) {
    try {
      FileDescriptorProto file =
          FileDescriptorProto.newBuilder()
              .setName("writer_schema.proto")
              .addMessageType(proto)
              .build();
      return Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0])
          .findMessageTypeByName(proto.getName());
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalArgumentException("bad writer schema: " + e.getMessage(), e);
    }
  }

  /** Rows by event key, for counting. */
  public Map<String, Integer> eventKeyCounts(String table) {
    Map<String, Integer> counts = new HashMap<>();
    for (Object k : column(table, "event_key")) {
      counts.merge((String) k, 1, Integer::sum);
    }
    return counts;
  }
}
