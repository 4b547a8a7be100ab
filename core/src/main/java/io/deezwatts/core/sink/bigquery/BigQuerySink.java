package io.deezwatts.core.sink.bigquery;

import com.google.auth.oauth2.GoogleCredentials;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stores bulks in BigQuery with streaming inserts ({@code tabledata.insertAll}, over plain HTTPS:
 * see {@link InsertAllClient}).
 *
 * <p>Rows go to their feed's table, quarantine entries to {@code quarantine}, in requests of at
 * most 500 rows and under 9 MB, each row with its {@code event_key} as {@code insertId} and with
 * {@code skipInvalidRows} and {@code ignoreUnknownValues} off. Every response's {@code
 * insertErrors} is read, HTTP 200 or not (see {@link BigQueryErrors} for what each error means):
 *
 * <ul>
 *   <li>a row BigQuery refuses as {@code invalid} (say the table's schema lags the catalog) is
 *       moved to quarantine with BigQuery's reason, and the rows it stopped are sent again at once;
 *   <li>rows with transient errors, or a whole request that failed transiently (HTTP 429 or 5xx,
 *       I/O, a timeout), are sent again, only those rows, after an exponential backoff with full
 *       jitter, up to {@link Options#maxAttempts()} attempts and never past the caller's deadline;
 *   <li>anything else fails the bulk at once as permanent.
 * </ul>
 *
 * <p>The chunks of a write go out concurrently, at most {@link Options#maxConcurrentChunks()} at a
 * time, on a small pool of daemon threads the sink owns (shut down by {@link #close()}); each chunk
 * retries on its own as above. Once a chunk fails no further chunk starts and the chunks under way
 * make no further attempt (a request already sent is not cut short); the write throws once they
 * have all ended: permanent if any chunk failed permanently, else transient. Quarantine entries,
 * the rows moved there included, are sent once every data chunk is stored. With one chunk at a time
 * the chunks go out one after another on the caller's thread.
 *
 * <p>When a chunk runs out of attempts or time the whole bulk fails as transient and the sender
 * retries it; rows already stored are harmless, as the retry carries the same insert ids and the
 * {@code _dedup} views keep one row per {@code event_key}. Rows absent from {@code insertErrors}
 * are stored: with {@code skipInvalidRows} off BigQuery lists every row it did not store, as {@code
 * stopped} when another row was at fault.
 *
 * <p>One {@code insertAll} client and one thread pool per sink, created with it and reused; the
 * client makes one request per call, so that this class alone decides on retries. Thread-safe. Logs
 * carry tables, counts and error reasons, never row contents or credentials.
 */
public final class BigQuerySink implements Sink {
  /** Points the client at another host, such as an emulator or a recording proxy. */
  public static final String ENDPOINT_VARIABLE = "DEEZWATTS_BIGQUERY_ENDPOINT";

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

  private final InsertAllClient client;
  private final Options options;
  private final Backoff backoff;
  private final Chunker chunker;
  private final String description;
  private final TableSpec quarantineTable;

  /** Sends the chunks of writes; null when {@link Options#maxConcurrentChunks()} is 1. */
  private final ExecutorService executor;

  private volatile boolean closed;

  BigQuerySink(
      InsertAllClient client,
      Options options,
      Backoff backoff,
      Chunker chunker,
      String description) {
    this.client = Objects.requireNonNull(client, "client");
    this.options = Objects.requireNonNull(options, "options");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.chunker = Objects.requireNonNull(chunker, "chunker");
    this.description = Objects.requireNonNull(description, "description");
    this.quarantineTable = Catalog.standard().quarantineTable();
    this.executor = options.maxConcurrentChunks() > 1 ? newExecutor(options) : null;
  }

  /**
   * A pool of {@link Options#maxConcurrentChunks()} daemon threads, started as needed and ended
   * when idle for a minute. Each write keeps at most that many chunks in it, so writes running side
   * by side share the threads rather than multiply them.
   */
  private static ExecutorService newExecutor(Options options) {
    AtomicInteger threads = new AtomicInteger();
    int size = options.maxConcurrentChunks();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            size,
            size,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread t =
                  new Thread(
                      task,
                      "deezwatts-bigquery-".concat(Integer.toString(threads.incrementAndGet())));
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /**
   * Opens a sink on a dataset, creating its one {@code insertAll} client (no network call is made
   * yet; Application Default Credentials are looked up at the first write).
   *
   * <p>With {@link #ENDPOINT_VARIABLE} set in {@code environment} the client talks to that host,
   * and, unless {@code GOOGLE_APPLICATION_CREDENTIALS} is set too, sends no credentials, as
   * emulators expect. Otherwise it talks to BigQuery with Application Default Credentials, or, on
   * Azure, with Workload Identity Federation when {@code DEEZWATTS_GCP_WIF_AUDIENCE} is set (see
   * {@link WorkloadIdentity}).
   *
   * @param project the Google Cloud project that holds the dataset and is billed
   * @param dataset the dataset holding the feed tables and {@code quarantine}
   * @param environment the process environment
   * @param options attempts, backoff and timeouts
   * @throws IllegalArgumentException when {@link #ENDPOINT_VARIABLE} is not an http(s) URL
   * @throws IllegalStateException when workload identity federation is configured incompletely
   */
  public static BigQuerySink open(
      String project, String dataset, Map<String, String> environment, Options options) {
    Objects.requireNonNull(environment, "environment");
    URI endpoint = endpoint(environment);
    boolean anonymous = endpoint != null && isBlank(environment.get(CREDENTIALS_VARIABLE));
    GoogleCredentials federated = anonymous ? null : WorkloadIdentity.fromEnvironment(environment);
    InsertAllClient client = newClient(project, dataset, endpoint, anonymous, federated, options);
    // A StringBuilder rather than +: this runs on a cold function's first request, where each
    // shape of string concatenation costs a method-handle bootstrap.
    StringBuilder description = new StringBuilder("bigquery:").append(project).append('.');
    description.append(dataset);
    if (endpoint != null) {
      description.append(" via ").append(endpoint.getScheme()).append("://");
      description.append(endpoint.getHost());
      if (endpoint.getPort() >= 0) {
        description.append(':').append(endpoint.getPort());
      }
    }
    if (anonymous) {
      description.append(" (no credentials)");
    }
    if (federated != null) {
      description.append(" (workload identity federation)");
    }
    return new BigQuerySink(
        client,
        options,
        new Backoff(options.initialBackoff(), options.maxBackoff()),
        Chunker.standard(),
        description.toString());
  }

  /** The endpoint override of the environment, or null. */
  static URI endpoint(Map<String, String> environment) {
    String value = environment.get(ENDPOINT_VARIABLE);
    if (isBlank(value)) {
      return null;
    }
    String trimmed = value.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      throw new IllegalArgumentException(
          ENDPOINT_VARIABLE
              + " must be an http(s) URL such as http://localhost:9050, not '"
              + value
              + "'");
    }
    return uri;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * A client that makes one request per call (this class retries) with the given timeouts: to
   * {@code endpoint} (null: BigQuery), with no credentials, the federated ones, or else Application
   * Default Credentials.
   */
  static InsertAllClient newClient(
      String project,
      String dataset,
      URI endpoint,
      boolean anonymous,
      GoogleCredentials federated,
      Options options) {
    InsertAllClient.Authorization authorization;
    if (anonymous) {
      authorization = InsertAllClient.Authorization.none();
    } else if (federated != null) {
      authorization = InsertAllClient.Authorization.of(federated);
    } else {
      authorization = InsertAllClient.Authorization.applicationDefault();
    }
    return new InsertAllClient(
        endpoint == null ? InsertAllClient.DEFAULT_ROOT : endpoint.toString(),
        project,
        dataset,
        authorization,
        options.connectTimeout(),
        options.readTimeout());
  }

  /**
   * Stores a batch, all of it: its rows, then its quarantine entries together with the rows
   * BigQuery refused as {@code invalid}; in each phase up to {@link Options#maxConcurrentChunks()}
   * requests at once. Returns or throws only once no request of the write is under way.
   *
   * @return rows stored, {@code -1} duplicates (BigQuery cannot tell; the {@code _dedup} views
   *     remove them), quarantine rows stored, and how many of those were rows BigQuery refused
   * @throws SinkException transient when BigQuery kept failing transiently until the attempts or
   *     the deadline ran out, or the thread was interrupted: the sender should retry the bulk.
   *     Permanent when BigQuery answered with a 4xx other than 429 (a missing table, no access, a
   *     malformed request), refused a row for a reason other than {@code invalid}, refused a
   *     quarantine entry, or a value does not fit its column: retrying the same bulk cannot help.
   *     Either way some rows may already be stored, which a retry makes harmless.
   * @throws IllegalStateException when the sink is closed
   */
  @Override
  public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    Objects.requireNonNull(batch, "batch");
    Objects.requireNonNull(deadline, "deadline");
    if (closed) {
      throw new IllegalStateException(description + " is closed");
    }
    Map<String, List<PendingRow>> byTable = new LinkedHashMap<>();
    for (Row row : batch.rows()) {
      byTable
          .computeIfAbsent(row.table().name(), t -> new ArrayList<>())
          .add(pending(row.eventKey(), row.table(), values(row), row));
    }

    List<Chunk> chunks = new ArrayList<>();
    for (Map.Entry<String, List<PendingRow>> table : byTable.entrySet()) {
      for (List<PendingRow> rows : chunker.split(table.getValue())) {
        chunks.add(new Chunk(table.getKey(), rows, false));
      }
    }
    List<List<Refusal>> outcomes = sendAll(chunks, deadline);

    long stored = 0;
    List<QuarantineEntry> refused = new ArrayList<>();
    for (int i = 0; i < chunks.size(); i++) {
      Chunk chunk = chunks.get(i);
      List<Refusal> refusals = outcomes.get(i);
      for (Refusal r : refusals) {
        refused.add(quarantineEntry(batch, chunk.table(), r));
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
      for (List<PendingRow> rows : chunker.split(quarantine)) {
        quarantineChunks.add(new Chunk(quarantineTable.name(), rows, true));
      }
      sendAll(quarantineChunks, deadline);
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

  private static PendingRow pending(String insertId, TableSpec table, Object[] values, Row source)
      throws SinkException {
    try {
      return PendingRow.of(insertId, table.columns(), values, source);
    } catch (IllegalArgumentException e) {
      throw SinkException.permanent(
          "a row of table " + table.name() + " does not fit its columns: " + e.getMessage(), e);
    }
  }

  /**
   * A quarantine entry as a row that fits one request. BigQuery takes at most 10 MB per {@code
   * insertAll} request, so the {@code raw} of a bigger entry (a whole bulk of several MB, whose
   * quotes all need escaping) is cut to what fits; {@code raw_length} still gives the whole length
   * and the reason says so.
   */
  private PendingRow quarantineRow(SinkBatch batch, QuarantineEntry e) throws SinkException {
    PendingRow row = pending(e.eventKey(), quarantineTable, batch.quarantineValues(e), null);
    long budget = Chunker.MAX_BYTES - Chunker.ENVELOPE_BYTES;
    if (row.estimatedBytes() <= budget) {
      return row;
    }
    String note =
        " [raw cut to fit BigQuery's 10 MB insertAll request limit; raw_length is the whole]";
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

  private static QuarantineEntry quarantineEntry(SinkBatch batch, String table, Refusal r) {
    Row row = r.row().source();
    String feed = row.table().feed() != null ? row.table().feed() : batch.feed();
    return QuarantineEntry.refusedRow(
        feed,
        row.type(),
        row.eventKey(),
        row.payload().toString(),
        "BigQuery refused the row for table "
            + table
            + ": "
            + BigQueryErrors.describeRowErrors(r.errors()));
  }

  /** A row BigQuery refused as invalid, with its errors. */
  private record Refusal(PendingRow row, List<RowError> errors) {}

  /** One {@code insertAll} request's rows, for a feed table or for {@code quarantine}. */
  private record Chunk(String table, List<PendingRow> rows, boolean isQuarantine) {}

  /** How a chunk sent on the pool ended: refusals when stored, else a failure, else stopped. */
  private record Outcome(int index, List<Refusal> refusals, SinkException failure) {}

  /** A chunk gave up before its next attempt because another chunk of its write failed. */
  private static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  /** A signal that is never given: chunks sent one after another stop only by throwing. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  /**
   * Sends chunks, at most {@link Options#maxConcurrentChunks()} at a time, until each is stored or
   * one fails; returns only when none is under way any more.
   *
   * @return each chunk's rows refused as invalid, in the order of the chunks
   * @throws SinkException when a chunk failed: the first permanent failure, else the first failure,
   *     with the other chunks' failures suppressed
   */
  private List<List<Refusal>> sendAll(List<Chunk> chunks, Instant deadline) throws SinkException {
    List<List<Refusal>> results = new ArrayList<>(chunks.size());
    if (executor == null || chunks.size() == 1) {
      for (Chunk chunk : chunks) {
        try {
          results.add(send(chunk, deadline, NEVER));
        } catch (Stopped e) {
          throw new IllegalStateException("a chunk sent alone was stopped", e);
        }
      }
      return results;
    }
    for (int i = 0; i < chunks.size(); i++) {
      results.add(null);
    }
    // Given once a chunk has failed, or the caller is interrupted: no chunk starts any more and
    // those under way make no further attempt.
    CountDownLatch stop = new CountDownLatch(1);
    BlockingQueue<Outcome> ended = new LinkedBlockingQueue<>();
    List<SinkException> failures = new ArrayList<>();
    boolean interrupted = false;
    int next = 0;
    int underWay = 0;
    while (true) {
      while (stop.getCount() > 0
          && next < chunks.size()
          && underWay < options.maxConcurrentChunks()) {
        int index = next++;
        Chunk chunk = chunks.get(index);
        try {
          executor.execute(() -> ended.add(sendOnPool(index, chunk, deadline, stop)));
          underWay++;
        } catch (RejectedExecutionException e) {
          failures.add(
              SinkException.transientFailure(
                  description + " was closed during a write to " + chunk.table(), e));
          stop.countDown();
        }
      }
      if (underWay == 0) {
        break;
      }
      Outcome outcome;
      try {
        outcome = ended.take();
      } catch (InterruptedException e) {
        // Let the chunks under way end (a request already sent runs to its read timeout), then
        // throw; the interrupt is restored below.
        interrupted = true;
        stop.countDown();
        continue;
      }
      underWay--;
      if (outcome.failure() != null) {
        failures.add(outcome.failure());
        stop.countDown();
      } else if (outcome.refusals() != null) {
        results.set(outcome.index(), outcome.refusals());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    SinkException thrown = null;
    for (SinkException f : failures) {
      if (!f.isTransient()) {
        thrown = f;
        break;
      }
    }
    if (thrown == null && interrupted) {
      thrown =
          SinkException.transientFailure(
              "interrupted before every chunk of the write was stored",
              failures.isEmpty() ? null : failures.get(0));
    }
    if (thrown == null && !failures.isEmpty()) {
      thrown = failures.get(0);
    }
    if (thrown != null) {
      for (SinkException f : failures) {
        if (f != thrown && f != thrown.getCause()) {
          thrown.addSuppressed(f);
        }
      }
      throw thrown;
    }
    return results;
  }

  /** Sends one chunk on a pool thread; never throws. */
  private Outcome sendOnPool(int index, Chunk chunk, Instant deadline, CountDownLatch stop) {
    try {
      return new Outcome(index, send(chunk, deadline, stop), null);
    } catch (Stopped e) {
      return new Outcome(index, null, null);
    } catch (SinkException e) {
      stop.countDown();
      return new Outcome(index, null, e);
    } catch (RuntimeException | Error e) {
      stop.countDown();
      return new Outcome(
          index,
          null,
          SinkException.permanent(
              "sending rows to " + chunk.table() + " failed: " + e.getClass().getName(), e));
    }
  }

  /**
   * Sends one chunk until every row is stored or refused as invalid.
   *
   * @param stop given when another chunk of the write failed: make no further attempt
   * @return the rows refused as invalid
   * @throws Stopped when {@code stop} was given before an attempt or during a backoff wait
   */
  private List<Refusal> send(Chunk chunk, Instant deadline, CountDownLatch stop)
      throws SinkException, Stopped {
    String table = chunk.table();
    boolean isQuarantine = chunk.isQuarantine();
    List<PendingRow> pending = chunk.rows();
    List<Refusal> refusals = new ArrayList<>();
    int failedAttempts = 0;
    String failure = null;
    Throwable cause = null;
    while (true) {
      if (stop.getCount() == 0) {
        throw new Stopped();
      }
      if (Thread.currentThread().isInterrupted()) {
        throw SinkException.transientFailure(
            "interrupted before " + pending.size() + " row(s) of " + table + " were stored", cause);
      }
      if (!Instant.now().isBefore(deadline)) {
        throw SinkException.transientFailure(
            "deadline reached before "
                + pending.size()
                + " row(s) of "
                + table
                + " were stored"
                + (failure == null ? "" : "; last failure: " + failure),
            cause);
      }
      boolean resendAtOnce = false;
      try {
        Map<Long, List<RowError>> errors = client.insertAll(table, pending);
        if (errors.isEmpty()) {
          return refusals;
        }
        for (Long index : errors.keySet()) {
          if (index == null || index < 0 || index >= pending.size()) {
            throw SinkException.permanent(
                "insertAll to "
                    + table
                    + " answered with errors for row "
                    + index
                    + " of a request of "
                    + pending.size(),
                null);
          }
        }
        List<PendingRow> retry = new ArrayList<>();
        int refusedNow = 0;
        boolean onlyStopped = true;
        String reasons = null;
        for (int i = 0; i < pending.size(); i++) {
          List<RowError> rowErrors = errors.get((long) i);
          if (rowErrors == null || rowErrors.isEmpty()) {
            continue; // stored
          }
          PendingRow row = pending.get(i);
          if (BigQueryErrors.isInvalidRow(rowErrors) && !isQuarantine) {
            refusals.add(new Refusal(row, rowErrors));
            refusedNow++;
          } else if (BigQueryErrors.isTransientRowError(rowErrors)) {
            retry.add(row);
            if (!BigQueryErrors.isStopped(rowErrors)) {
              onlyStopped = false;
              reasons = BigQueryErrors.reasonsOnly(rowErrors);
            }
          } else {
            throw SinkException.permanent(
                (isQuarantine ? "the quarantine table refused entry " : "BigQuery refused row ")
                    + i
                    + " of a request to "
                    + table
                    + ": "
                    + BigQueryErrors.reasonsOnly(rowErrors),
                null);
          }
        }
        if (retry.isEmpty()) {
          return refusals;
        }
        pending = retry;
        // Rows stopped only because of rows now moved to quarantine go again at once.
        resendAtOnce = refusedNow > 0 && onlyStopped;
        failure =
            retry.size() + " row(s) not stored (" + (reasons == null ? "stopped" : reasons) + ")";
        cause = null;
      } catch (InsertAllException e) {
        if (!BigQueryErrors.isTransient(e)) {
          throw SinkException.permanent(
              "insertAll to " + table + " failed: " + BigQueryErrors.describe(e), e);
        }
        failure = BigQueryErrors.describe(e);
        cause = e;
      } catch (RuntimeException e) {
        throw SinkException.permanent(
            "insertAll to " + table + " failed: " + e.getClass().getName(), e);
      }
      if (resendAtOnce) {
        continue;
      }
      failedAttempts++;
      if (failedAttempts >= options.maxAttempts()) {
        throw SinkException.transientFailure(
            "gave up on "
                + pending.size()
                + " row(s) of "
                + table
                + " after "
                + failedAttempts
                + " attempt(s): "
                + failure,
            cause);
      }
      Duration wait = backoff.delay(failedAttempts);
      if (Instant.now().plus(wait).isAfter(deadline)) {
        throw SinkException.transientFailure(
            "deadline comes before the next attempt for "
                + pending.size()
                + " row(s) of "
                + table
                + " (in "
                + wait.toMillis()
                + " ms): "
                + failure,
            cause);
      }
      LOG.log(
          System.Logger.Level.INFO,
          "{0}: {1} to {2}; retrying {3} row(s) in {4} ms (attempt {5} of {6})",
          description,
          failure,
          table,
          pending.size(),
          wait.toMillis(),
          failedAttempts + 1,
          options.maxAttempts());
      try {
        if (stop.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
          throw new Stopped();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw SinkException.transientFailure(
            "interrupted while waiting to retry " + pending.size() + " row(s) of " + table, e);
      }
    }
  }

  /**
   * {@code bigquery:PROJECT.DATASET}, and the endpoint's host when overridden; no credentials.
   * Never fails.
   */
  @Override
  public String describe() {
    return description;
  }

  /**
   * Marks the sink closed and shuts its thread pool down (chunks under way still end); later writes
   * throw {@link IllegalStateException}. Never fails.
   */
  @Override
  public void close() {
    closed = true;
    if (executor != null) {
      executor.shutdown();
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
