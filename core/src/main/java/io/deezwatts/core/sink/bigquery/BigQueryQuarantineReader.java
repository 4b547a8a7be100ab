package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.OpenEntry;
import io.deezwatts.core.sink.QuarantineStore.OpenCount;
import io.deezwatts.core.sink.QuarantineStore.PageConsumer;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.SinkException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads a BigQuery dataset's quarantine back for {@code deezwatts requeue}: counts it with {@code
 * tables.get} and lists its open entries with {@code tabledata.list} (see {@link TableDataClient}:
 * no query bytes billed, the streaming buffer included). The reading half of {@link BigQuerySink}'s
 * {@link io.deezwatts.core.sink.QuarantineStore}; the sink writes the rows and the resolutions.
 * Thread-safe (it keeps no state between calls).
 */
final class BigQueryQuarantineReader {
  /** Rows per page when reading resolutions (small rows). */
  private static final int PAGE_ROWS = 10_000;

  private final TableDataClient tables;
  private final String quarantine;
  private final String description;

  /**
   * @param tables the dataset's REST reader
   * @param description the sink's description, for messages
   */
  BigQueryQuarantineReader(TableDataClient tables, String description) {
    this.tables = Objects.requireNonNull(tables, "tables");
    this.description = Objects.requireNonNull(description, "description");
    this.quarantine = Catalog.standard().quarantineTable().name();
  }

  /**
   * Bounds the open entries by the quarantine table's rows ({@code tables.get}: no query bytes
   * billed): closed entries and copies count too, and the filters are not applied, so the answer is
   * "about" ({@link OpenCount#exact()} false).
   *
   * @throws SinkException as {@link #openEntries} does
   */
  OpenCount countOpen() throws SinkException {
    return new OpenCount(tables.rowCount(quarantine), false);
  }

  /**
   * Lists the open quarantine entries: first every resolution, to know which entries are closed,
   * then the quarantine table a page at a time, filtered here by {@code since} and {@code
   * reasonContains}. Entries come in the table's order, not by time; copies of one entry (the same
   * {@code event_key} and {@code received_at}) are handed over once. Memory: the closed entries'
   * ids and one page of entries.
   *
   * @throws SinkException transient when BigQuery answered 5xx or 429 or did not answer: run again;
   *     permanent when a table is missing (terraform creates {@code quarantine_resolutions}),
   *     access is denied ({@code bigquery.tables.getData}), or a row is malformed: running again
   *     cannot help. A consumer's exception comes through as thrown; pages handed over before stay
   *     handled
   */
  void openEntries(Instant since, String reasonContains, int pageSize, PageConsumer consumer)
      throws SinkException {
    String needle = reasonContains == null ? null : reasonContains.toLowerCase(Locale.ROOT);
    Set<String> done = closedEntries();
    List<OpenEntry> page = new ArrayList<>();
    tables.list(
        quarantine,
        Math.max(pageSize, 1),
        rows -> {
          for (Map<String, Object> r : rows) {
            OpenEntry e = entry(r);
            Instant at = e.context().receivedAt();
            if ((since != null && at.isBefore(since))
                || (needle != null && !e.entry().reason().toLowerCase(Locale.ROOT).contains(needle))
                || !done.add(id(e.entry().eventKey(), at))) {
              continue;
            }
            page.add(e);
            if (page.size() >= pageSize) {
              consumer.accept(List.copyOf(page));
              page.clear();
            }
          }
        });
    if (!page.isEmpty()) {
      consumer.accept(List.copyOf(page));
    }
  }

  /** The ids of the entries a resolution closes. */
  private Set<String> closedEntries() throws SinkException {
    Set<String> done = new HashSet<>();
    tables.list(
        Resolution.TABLE,
        PAGE_ROWS,
        rows -> {
          for (Map<String, Object> r : rows) {
            Object outcome = r.get("outcome");
            if (outcome != null
                && closes(outcome.toString())
                && r.get("received_at") instanceof Instant at) {
              done.add(id(r.get("entry_key"), at));
            }
          }
        });
    return done;
  }

  private OpenEntry entry(Map<String, Object> row) throws SinkException {
    try {
      return OpenEntry.fromColumns(row::get);
    } catch (IllegalArgumentException | ClassCastException bad) {
      throw SinkException.permanent(
          "a quarantine row of " + description + " is malformed: " + bad.getMessage(), bad);
    }
  }

  /** An entry's identity: its key and when it was received. */
  private static String id(Object eventKey, Instant receivedAt) {
    return eventKey + "@" + receivedAt;
  }

  private static boolean closes(String outcome) {
    try {
      return Resolution.Outcome.ofWireName(outcome).closes();
    } catch (IllegalArgumentException unknown) {
      return false; // a later release's outcome: leave the entry open
    }
  }
}
