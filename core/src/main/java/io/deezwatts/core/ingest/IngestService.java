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
  private final Sink sink;
  private final Map<String, BulkDecoder> decoders = new HashMap<>();

  public IngestService(Sink sink) {
    this(sink, Catalog.standard());
  }

  public IngestService(Sink sink, Catalog catalog) {
    this.sink = sink;
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
      WriteResult written =
          sink.write(SinkBatch.rejected(feed, body, context, e.getMessage()), deadline);
      return new IngestOutcome(false, 0, List.of(), e.getMessage(), written);
    }
    WriteResult written = sink.write(SinkBatch.of(bulk), deadline);
    return new IngestOutcome(true, bulk.events(), bulk.quarantined(), null, written);
  }
}
