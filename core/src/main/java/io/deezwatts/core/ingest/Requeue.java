package io.deezwatts.core.ingest;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.Limits;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.OpenEntry;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

/**
 * Replays quarantine entries ({@code deezwatts requeue}): each open entry is decoded again with the
 * current catalog, rows that now pass are stored through {@link Sink#write} with the ingest columns
 * of first delivery (so their {@code event_key}s, partitions and dedup are what first delivery
 * would have made), and each entry's {@link Outcome} is appended to {@code quarantine_resolutions}.
 * Without {@link Options#apply()} nothing is written: the report predicts.
 *
 * <p>An event (or a row the warehouse refused, whose raw is the event) is decoded as a bulk of one;
 * a whole bulk kept raw is decoded as a bulk, gunzipped first when it is gzip (a body sent without
 * {@code Content-Encoding: gzip}). Entries of one delivery are written in one batch; when the
 * warehouse refuses some of a batch's rows, each entry is written again alone to tell whose they
 * were (harmless: the rows carry the same keys).
 *
 * <p>Rows are stored before resolutions: a run that stops between the two leaves the entries open,
 * and the next run stores the same keys again, which the sinks deduplicate.
 */
public final class Requeue {
  /** How long one page's writes may take, retries included. */
  private static final Duration WRITE_DEADLINE = Duration.ofMinutes(5);

  /**
   * What to requeue.
   *
   * @param since only entries received at or after this; null for all
   * @param reasonContains only entries whose reason contains this text, ignoring case; null for all
   * @param apply write rows and resolutions; false for a dry run that writes nothing
   * @param pageSize entries per page (per read and write)
   */
  public record Options(Instant since, String reasonContains, boolean apply, int pageSize) {
    public Options {
      if (pageSize < 1) {
        throw new IllegalArgumentException("pageSize must be at least 1, not " + pageSize);
      }
    }
  }

  /** Told after each page; must return quickly. */
  @FunctionalInterface
  public interface Progress {
    void page(RequeueReport soFar);
  }

  private final Sink sink;
  private final QuarantineStore store;
  private final Map<String, BulkDecoder> decoders = new HashMap<>();
  private final Clock clock;
  private final String runId;

  /**
   * @param sink where rows that now pass are stored
   * @param store the same sink's quarantine
   * @param catalog the catalog to decode with (the current one)
   */
  public Requeue(Sink sink, QuarantineStore store, Catalog catalog, Clock clock) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    for (Feed f : catalog.feeds()) {
      decoders.put(f.name(), BulkDecoder.forFeed(catalog, f.name()));
    }
    this.runId = UUID.randomUUID().toString();
  }

  /** This run's id, recorded on its resolutions. */
  public String runId() {
    return runId;
  }

  /**
   * Requeues every open entry the options select.
   *
   * @return the outcomes (predicted on a dry run)
   * @throws SinkException when reading the quarantine or a write failed: entries of pages before
   *     stay resolved, the rest stay open; {@link SinkException#isTransient()} says whether running
   *     again may help. {@code partial} holds the report so far.
   */
  public RequeueReport run(Options options, Progress progress, RequeueReport partial)
      throws SinkException {
    Set<String> made = new HashSet<>(); // entries this run quarantined anew: not requeued again
    store.openEntries(
        options.since(),
        options.reasonContains(),
        options.pageSize(),
        page -> {
          List<Decision> decisions = new ArrayList<>();
          for (OpenEntry e : page) {
            if (!made.contains(id(e.entry().eventKey(), e.context().receivedAt()))) {
              decisions.add(decide(e));
            }
          }
          if (options.apply()) {
            apply(decisions, made);
          }
          for (Decision d : decisions) {
            partial.add(d.outcome, d.reason, d.rowsStored());
          }
          progress.page(partial);
        });
    return partial;
  }

  /** A run with a fresh report and no progress display. */
  public RequeueReport run(Options options) throws SinkException {
    return run(options, r -> {}, new RequeueReport());
  }

  private static String id(String key, Instant receivedAt) {
    return key + "@" + receivedAt;
  }

  /** What to do with one entry: its rows, its new quarantine entries, its outcome so far. */
  private static final class Decision {
    final OpenEntry entry;
    final List<Row> rows;
    final List<QuarantineEntry> requarantined;
    Outcome outcome;
    String reason;
    long refused;

    Decision(
        OpenEntry entry,
        List<Row> rows,
        List<QuarantineEntry> requarantined,
        Outcome outcome,
        String reason) {
      this.entry = entry;
      this.rows = rows;
      this.requarantined = requarantined;
      this.outcome = outcome;
      this.reason = reason;
    }

    long rowsStored() {
      return rows.size() - refused;
    }

    boolean writes() {
      return !rows.isEmpty() || !requarantined.isEmpty();
    }
  }

  private Decision decide(OpenEntry open) {
    QuarantineEntry e = open.entry();
    BulkDecoder decoder = decoders.get(e.feed());
    if (decoder == null) {
      return stays(open, "the feed '" + e.feed() + "' is not in the catalog");
    }
    byte[] raw;
    try {
      raw = e.rawBytes();
    } catch (IllegalArgumentException bad) {
      return stays(open, "raw is not valid " + e.rawEncoding() + ": " + bad.getMessage());
    }
    if (open.wholeBulk()) {
      return bulk(open, decoder, raw);
    }
    byte[] body = raw;
    if (!"viriciti".equals(e.feed())) { // a Connected Cars bulk is an array of events
      body = new byte[raw.length + 2];
      body[0] = '[';
      System.arraycopy(raw, 0, body, 1, raw.length);
      body[body.length - 1] = ']';
    }
    DecodedBulk decoded;
    try {
      decoded = decoder.decode(body, open.context());
    } catch (BulkRejectedException rejected) {
      return stays(open, reindexed(rejected.getMessage(), e.eventIndex()));
    }
    if (decoded.rows().size() == 1 && decoded.quarantined().isEmpty()) {
      return new Decision(open, decoded.rows(), List.of(), Outcome.STORED, null);
    }
    if (decoded.quarantined().size() == 1 && decoded.rows().isEmpty()) {
      return stays(open, reindexed(decoded.quarantined().get(0).reason(), e.eventIndex()));
    }
    return stays(
        open,
        "decodes to "
            + decoded.rows().size()
            + " rows and "
            + decoded.quarantined().size()
            + " quarantined events, not one event");
  }

  private Decision bulk(OpenEntry open, BulkDecoder decoder, byte[] raw) {
    QuarantineEntry e = open.entry();
    if (e.rawLength() > raw.length) {
      return stays(
          open,
          "only the first "
              + raw.length
              + " of "
              + e.rawLength()
              + " bytes were kept; send the bulk again from its source");
    }
    byte[] body = raw;
    if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
      try {
        body = gunzip(raw);
      } catch (IOException notGzip) {
        return stays(open, "the bulk looks like gzip but is not: " + notGzip.getMessage());
      }
    }
    DecodedBulk decoded;
    try {
      decoded = decoder.decode(body, open.context());
    } catch (BulkRejectedException rejected) {
      return stays(open, rejected.getMessage());
    }
    List<QuarantineEntry> bad = decoded.quarantined().stream().map(QuarantineEntry::of).toList();
    return new Decision(
        open,
        decoded.rows(),
        bad,
        bad.isEmpty() ? Outcome.STORED : Outcome.PARTLY_STORED,
        bad.isEmpty() ? null : bad.size() + " of its events quarantined anew as events");
  }

  private static byte[] gunzip(byte[] raw) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      byte[] out = in.readNBytes(Limits.MAX_BODY_BYTES + 1);
      if (out.length > Limits.MAX_BODY_BYTES) {
        throw new IOException("it decompresses to more than " + Limits.MAX_BODY_BYTES + " bytes");
      }
      return out;
    }
  }

  private static Decision stays(OpenEntry open, String reason) {
    return new Decision(open, List.of(), List.of(), Outcome.STILL_QUARANTINED, reason);
  }

  /** A reason of a bulk of one names event 0: name the entry's index in its bulk instead. */
  static String reindexed(String reason, Integer index) {
    for (String word : new String[] {"event 0", "message 0"}) {
      if (reason.startsWith(word)) {
        String rest = reason.substring(word.length());
        String name = word.substring(0, word.indexOf(' '));
        return index == null ? "the " + name + rest : name + " " + index + rest;
      }
    }
    return reason;
  }

  /** Writes a page: rows per delivery, then every entry's resolution. */
  private void apply(List<Decision> decisions, Set<String> made) throws SinkException {
    Instant deadline = clock.instant().plus(WRITE_DEADLINE);
    Map<List<Object>, List<Decision>> byDelivery = new LinkedHashMap<>();
    for (Decision d : decisions) {
      if (d.writes()) {
        byDelivery
            .computeIfAbsent(
                List.of(d.entry.entry().feed(), d.entry.context()), k -> new ArrayList<>())
            .add(d);
      }
    }
    for (List<Decision> group : byDelivery.values()) {
      WriteResult result = write(group, deadline);
      if (result.movedToQuarantine() > 0) {
        if (group.size() == 1) {
          refused(group.get(0), result.movedToQuarantine());
        } else {
          for (Decision d : group) {
            long moved = write(List.of(d), deadline).movedToQuarantine();
            if (moved > 0) {
              refused(d, moved);
            }
          }
        }
      }
      for (Decision d : group) {
        for (QuarantineEntry q : d.requarantined) {
          made.add(id(q.eventKey(), d.entry.context().receivedAt()));
        }
      }
    }
    Instant now = clock.instant();
    List<Resolution> resolutions = new ArrayList<>();
    for (Decision d : decisions) {
      resolutions.add(
          new Resolution(
              d.entry.entry().eventKey(),
              d.entry.context().receivedAt(),
              now,
              d.outcome,
              d.reason,
              d.rowsStored(),
              runId));
    }
    if (!resolutions.isEmpty()) {
      store.resolve(resolutions, deadline);
    }
  }

  private WriteResult write(List<Decision> group, Instant deadline) throws SinkException {
    OpenEntry first = group.get(0).entry;
    List<Row> rows = new ArrayList<>();
    List<QuarantineEntry> quarantine = new ArrayList<>();
    for (Decision d : group) {
      rows.addAll(d.rows);
      quarantine.addAll(d.requarantined);
    }
    return sink.write(
        new SinkBatch(first.entry().feed(), first.context(), rows, quarantine), deadline);
  }

  /**
   * The warehouse refused {@code moved} of the entry's rows and the sink quarantined them, each as
   * an entry keyed by its row's key with this entry's {@code received_at}.
   */
  private static void refused(Decision d, long moved) {
    d.refused = Math.min(moved, d.rows.size());
    String why = moved + " row(s) refused by the warehouse; they are quarantined as rows";
    if (d.outcome == Outcome.PARTLY_STORED || d.rows.size() > 1) {
      d.outcome = Outcome.PARTLY_STORED;
      d.reason = d.reason == null ? why : d.reason + "; " + why;
    } else if (d.rows.get(0).eventKey().equals(d.entry.entry().eventKey())) {
      // A refused row refused again: the sink's new quarantine row is this very entry.
      d.outcome = Outcome.STILL_QUARANTINED;
      d.reason = "the warehouse refused the row again; see the newest quarantine row of this entry";
    } else {
      d.outcome = Outcome.REFUSED;
      d.reason =
          "the warehouse refused its row; it is quarantined as the row " + d.rows.get(0).eventKey();
    }
  }
}
