package io.deezwatts.core.sink;

import java.time.Instant;
import java.util.List;

/**
 * A sink whose quarantine can be read back and resolved: what {@code deezwatts requeue} needs
 * beside {@link Sink}. Rows a requeue stores go through {@link Sink#write}, so they are keyed and
 * deduplicated as on first delivery; this port only lists entries and appends resolutions. Nothing
 * here updates or deletes a row: BigQuery cannot change rows just streamed, so an entry is closed
 * by appending a {@link Resolution} ({@code quarantine_resolutions}), and {@code quarantine_open}
 * shows the rest.
 *
 * <p>An entry is identified by its {@code event_key} and {@code received_at} together. The key is a
 * hash of the feed and the raw bytes (or, for a row the warehouse refused, the row's key), so equal
 * ids mean equal bytes received at the same instant: copies of one entry (a retried write), which
 * are resolved together. The same bytes received again later are a new entry.
 */
public interface QuarantineStore {
  /**
   * Takes one page of entries; may write (through the sink and {@link #resolve}) before returning.
   */
  @FunctionalInterface
  interface PageConsumer {
    void accept(List<OpenEntry> page) throws SinkException;
  }

  /**
   * Lists the open entries (no resolution closes them) one page at a time, each entry once however
   * many copies of it are stored. DuckDB lists them oldest first by {@code received_at}; BigQuery
   * in the table's order. Entries a consumer resolves are not listed again; entries written while
   * listing may or may not be.
   *
   * @param since only entries received at or after this instant; null for all
   * @param reasonContains only entries whose reason contains this text, ignoring case; null for all
   * @param pageSize the most entries per page (at least 1)
   * @throws SinkException when the quarantine cannot be read (transient: try again) or a consumer
   *     failed to write; pages handed over before stay handled
   */
  void openEntries(Instant since, String reasonContains, int pageSize, PageConsumer consumer)
      throws SinkException;

  /**
   * Appends resolutions to {@code quarantine_resolutions}. A retried call stores nothing twice
   * ({@link Resolution#key()}).
   *
   * @throws SinkException as {@link Sink#write} does; the entries stay open
   */
  void resolve(List<Resolution> resolutions, Instant deadline) throws SinkException;

  /**
   * How many open entries a run with these filters would list, for a progress bar's total.
   *
   * @param exact false when {@code entries} is an upper bound (say, the quarantine table's rows)
   */
  record OpenCount(long entries, boolean exact) {}

  /**
   * Counts the open entries {@link #openEntries} would list with these filters, or bounds them.
   * Meant to be cheap; a store that cannot tell answers null (the default).
   *
   * @throws SinkException when the quarantine cannot be read (transient: try again)
   */
  default OpenCount countOpen(Instant since, String reasonContains) throws SinkException {
    return null;
  }
}
