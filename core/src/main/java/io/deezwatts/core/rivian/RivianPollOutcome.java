package io.deezwatts.core.rivian;

import io.deezwatts.core.ingest.StartupFailure;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one scheduled Rivian poll did, independent of the platform: the Google Cloud function
 * answers it as an HTTP status and {@link #fields()} as its JSON body, the Azure timer returns or
 * fails its invocation and logs the same fields.
 *
 * @param status what happened
 * @param vehicles vehicles polled (stored or partial only)
 * @param stored snapshots stored
 * @param unchanged snapshots skipped as unchanged since an earlier poll
 * @param rateLimited ids of the vehicles Rivian kept rate-limiting, left for the next poll
 * @param warnings things skipped, such as a query Rivian's schema rejects
 * @param message one line saying what happened; never a token or a stack trace
 * @param notBefore until when runs are skipped (skipped, retry later), else null
 * @param startup why the poller could not get ready (not configured, not ready), else null
 * @param cause the exception behind a failure, for platforms that fail the invocation with it;
 *     never shown to a caller
 */
public record RivianPollOutcome(
    Status status,
    int vehicles,
    long stored,
    long unchanged,
    List<String> rateLimited,
    List<String> warnings,
    String message,
    Instant notBefore,
    StartupFailure startup,
    Throwable cause) {

  /** What a run came to. */
  public enum Status {
    /** Every vehicle's snapshot is stored. */
    STORED,
    /** Some vehicles were rate-limited and left for the next poll; the others are stored. */
    PARTIAL,
    /** Skipped: backing off after a failure a retry may fix. */
    SKIPPED,
    /** Refused: runs come faster than {@link PollSchedule#MINIMUM_INTERVAL}. */
    TOO_SOON,
    /** Failed in a way a later run may not (rate limit, Rivian or the sink unavailable). */
    RETRY_LATER,
    /** The stored session has expired or is missing: a person must log in again. */
    SESSION_EXPIRED,
    /** Failed in a way no retry fixes. */
    FAILED,
    /** A setting is missing or malformed ({@link #startup()} names it). */
    NOT_CONFIGURED,
    /** The poller could not get ready for now (its sink or session store cannot be opened). */
    NOT_READY;

    /** The status as the JSON body and log lines spell it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the run did its job (possibly in part, or skipping it on purpose). */
    public boolean succeeded() {
      return this == STORED || this == PARTIAL || this == SKIPPED;
    }
  }

  public RivianPollOutcome {
    rateLimited = List.copyOf(rateLimited);
    warnings = List.copyOf(warnings);
  }

  static RivianPollOutcome of(Status status, String message, Instant notBefore, Throwable cause) {
    return new RivianPollOutcome(
        status, 0, 0, 0, List.of(), List.of(), message, notBefore, null, cause);
  }

  static RivianPollOutcome notReady(StartupFailure failure, RuntimeException cause) {
    return new RivianPollOutcome(
        failure.configuration() ? Status.NOT_CONFIGURED : Status.NOT_READY,
        0,
        0,
        0,
        List.of(),
        List.of(),
        failure.configuration()
            ? "the Rivian poll is not configured; see its log"
            : "the Rivian poll cannot get ready; see its log",
        null,
        failure,
        cause);
  }

  /**
   * The fields a caller may see, in order: {@code status}, then the counts of a poll that stored,
   * or {@code message} (and {@code notBefore}) of one that did not. The setting a start-up failure
   * names stays in the log.
   */
  public Map<String, Object> fields() {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("status", status.label());
    if (status == Status.STORED || status == Status.PARTIAL) {
      f.put("vehicles", vehicles);
      f.put("stored", stored);
      f.put("unchanged", unchanged);
      if (status == Status.PARTIAL) {
        f.put("rateLimited", rateLimited);
      }
      f.put("warnings", warnings);
    }
    f.put("message", message);
    if (notBefore != null) {
      f.put("notBefore", notBefore.toString());
    }
    return f;
  }
}
