package io.deezwatts.core.sink.bigquery;

import com.google.api.core.ApiFuture;
import com.google.cloud.bigquery.storage.v1.AppendRowsResponse;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteClient;
import com.google.cloud.bigquery.storage.v1.Exceptions;
import com.google.cloud.bigquery.storage.v1.GetWriteStreamRequest;
import com.google.cloud.bigquery.storage.v1.ProtoRows;
import com.google.cloud.bigquery.storage.v1.StreamWriter;
import com.google.cloud.bigquery.storage.v1.TableName;
import com.google.cloud.bigquery.storage.v1.WriteStream;
import com.google.cloud.bigquery.storage.v1.WriteStreamView;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.grpc.Status;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stores rows through the BigQuery Storage Write API: each table's {@code _default} stream
 * (committed at once, at least once), one {@link StreamWriter} per table, created at the first
 * write to it and shared by every write after it (see {@link TableStream}). Rows are protobuf
 * messages encoded straight from the decoded values ({@link ProtoRowEncoder}); a table's rows go in
 * one {@code AppendRows} request when they fit 9 MB, else in several ({@link Chunker}).
 *
 * <p>An append is all or nothing. Its answer is read as follows:
 *
 * <ul>
 *   <li>row errors ({@link Exceptions.AppendSerializationError}): those rows are {@link
 *       Verdict#INVALID}, the others {@link Verdict#STOPPED} (not stored, sent again at once);
 *   <li>UNAVAILABLE, INTERNAL, ABORTED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, CANCELLED, UNKNOWN,
 *       no answer by the deadline or {@link BigQuerySink.Options#readTimeout()}: transient;
 *   <li>a table lacking columns the catalog has ({@link Exceptions.SchemaMismatchedException}): the
 *       table's schema is read and the append made again without those columns (logged once);
 *   <li>a writer the server closed (idle for 10 minutes, {@link
 *       Exceptions.StreamWriterClosedException}, {@link StreamWriter#isClosed()}): a new writer
 *       replaces it and the append is made again once;
 *   <li>anything else (PERMISSION_DENIED, NOT_FOUND, INVALID_ARGUMENT without row errors,
 *       UNAUTHENTICATED...): permanent.
 * </ul>
 *
 * The retries themselves are {@link AppendPolicy}'s. Thread-safe.
 */
final class StorageWriteAppender implements TableAppender {
  /** Under the 10 MB an {@code AppendRows} request may take, with room for the writer schema. */
  static final long MAX_REQUEST_BYTES = 9_000_000L;

  /** What a serialized row adds to a request besides itself: its tag and length. */
  private static final int ROW_OVERHEAD = 6;

  private static final System.Logger LOG = System.getLogger(BigQuerySink.class.getName());

  /** Makes the client for schema reads; called once, at the first read. */
  interface ClientFactory {
    BigQueryWriteClient create() throws IOException;
  }

  /**
   * Starts a writer of a stream with the endpoint, channel and credentials of the environment. Each
   * writer makes its own client (the library does), so no shared client is made for appends.
   */
  interface WriterFactory {
    StreamWriter.Builder builder(String streamName);
  }

  private final WriterFactory writers;

  private final ClientFactory clientFactory;
  private BigQueryWriteClient client; // guarded by this
  private boolean closed; // guarded by this
  private final AutoCloseable channel;
  private final String project;
  private final String dataset;
  private final Duration readTimeout;
  private final String description;
  private final Chunker chunker;
  private final Map<String, TableStream> streams = new ConcurrentHashMap<>();

  /**
   * @param clientFactory makes the client for schema reads, when a table lags the catalog; closed
   *     by {@link #close()}
   * @param writers starts each table's writer
   * @param channel a channel the client's settings name but do not own (a local stand-in's), closed
   *     after it; or null
   * @param readTimeout the longest wait for one append's answer
   * @param maxRequestBytes the most bytes of rows per append ({@link #MAX_REQUEST_BYTES}; less in
   *     tests, to make several appends of a bulk)
   */
  StorageWriteAppender(
      ClientFactory clientFactory,
      WriterFactory writers,
      AutoCloseable channel,
      String project,
      String dataset,
      Duration readTimeout,
      long maxRequestBytes,
      String description) {
    this.chunker = new Chunker(Integer.MAX_VALUE, maxRequestBytes);
    this.clientFactory = clientFactory;
    this.writers = writers;
    this.channel = channel;
    this.project = project;
    this.dataset = dataset;
    this.readTimeout = readTimeout;
    this.description = description;
  }

  @Override
  public PendingRow prepare(String insertId, TableSpec table, Object[] values, Row source) {
    ProtoTableSchema schema = stream(table).schema();
    PendingRow.Proto proto = new PendingRow.Proto(schema, ProtoRowEncoder.encode(schema, values));
    return new PendingRow(
        insertId, table.columns(), values, proto.bytes().size() + ROW_OVERHEAD, source, proto);
  }

  /**
   * Creates the writers of tables that have none on a daemon thread: on a cold instance, loading
   * and starting the gRPC client takes about as long as encoding a 10,000-row bulk, and the two
   * overlap on a second core.
   */
  @Override
  public void open(Collection<TableSpec> tables) {
    List<TableStream> cold = new ArrayList<>();
    for (TableSpec table : tables) {
      TableStream s = stream(table);
      if (!s.hasWriter()) {
        cold.add(s);
      }
    }
    if (cold.isEmpty()) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              for (TableStream s : cold) {
                try {
                  s.current();
                } catch (IOException | RuntimeException e) {
                  // The append makes the writer again and reports the failure.
                }
              }
            },
            "deezwatts-bigquery-open");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public List<List<PendingRow>> split(List<PendingRow> rows) {
    return chunker.split(rows);
  }

  @Override
  public Map<Integer, NotStored> append(TableSpec table, List<PendingRow> rows, Instant deadline)
      throws AppendFailure {
    TableStream stream = stream(table);
    boolean recovered = false;
    while (true) {
      TableStream.Current current;
      try {
        current = stream.current();
      } catch (IOException | RuntimeException e) {
        throw new AppendFailure(true, "could not open a writer for " + table.name() + ": " + e, e);
      }
      long waitMillis =
          Math.min(readTimeout.toMillis(), Duration.between(Instant.now(), deadline).toMillis());
      if (waitMillis <= 0) {
        throw new AppendFailure(true, "deadline reached before the append", null);
      }
      Throwable failure;
      try {
        ApiFuture<AppendRowsResponse> answer =
            current.writer().append(protoRows(rows, current.schema()));
        answer.get(waitMillis, TimeUnit.MILLISECONDS);
        return Map.of();
      } catch (TimeoutException e) {
        // What became of the request is unknown: a new writer takes its place.
        stream.discard(current.writer());
        throw new AppendFailure(
            true, "no answer from the Storage Write API within " + waitMillis + " ms", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AppendFailure(true, "interrupted while waiting for an append", e);
      } catch (ExecutionException e) {
        failure = e.getCause() == null ? e : e.getCause();
      } catch (RuntimeException e) {
        failure = e; // the writer refused the request before sending it
      }
      if (failure instanceof Exceptions.AppendSerializtionError rowErrors) {
        return refused(rows.size(), rowErrors.getRowIndexToErrorMessage());
      }
      if (!recovered && failure instanceof Exceptions.SchemaMismatchedException) {
        recovered = true;
        stream.adoptTableSchema(failure);
        continue;
      }
      if (failure instanceof Exceptions.StreamWriterClosedException
          || current.writer().isClosed()
          || isIdleClose(failure)) {
        stream.discard(current.writer());
        if (!recovered) {
          recovered = true;
          continue;
        }
        throw new AppendFailure(true, "the writer was closed: " + failure.getMessage(), failure);
      }
      throw classify(failure);
    }
  }

  private static ProtoRows protoRows(List<PendingRow> rows, ProtoTableSchema schema) {
    ProtoRows.Builder b = ProtoRows.newBuilder();
    for (PendingRow r : rows) {
      PendingRow.Proto proto = r.proto();
      b.addSerializedRows(
          proto.schema() == schema
              ? proto.bytes()
              : ProtoRowEncoder.encode(schema, r.values())); // the schema changed since
    }
    return b.build();
  }

  /** Rows with errors are refused; the others were not stored as the append is all or nothing. */
  private static Map<Integer, NotStored> refused(int rows, Map<Integer, String> errors) {
    Map<Integer, NotStored> notStored = new HashMap<>();
    for (int i = 0; i < rows; i++) {
      String message = errors.get(i);
      notStored.put(
          i,
          message == null
              ? new NotStored(Verdict.STOPPED, "stopped")
              : new NotStored(Verdict.INVALID, message));
    }
    return notStored;
  }

  private static boolean isIdleClose(Throwable failure) {
    String message = failure.getMessage();
    return Status.fromThrowable(failure).getCode() == Status.Code.ABORTED
        && message != null
        && message.contains("inactive");
  }

  /** A failed append as transient or permanent by its gRPC status. */
  static AppendFailure classify(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    boolean transientFailure =
        switch (status.getCode()) {
          case UNAVAILABLE,
              INTERNAL,
              ABORTED,
              DEADLINE_EXCEEDED,
              RESOURCE_EXHAUSTED,
              CANCELLED,
              UNKNOWN ->
              true;
          default -> false;
        };
    String message = status.getDescription();
    return new AppendFailure(
        transientFailure, status.getCode() + (message == null ? "" : ": " + message), failure);
  }

  private TableStream stream(TableSpec table) {
    return streams.computeIfAbsent(
        table.name(),
        name ->
            new TableStream(
                StreamWriter.getDefaultStreamName(TableName.of(project, dataset, name)),
                table,
                this::client,
                writers,
                readTimeout,
                description));
  }

  @Override
  public String api() {
    return "the Storage Write API";
  }

  /**
   * The shared client, made at the first call.
   *
   * @throws IOException when it cannot be made (no credentials found)
   */
  synchronized BigQueryWriteClient client() throws IOException {
    if (closed) {
      throw new IllegalStateException(description + " is closed");
    }
    if (client == null) {
      client = clientFactory.create();
    }
    return client;
  }

  /** Closes every writer, then the client and the channel. Never fails. */
  @Override
  public void close() {
    for (TableStream s : streams.values()) {
      s.close();
    }
    streams.clear();
    BigQueryWriteClient made;
    synchronized (this) {
      closed = true;
      made = client;
    }
    if (made != null) {
      made.close();
      try {
        made.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the write channel failed", e);
      }
    }
  }

  /** The stream name of a table's {@code _default} stream, for the schema read. */
  static GetWriteStreamRequest fullView(String streamName) {
    return GetWriteStreamRequest.newBuilder()
        .setName(streamName)
        .setView(WriteStreamView.FULL)
        .build();
  }

  /** A table's schema as BigQuery has it. */
  static WriteStream readStream(BigQueryWriteClient client, String streamName) {
    return client.getWriteStream(fullView(streamName));
  }
}
