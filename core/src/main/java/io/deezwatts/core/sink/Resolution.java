package io.deezwatts.core.sink;

import io.deezwatts.core.json.Murmur3;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One row of {@code quarantine_resolutions}: what a requeue run did with one quarantine entry.
 *
 * @param entryKey the entry's {@code event_key}
 * @param receivedAt the entry's {@code received_at}; with {@code entryKey}, which entry
 * @param resolvedAt when the run decided
 * @param outcome what became of it
 * @param reason the new reason when still quarantined or refused; null when stored
 * @param rowsStored rows the entry decoded into that the sink accepted
 * @param runId the run
 */
public record Resolution(
    String entryKey,
    Instant receivedAt,
    Instant resolvedAt,
    Outcome outcome,
    String reason,
    long rowsStored,
    String runId) {

  /** The table resolutions are appended to, in every sink (its schema is in the catalog). */
  public static final String TABLE = "quarantine_resolutions";

  /** What a requeue did with an entry; {@link #closes()} says whether the entry is done. */
  public enum Outcome {
    /** It decodes now; its row (a bulk's rows) stored with the key of first delivery. */
    STORED(true),
    /** A whole bulk that decodes now: its good events stored, its bad events quarantined anew. */
    PARTLY_STORED(true),
    /** Its row was refused by the warehouse and moved to quarantine as an entry of its own. */
    REFUSED(true),
    /** It still does not decode (or its row, a refused one, was refused again): it stays open. */
    STILL_QUARANTINED(false);

    private final boolean closes;

    Outcome(boolean closes) {
      this.closes = closes;
    }

    /** Whether the entry leaves {@code quarantine_open}. */
    public boolean closes() {
      return closes;
    }

    /** The {@code outcome} column's value, such as {@code partly_stored}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The outcome a column value names. */
    public static Outcome ofWireName(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  public Resolution {
    Objects.requireNonNull(entryKey, "entryKey");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Objects.requireNonNull(resolvedAt, "resolvedAt");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(runId, "runId");
  }

  /**
   * This resolution's {@code event_key}: a hash of the entry and the run, so a retried write of it
   * is stored once, while another run's resolution of the same entry is a row of its own.
   */
  public String key() {
    byte[] b =
        ("resolution\0" + entryKey + "\0" + receivedAt + "\0" + runId)
            .getBytes(StandardCharsets.UTF_8);
    return Murmur3.hash128Hex(b, 0, b.length, 0);
  }

  /**
   * The values of the row in {@code quarantine_resolutions} column order: event_key, entry_key,
   * received_at, resolved_at, outcome, reason, rows_stored, run_id.
   */
  public Object[] values() {
    return new Object[] {
      key(), entryKey, receivedAt, resolvedAt, outcome.wireName(), reason, rowsStored, runId
    };
  }
}
