package io.deezwatts.core.ingest;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a bulk and stores all of it: the one call every adapter makes (HTTP, Pub/Sub, Event Hubs,
 * the CLI). Thread-safe; create one per process or function instance.
 */
public final class IngestService {
  private static final System.Logger LOG = System.getLogger(IngestService.class.getName());

  /**
   * Told about each bulk after the sink has stored it, before the caller acknowledges it (such as
   * Connected Cars stream onboarding). It must return at once and never throw: work that may be
   * slow or fail belongs on its own thread, so that it can neither delay nor fail an
   * acknowledgement.
   */
  @FunctionalInterface
  public interface StoredListener {
    /** The bulk has been stored, rows and quarantine. */
    void stored(DecodedBulk bulk);
  }

  private final Sink sink;
  private final Map<String, BulkDecoder> decoders = new HashMap<>();
  private final StoredListener listener;

  public IngestService(Sink sink) {
    this(sink, Catalog.standard(), null);
  }

  public IngestService(Sink sink, Catalog catalog) {
    this(sink, catalog, null);
  }

  /** A service that tells {@code listener} (may be null: no one) about every stored bulk. */
  public IngestService(Sink sink, StoredListener listener) {
    this(sink, Catalog.standard(), listener);
  }

  /** A service that tells {@code listener} (may be null: no one) about every stored bulk. */
  public IngestService(Sink sink, Catalog catalog, StoredListener listener) {
    this.sink = sink;
    this.listener = listener;
    for (Feed f : catalog.feeds()) {
      decoders.put(f.name(), BulkDecoder.forFeed(catalog, f.name()));
    }
  }

  public Sink sink() {
    return sink;
  }

  /**
   * Decodes and stores one bulk. A bulk that does not decode is stored raw in quarantine and
   * reported as not accepted (HTTP 400; messages are acknowledged).
   *
   * @param feed {@code data-streams}, {@code legacy-push} or {@code viriciti}
   * @param deadline when the caller must answer; the sink stops retrying before it
   * @return the outcome, only after everything is stored
   * @throws SinkException when storing failed; nothing may be acknowledged, and {@link
   *     SinkException#isTransient()} says whether the sender should retry
   * @throws IllegalArgumentException for a feed the catalog does not know
   */
  public IngestOutcome ingest(String feed, byte[] body, IngestContext context, Instant deadline)
      throws SinkException {
    BulkDecoder decoder = decoders.get(feed);
    if (decoder == null) {
      throw new IllegalArgumentException(
          "unknown feed '" + feed + "'; known feeds: " + String.join(", ", decoders.keySet()));
    }
    DecodedBulk bulk;
    try {
      bulk = decoder.decode(body, context);
    } catch (BulkRejectedException e) {
      return reject(feed, body, context, e.getMessage(), deadline);
    }
    WriteResult written = sink.write(SinkBatch.of(bulk), deadline);
    if (listener != null) {
      try {
        listener.stored(bulk);
      } catch (RuntimeException e) {
        // The bulk is stored: a listener's bug must not turn its acknowledgement into a failure.
        LOG.log(System.Logger.Level.WARNING, "a stored-bulk listener failed: " + e);
      }
    }
    return new IngestOutcome(true, bulk.events(), bulk.quarantined(), null, written);
  }

  /**
   * Stores a body that cannot be a bulk (such as gzip that does not decompress) raw in quarantine,
   * exactly as received, and reports it as not accepted.
   *
   * @throws SinkException when storing failed; nothing may be acknowledged
   */
  public IngestOutcome reject(
      String feed, byte[] body, IngestContext context, String reason, Instant deadline)
      throws SinkException {
    WriteResult written = sink.write(SinkBatch.rejected(feed, body, context, reason), deadline);
    return new IngestOutcome(false, 0, List.of(), reason, written);
  }
}
