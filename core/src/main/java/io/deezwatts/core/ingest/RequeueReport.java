package io.deezwatts.core.ingest;

import io.deezwatts.core.sink.Resolution.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** What a requeue did (or, on a dry run, would do): entries by outcome and the reasons left. */
public final class RequeueReport {
  private static final Pattern INDEX = Pattern.compile("^(event|message) \\d+");

  private final Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
  private final Map<String, Long> reasons = new HashMap<>();
  private long entries;
  private long rowsStored;

  /**
   * A report rebuilt from its figures, as read back from another process that ran the requeue.
   *
   * @param byOutcome entries per outcome
   * @param reasons reasons (already with {@code N} for the index) and their counts
   */
  public static RequeueReport of(
      Map<Outcome, Long> byOutcome, long rowsStored, Map<String, Long> reasons) {
    RequeueReport r = new RequeueReport();
    r.byOutcome.putAll(byOutcome);
    r.reasons.putAll(reasons);
    r.entries = byOutcome.values().stream().mapToLong(Long::longValue).sum();
    r.rowsStored = rowsStored;
    return r;
  }

  synchronized void add(Outcome outcome, String reason, long rows) {
    entries++;
    rowsStored += rows;
    byOutcome.merge(outcome, 1L, Long::sum);
    if (!outcome.closes() || outcome == Outcome.REFUSED) {
      reasons.merge(
          INDEX.matcher(reason == null ? "" : reason).replaceFirst("$1 N"), 1L, Long::sum);
    }
  }

  /** Entries looked at. */
  public synchronized long entries() {
    return entries;
  }

  /** Rows stored (a dry run: rows that would be). */
  public synchronized long rowsStored() {
    return rowsStored;
  }

  /** Entries with this outcome. */
  public synchronized long count(Outcome outcome) {
    return byOutcome.getOrDefault(outcome, 0L);
  }

  /** Entries that stay open or were refused: still quarantined or refused. */
  public synchronized long unresolved() {
    return count(Outcome.STILL_QUARANTINED) + count(Outcome.REFUSED);
  }

  /**
   * The most frequent reasons of entries still quarantined or refused, most first, with the event
   * index replaced by {@code N} so that equal problems count together.
   */
  public synchronized List<Map.Entry<String, Long>> topReasons(int limit) {
    List<Map.Entry<String, Long>> all = new ArrayList<>(reasons.entrySet());
    all.sort(
        Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()));
    return List.copyOf(all.subList(0, Math.min(limit, all.size())));
  }
}
