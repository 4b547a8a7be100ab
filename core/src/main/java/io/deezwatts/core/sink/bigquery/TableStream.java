package io.deezwatts.core.sink.bigquery;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.bigquery.storage.v1.StreamWriter;
import com.google.cloud.bigquery.storage.v1.WriteStream;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.sink.bigquery.TableAppender.AppendFailure;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One table's {@code _default} stream: the one {@link StreamWriter} that every write to the table
 * shares, created at the first append and replaced (the old one closed on a daemon thread, so its
 * threads and channel end) when the server closed it or an append went unanswered. Connections
 * count against a project's quota and {@code CreateWriteStream} is rate-limited, hence one writer
 * per table per instance and no stream per bulk.
 *
 * <p>Also the schema the rows are written with: the catalog's, or, while the table lags the
 * catalog, the columns the table has; after {@link #LAG_RECHECK} the catalog's is tried again, so a
 * table brought up to date gets its new columns filled without a restart. Thread-safe.
 */
final class TableStream {
  /** How long a lagging table's schema is kept before the catalog's is tried again. */
  static final Duration LAG_RECHECK = Duration.ofMinutes(10);

  private static final System.Logger LOG = System.getLogger(BigQuerySink.class.getName());

  /** A writer and the schema it was built with. */
  record Current(StreamWriter writer, ProtoTableSchema schema) {}

  private final String streamName;
  private final TableSpec table;
  private final StorageWriteAppender.ClientFactory client;
  private final StorageWriteAppender.WriterFactory writers;
  private final Duration maxRetryDuration;
  private final String description;
  private final ProtoTableSchema catalogSchema;

  // Read without the lock by the encoding threads; written under it.
  private volatile ProtoTableSchema schema;
  private volatile Instant laggingSince;
  private StreamWriter writer;
  private List<String> loggedLeftOut = List.of();

  TableStream(
      String streamName,
      TableSpec table,
      StorageWriteAppender.ClientFactory client,
      StorageWriteAppender.WriterFactory writers,
      Duration maxRetryDuration,
      String description) {
    this.streamName = streamName;
    this.table = table;
    this.client = client;
    this.writers = writers;
    this.maxRetryDuration = maxRetryDuration;
    this.description = description;
    this.catalogSchema = ProtoTableSchema.of(table.columns());
    this.schema = catalogSchema;
  }

  /**
   * The schema rows are encoded with now. Takes no lock unless a lagging schema is due for a
   * recheck, so encoding does not wait for a writer being opened.
   */
  ProtoTableSchema schema() {
    Instant since = laggingSince;
    if (since != null && Duration.between(since, Instant.now()).compareTo(LAG_RECHECK) > 0) {
      synchronized (this) {
        if (laggingSince == since) {
          laggingSince = null;
          schema = catalogSchema;
          discardLocked();
        }
      }
    }
    return schema;
  }

  /**
   * The writer to append with, created if there is none or the server closed it.
   *
   * @throws IOException when the writer cannot be built (its client cannot be created: no
   *     credentials found)
   */
  synchronized Current current() throws IOException {
    ProtoTableSchema now = schema();
    if (writer != null && writer.isClosed()) {
      discardLocked();
    }
    if (writer == null) {
      writer =
          writers
              .builder(streamName)
              .setWriterSchema(now.protoSchema())
              .setEnableConnectionPool(false)
              // The library reconnects on its own for at most this long; the policy retries.
              .setMaxRetryDuration(maxRetryDuration)
              .build();
    }
    return new Current(writer, now);
  }

  /** Whether a writer is open (or being opened, once this returns). */
  synchronized boolean hasWriter() {
    return writer != null;
  }

  /** Closes a writer that failed, unless another thread already replaced it. Never fails. */
  synchronized void discard(StreamWriter failed) {
    if (writer == failed) {
      discardLocked();
    }
  }

  private void discardLocked() {
    StreamWriter old = writer;
    writer = null;
    if (old != null) {
      // Closing waits for the requests under way: no caller waits for that.
      closeInBackground(old);
    }
  }

  /** Closes a writer on a daemon thread of its own, which ends when the writer is closed. */
  private static Thread closeInBackground(StreamWriter old) {
    Thread t = new Thread(old::close, "deezwatts-bigquery-close");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Reads the table's schema (the stream's FULL view) after an append failed because the table
   * lacks columns of the writer's schema, and writes only the columns it has from now on.
   *
   * @param mismatch the failure that told
   * @throws AppendFailure when the schema cannot be read (transient or not by its status), or the
   *     table has every column of the catalog, so leaving columns out cannot help (permanent);
   *     permanent too when the client cannot be made
   */
  void adoptTableSchema(Throwable mismatch) throws AppendFailure {
    WriteStream stream;
    try {
      stream = StorageWriteAppender.readStream(client.create(), streamName);
    } catch (IOException e) {
      throw new AppendFailure(false, "reading the schema of " + table.name() + ": " + e, e);
    } catch (ApiException e) {
      AppendFailure f = StorageWriteAppender.classify(e);
      throw new AppendFailure(
          f.isTransient(), "reading the schema of " + table.name() + ": " + f.getMessage(), e);
    }
    ProtoTableSchema kept = catalogSchema.keeping(stream.getTableSchema().getFieldsList());
    List<String> leftOut = kept.leftOut();
    if (leftOut.isEmpty()) {
      throw new AppendFailure(
          false,
          "the schema of "
              + table.name()
              + " does not fit the rows, though the table has every column: "
              + mismatch.getMessage(),
          mismatch);
    }
    synchronized (this) {
      schema = kept;
      laggingSince = Instant.now();
      discardLocked();
      if (!leftOut.equals(loggedLeftOut)) {
        loggedLeftOut = leftOut;
        LOG.log(
            System.Logger.Level.WARNING,
            "{0}: table {1} lacks column(s) {2} of the catalog; writing the others until it is"
                + " updated (payload keeps each raw event)",
            description,
            table.name(),
            leftOut);
      }
    }
  }

  /** Closes the writer, waiting a few seconds at most. Never fails. */
  synchronized void close() {
    StreamWriter old = writer;
    writer = null;
    if (old != null) {
      try {
        closeInBackground(old).join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
