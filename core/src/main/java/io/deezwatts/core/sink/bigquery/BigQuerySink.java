package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.core.sink.bigquery.AppendPolicy.Chunk;
import io.deezwatts.core.sink.bigquery.AppendPolicy.Refusal;
import io.deezwatts.core.util.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Stores bulks in BigQuery, through the Storage Write API by default ({@link StorageWriteAppender}:
 * each table's {@code _default} stream, protobuf rows) or with {@code tabledata.insertAll} ({@link
 * InsertAllAppender}, chosen with {@value #API_VARIABLE}{@code =insertall} for networks that block
 * gRPC). See {@link BigQueryEnvironment} for the environment it reads.
 *
 * <p>Rows go to their feed's table, quarantine entries to {@code quarantine}, in requests the
 * appender cuts (500 rows and 9 MB for {@code insertAll}; 9 MB for an {@code AppendRows} request).
 * Both paths share one policy ({@link AppendPolicy}): a row BigQuery refuses as invalid (say the
 * table lags the catalog) is moved to quarantine with BigQuery's reason and the rows it stopped are
 * sent again at once; rows or requests that failed transiently are sent again after an exponential
 * backoff with full jitter, up to {@link Options#maxAttempts()} attempts and never past the
 * caller's deadline; anything else fails the bulk at once as permanent.
 *
 * <p>The chunks of a write go out concurrently, at most {@link Options#maxConcurrentChunks()} at a
 * time ({@link ChunkSender}). Quarantine entries, the rows moved there included, are sent once
 * every data chunk is stored.
 *
 * <p>When a chunk runs out of attempts or time the whole bulk fails as transient and the sender
 * retries it; rows already stored are harmless: both paths are at least once, and the {@code
 * _dedup} views keep one row per {@code event_key}.
 *
 * <p>One appender (its clients and writers) and one thread pool per sink, created with it and
 * reused. Thread-safe. Logs carry tables, counts and error reasons, never row contents or
 * credentials.
 */
public final class BigQuerySink implements Sink, QuarantineStore {
  /** Points {@code insertAll} at another host, such as a stand-in or a recording proxy. */
  public static final String ENDPOINT_VARIABLE = "DEEZWATTS_BIGQUERY_ENDPOINT";

  /** {@code storage-write} (the default) or {@code insertall}. */
  public static final String API_VARIABLE = "DEEZWATTS_BIGQUERY_API";

  /** {@code host:port} of a plaintext gRPC endpoint for the Storage Write API (no credentials). */
  public static final String WRITE_ENDPOINT_VARIABLE = "DEEZWATTS_BIGQUERY_WRITE_ENDPOINT";

  /** When set beside {@link #ENDPOINT_VARIABLE}, credentials are sent to that endpoint too. */
  static final String CREDENTIALS_VARIABLE = "GOOGLE_APPLICATION_CREDENTIALS";

  private static final System.Logger LOG = System.getLogger(BigQuerySink.class.getName());

  /**
   * How hard the sink tries, and how long it waits for BigQuery.
   *
   * @param maxAttempts attempts per request, the first included, before the bulk fails as transient
   * @param initialBackoff the longest wait before the first retry; it doubles with each retry
   * @param maxBackoff the longest wait before any retry
   * @param connectTimeout how long to wait for a connection
   * @param readTimeout how long to wait for a response (a timed-out request is retried). A request
   *     under way is not cut short at the caller's deadline, so keep this well below the time
   *     callers allow a write
   * @param maxConcurrentChunks how many {@code insertAll} requests (chunks) of one write may be
   *     under way at once, from 1 (one after another, on the caller's thread) to {@link
   *     #MAX_CONCURRENT_CHUNKS}
   */
  public record Options(
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConcurrentChunks) {

    /** Chunks of one write under way at once unless chosen otherwise. */
    public static final int DEFAULT_CONCURRENT_CHUNKS = 8;

    /** The most chunks of one write that may be under way at once. */
    public static final int MAX_CONCURRENT_CHUNKS = 64;

    /**
     * 5 attempts; waits of up to 250 ms, 500 ms, 1 s, 2 s (10 s at most); 10 s to connect, 20 s to
     * read; 8 chunks at once.
     */
    public static final Options DEFAULTS =
        new Options(
            5,
            Duration.ofMillis(250),
            Duration.ofSeconds(10),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            DEFAULT_CONCURRENT_CHUNKS);

    /**
     * @throws IllegalArgumentException when attempts are below 1, a duration is negative, the
     *     backoff cap is below its base, a timeout is not between 1 ms and {@code
     *     Integer.MAX_VALUE} ms, or the chunks at once are not from 1 to {@link
     *     #MAX_CONCURRENT_CHUNKS}
     */
    public Options {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
      }
      if (maxConcurrentChunks < 1 || maxConcurrentChunks > MAX_CONCURRENT_CHUNKS) {
        throw new IllegalArgumentException(
            "maxConcurrentChunks must be from 1 to "
                + MAX_CONCURRENT_CHUNKS
                + ", not "
                + maxConcurrentChunks);
      }
      Objects.requireNonNull(initialBackoff, "initialBackoff");
      Objects.requireNonNull(maxBackoff, "maxBackoff");
      if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "backoff must be 0 <= initial <= max, not " + initialBackoff + ", " + maxBackoff);
      }
      requireTimeout("connectTimeout", connectTimeout);
      requireTimeout("readTimeout", readTimeout);
    }

    private static void requireTimeout(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.toMillis() < 1 || d.toMillis() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(name + " must be from 1 ms to 24 days, not " + d);
      }
    }

    /** Options with {@link #DEFAULT_CONCURRENT_CHUNKS} chunks at once; throws as above. */
    public Options(
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration connectTimeout,
        Duration readTimeout) {
      this(
          maxAttempts,
          initialBackoff,
          maxBackoff,
          connectTimeout,
          readTimeout,
          DEFAULT_CONCURRENT_CHUNKS);
    }

    /** These options with another number of attempts; throws as the constructor does. */
    public Options withMaxAttempts(int attempts) {
      return new Options(
          attempts, initialBackoff, maxBackoff, connectTimeout, readTimeout, maxConcurrentChunks);
    }

    /** These options with another backoff; throws as the constructor does. */
    public Options withBackoff(Duration initial, Duration max) {
      return new Options(
          maxAttempts, initial, max, connectTimeout, readTimeout, maxConcurrentChunks);
    }

    /** These options with other timeouts; throws as the constructor does. */
    public Options withTimeouts(Duration connect, Duration read) {
      return new Options(
          maxAttempts, initialBackoff, maxBackoff, connect, read, maxConcurrentChunks);
    }

    /**
     * These options with another number of chunks under way at once (1: one after another); throws
     * as the constructor does.
     */
    public Options withMaxConcurrentChunks(int chunks) {
      return new Options(
          maxAttempts, initialBackoff, maxBackoff, connectTimeout, readTimeout, chunks);
    }
  }

  private final TableAppender appender;
  private final ChunkSender sender;
  private final String description;
  private final TableSpec quarantineTable;
  private final BigQueryQuarantineReader quarantineReader;

  private volatile boolean closed;

  BigQuerySink(TableAppender appender, Options options, Backoff backoff, String description) {
    this(appender, null, options, backoff, description);
  }

  /**
   * @param reader what lists the quarantine for requeue; null when this sink cannot (tests)
   */
  BigQuerySink(
      TableAppender appender,
      TableDataClient reader,
      Options options,
      Backoff backoff,
      String description) {
    this.appender = Objects.requireNonNull(appender, "appender");
    Objects.requireNonNull(options, "options");
    this.description = Objects.requireNonNull(description, "description");
    this.quarantineReader =
        reader == null ? null : new BigQueryQuarantineReader(reader, description);
    this.quarantineTable = Catalog.standard().quarantineTable();
    this.sender =
        new ChunkSender(
            new AppendPolicy(appender, options.maxAttempts(), backoff, description),
            options.maxConcurrentChunks(),
            description);
  }

  /** An {@code insertAll} sink on a client, for tests. */
  BigQuerySink(
      InsertAllClient client,
      Options options,
      Backoff backoff,
      Chunker chunker,
      String description) {
    this(new InsertAllAppender(client, chunker), options, backoff, description);
  }

  /**
   * Opens a sink on a dataset (no network call is made yet; credentials are looked up at the first
   * write), writing through the API and to the endpoint that {@code environment} names (see {@link
   * BigQueryEnvironment}).
   *
   * @param project the Google Cloud project that holds the dataset and is billed
   * @param dataset the dataset holding the feed tables and {@code quarantine}
   * @param environment the process environment
   * @param options attempts, backoff and timeouts
   * @throws IllegalArgumentException when {@link #API_VARIABLE}, {@link #WRITE_ENDPOINT_VARIABLE}
   *     or {@link #ENDPOINT_VARIABLE} is malformed; the message names it and its form
   * @throws IllegalStateException when workload identity federation is configured incompletely
   */
  public static BigQuerySink open(
      String project, String dataset, Map<String, String> environment, Options options) {
    Objects.requireNonNull(environment, "environment");
    return open(BigQueryEnvironment.open(project, dataset, environment, options), options);
  }

  /** A sink on an opened appender. */
  static BigQuerySink open(BigQueryEnvironment.Opened opened, Options options) {
    return new BigQuerySink(
        opened.appender(),
        opened.reader(),
        options,
        new Backoff(options.initialBackoff(), options.maxBackoff()),
        opened.description());
  }

  /**
   * Stores a batch, all of it: its rows, then its quarantine entries together with the rows
   * BigQuery refused as invalid; in each phase up to {@link Options#maxConcurrentChunks()} requests
   * at once. Returns or throws only once no request of the write is under way.
   *
   * @return rows stored, {@code -1} duplicates (BigQuery cannot tell; the {@code _dedup} views
   *     remove them), quarantine rows stored, and how many of those were rows BigQuery refused
   * @throws SinkException transient when BigQuery kept failing transiently until the attempts or
   *     the deadline ran out, or the thread was interrupted: the sender should retry the bulk.
   *     Permanent when BigQuery refused the request for good (a missing table, no access, a
   *     malformed request), refused a row for a reason other than invalid, refused a quarantine
   *     entry, or a value does not fit its column: retrying the same bulk cannot help. Either way
   *     some rows may already be stored, which a retry makes harmless.
   * @throws IllegalStateException when the sink is closed
   */
  @Override
  public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(deadline, "deadline");
    if (closed) {
      throw new IllegalStateException(description + " is closed");
    }
    Set<TableSpec> tables = new LinkedHashSet<>();
    for (Row row : batch.rows()) {
      tables.add(row.table());
    }
    if (!batch.quarantine().isEmpty()) {
      tables.add(quarantineTable);
    }
    appender.open(tables); // while the rows are prepared
    Map<TableSpec, List<PendingRow>> byTable = new LinkedHashMap<>();
    for (Row row : batch.rows()) {
      byTable
          .computeIfAbsent(row.table(), t -> new ArrayList<>())
          .add(pending(row.eventKey(), row.table(), values(row), row));
    }

    List<Chunk> chunks = new ArrayList<>();
    for (Map.Entry<TableSpec, List<PendingRow>> table : byTable.entrySet()) {
      for (List<PendingRow> rows : appender.split(table.getValue())) {
        chunks.add(new Chunk(table.getKey(), rows, false));
      }
    }
    List<List<Refusal>> outcomes = sender.sendAll(chunks, deadline);

    long stored = 0;
    List<QuarantineEntry> refused = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      List<Refusal> refusals = outcomes.get(i);
      for (Refusal r : refusals) {
        refused.add(quarantineEntry(batch, chunk.table().name(), r));
      }
      stored += chunk.rows().size() - refusals.size();
    }

    List<PendingRow> quarantine = new ArrayList<>();
    for (QuarantineEntry e : batch.quarantine()) {
      quarantine.add(quarantineRow(batch, e));
    }
    for (QuarantineEntry e : refused) {
      quarantine.add(quarantineRow(batch, e));
    }
    if (!quarantine.isEmpty()) {
      List<Chunk> quarantineChunks = new ArrayList<>();
      for (List<PendingRow> rows : appender.split(quarantine)) {
        quarantineChunks.add(new Chunk(quarantineTable, rows, true));
      }
      sender.sendAll(quarantineChunks, deadline);
    }
    if (!refused.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}: BigQuery refused {1} row(s) as invalid; moved them to quarantine",
          description,
          refused.size());
    }
    return new WriteResult(stored, -1, quarantine.size(), refused.size());
  }

  /** A row's values, in its table's column order. */
  private static Object[] values(Row row) {
    Object[] values = new Object[row.table().columns().size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = row.value(i);
    }
    return values;
  }

  private PendingRow pending(String insertId, TableSpec table, Object[] values, Row source)
      throws SinkException {
    try {
      return appender.prepare(insertId, table, values, source);
    } catch (IllegalArgumentException e) {
      throw SinkException.permanent(
          "a row of table " + table.name() + " does not fit its columns: " + e.getMessage(), e);
    }
  }

  /**
   * A quarantine entry as a row that fits one request. BigQuery takes at most 10 MB per {@code
   * insertAll} or {@code AppendRows} request, so the {@code raw} of a bigger entry (a whole bulk of
   * several MB, whose quotes all need escaping) is cut to what fits; {@code raw_length} still gives
   * the whole length and the reason says so.
   */
  private PendingRow quarantineRow(SinkBatch batch, QuarantineEntry e) throws SinkException {
    // Sized as insertAll JSON, an upper bound of the protobuf encoding too.
    PendingRow row = jsonBound(e.eventKey(), batch.quarantineValues(e));
    long budget = Chunker.MAX_BYTES - Chunker.ENVELOPE_BYTES;
    if (row.estimatedBytes() <= budget) {
      return pending(e.eventKey(), quarantineTable, batch.quarantineValues(e), null);
    }
    String note = " [raw cut to fit BigQuery's 10 MB request limit; raw_length is the whole]";
    long others = row.estimatedBytes() - RowContent.stringBytes(e.raw());
    String kept = RowContent.prefixWithin(e.raw(), budget - others - RowContent.stringBytes(note));
    QuarantineEntry cut =
        new QuarantineEntry(
            e.eventKey(),
            e.feed(),
            e.type(),
            e.eventIndex(),
            e.reason() + note,
            kept,
            e.rawLength(),
            e.rawEncoding());
    LOG.log(
        System.Logger.Level.WARNING,
        "{0}: quarantine entry {1} kept to {2} of {3} characters of raw",
        description,
        e.eventKey(),
        kept.length(),
        e.raw().length());
    return pending(cut.eventKey(), quarantineTable, batch.quarantineValues(cut), null);
  }

  private PendingRow jsonBound(String key, Object[] values) throws SinkException {
    try {
      return PendingRow.of(key, quarantineTable.columns(), values, null);
    } catch (IllegalArgumentException e) {
      throw SinkException.permanent(
          "a quarantine entry does not fit its columns: " + e.getMessage(), e);
    }
  }

  private static QuarantineEntry quarantineEntry(SinkBatch batch, String table, Refusal r) {
    Row row = r.row().source();
    String feed = row.table().feed() != null ? row.table().feed() : batch.feed();
    return QuarantineEntry.refusedRow(
        feed,
        row.type(),
        row.eventKey(),
        row.payload().toString(),
        "BigQuery refused the row for table " + table + ": " + r.reason());
  }

  /**
   * Bounds the open entries by the quarantine table's rows ({@code tables.get}; see {@link
   * BigQueryQuarantineReader#countOpen}): the filters are not applied, so the answer is "about".
   *
   * @throws SinkException as {@link #openEntries} does
   * @throws IllegalStateException when the sink is closed or was made without a reader
   */
  @Override
  public OpenCount countOpen(Instant since, String reasonContains) throws SinkException {
    return quarantineReader().countOpen();
  }

  /**
   * Lists the open quarantine entries with {@code tabledata.list}, in the table's order (see {@link
   * BigQueryQuarantineReader#openEntries}).
   *
   * @throws SinkException transient when BigQuery answered 5xx or 429 or did not answer: run again;
   *     permanent when a table is missing (terraform creates {@code quarantine_resolutions}),
   *     access is denied ({@code bigquery.tables.getData}), or a row is malformed
   * @throws IllegalStateException when the sink is closed or was made without a reader
   */
  @Override
  public void openEntries(Instant since, String reasonContains, int pageSize, PageConsumer consumer)
      throws SinkException {
    quarantineReader().openEntries(since, reasonContains, pageSize, consumer);
  }

  private BigQueryQuarantineReader quarantineReader() {
    if (closed || quarantineReader == null) {
      throw new IllegalStateException(description + " cannot list its quarantine");
    }
    return quarantineReader;
  }

  /**
   * Appends resolutions to {@code quarantine_resolutions} as {@link #write} sends quarantine rows,
   * each keyed by {@link Resolution#key()} (the insert id; the {@code _dedup} view keeps one).
   *
   * @throws SinkException as {@link #write} does
   */
  @Override
  public void resolve(List<Resolution> resolutions, Instant deadline) throws SinkException {
    if (closed) {
      throw new IllegalStateException(description + " is closed");
    }
    TableSpec table = Catalog.standard().table(Resolution.TABLE);
    appender.open(Set.of(table));
    List<PendingRow> rows = new ArrayList<>();
    for (Resolution r : resolutions) {
      rows.add(pending(r.key(), table, r.values(), null));
    }
    List<Chunk> chunks = new ArrayList<>();
    for (List<PendingRow> part : appender.split(rows)) {
      chunks.add(new Chunk(table, part, true));
    }
    sender.sendAll(chunks, deadline);
  }

  /**
   * {@code bigquery:PROJECT.DATASET}, the endpoint when overridden, and the API; no credentials.
   * Never fails.
   */
  @Override
  public String describe() {
    return description;
  }

  /**
   * Marks the sink closed, shuts its thread pool down (chunks under way still end) and closes the
   * appender's writers, clients and channels; later writes throw {@link IllegalStateException}.
   * Never fails.
   */
  @Override
  public void close() {
    closed = true;
    sender.close();
    appender.close();
  }

  @Override
  public String toString() {
    return description;
  }
}
