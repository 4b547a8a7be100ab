package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.bigquery.TableAppender.AppendFailure;
import io.deezwatts.core.sink.bigquery.TableAppender.NotStored;
import io.deezwatts.core.sink.bigquery.TableAppender.Verdict;
import io.deezwatts.core.util.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The one retry and quarantine policy of both write paths: sends one request's rows through a
 * {@link TableAppender} until each is stored or refused as invalid.
 *
 * <ul>
 *   <li>rows refused as {@link Verdict#INVALID} are handed back for quarantine (a quarantine entry
 *       refused so fails the bulk as permanent), and the rows they stopped go again at once, at
 *       most {@link #MAX_REFUSAL_ROUNDS} times in a row before such a round counts as an attempt;
 *   <li>rows not stored for a transient reason, or a whole request that failed transiently, go
 *       again, only those rows, after an exponential backoff with full jitter, up to {@link
 *       BigQuerySink.Options#maxAttempts()} attempts and never past the caller's deadline;
 *   <li>anything else fails the bulk at once as permanent.
 * </ul>
 *
 * Thread-safe: it keeps no state between calls.
 */
final class AppendPolicy {
  /** Resends at once (rows only stopped by refused ones) before they count as attempts. */
  static final int MAX_REFUSAL_ROUNDS = 10;

  private static final System.Logger LOG = System.getLogger(BigQuerySink.class.getName());

  private final TableAppender appender;
  private final int maxAttempts;
  private final Backoff backoff;
  private final String description;

  AppendPolicy(TableAppender appender, int maxAttempts, Backoff backoff, String description) {
    this.appender = appender;
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.description = description;
  }

  /** One request's rows, for a feed table or for {@code quarantine}. */
  record Chunk(TableSpec table, List<PendingRow> rows, boolean isQuarantine) {}

  /** A row BigQuery refused as invalid, with BigQuery's reason. */
  record Refusal(PendingRow row, String reason) {}

  /** A chunk gave up before its next attempt because another chunk of its write failed. */
  static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;

    Stopped() {
      super(null, null, false, false);
    }
  }

  /**
   * Sends one chunk until every row is stored or refused as invalid.
   *
   * @param stop given when another chunk of the write failed: make no further attempt
   * @return the rows refused as invalid
   * @throws SinkException transient when attempts or time ran out or the thread was interrupted,
   *     permanent when BigQuery refused the request or a row for a reason a retry cannot cure
   * @throws Stopped when {@code stop} was given before an attempt or during a backoff wait
   */
  List<Refusal> send(Chunk chunk, Instant deadline, CountDownLatch stop)
      throws SinkException, Stopped {
    String table = chunk.table().name();
    String api = appender.api();
    List<PendingRow> pending = chunk.rows();
    List<Refusal> refusals = new ArrayList<>();
    int failedAttempts = 0;
    int refusalRounds = 0;
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
        Map<Integer, NotStored> notStored = appender.append(chunk.table(), pending, deadline);
        if (notStored.isEmpty()) {
          return refusals;
        }
        List<PendingRow> retry = new ArrayList<>();
        int refusedNow = 0;
        boolean onlyStopped = true;
        String reasons = null;
        for (int i = 0; i < pending.size(); i++) {
          NotStored n = notStored.get(i);
          if (n == null) {
            continue; // stored
          }
          PendingRow row = pending.get(i);
          Verdict verdict = n.verdict();
          if (verdict == Verdict.INVALID && !chunk.isQuarantine()) {
            refusals.add(new Refusal(row, n.reason()));
            refusedNow++;
          } else if (verdict == Verdict.STOPPED) {
            retry.add(row);
          } else if (verdict == Verdict.RETRY) {
            retry.add(row);
            onlyStopped = false;
            reasons = n.reason();
          } else {
            throw SinkException.permanent(
                (chunk.isQuarantine()
                        ? "the quarantine table refused entry "
                        : "BigQuery refused row ")
                    + i
                    + " of a request to "
                    + table
                    + ": "
                    + n.reason(),
                null);
          }
        }
        if (retry.isEmpty()) {
          return refusals;
        }
        pending = retry;
        // Rows stopped only because of rows now moved to quarantine go again at once.
        resendAtOnce = refusedNow > 0 && onlyStopped && refusalRounds++ < MAX_REFUSAL_ROUNDS;
        failure =
            retry.size() + " row(s) not stored (" + (reasons == null ? "stopped" : reasons) + ")";
        cause = null;
      } catch (AppendFailure e) {
        if (!e.isTransient()) {
          throw SinkException.permanent(
              api + " to " + table + " failed: " + e.getMessage(), e.getCause());
        }
        failure = e.getMessage();
        cause = e.getCause() != null ? e.getCause() : e;
      } catch (IllegalArgumentException e) {
        throw SinkException.permanent(
            "a row of table " + table + " does not fit its columns: " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw SinkException.permanent(
            api + " to " + table + " failed: " + e.getClass().getName(), e);
      }
      if (resendAtOnce) {
        continue;
      }
      failedAttempts++;
      if (failedAttempts >= maxAttempts) {
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
          maxAttempts);
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
}
