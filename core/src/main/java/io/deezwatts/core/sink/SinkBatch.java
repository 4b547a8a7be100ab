package io.deezwatts.core.sink;

import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.json.MetadataJson;
import java.util.List;

/**
 * What a sink stores in one write: a bulk's rows and its quarantine entries, all from one delivery.
 *
 * @param feed the feed the bulk came in on
 * @param context where and when it arrived; the quarantine rows take their ingest columns from it
 * @param rows rows for the feed's tables (they carry their own ingest columns)
 * @param quarantine entries for the {@code quarantine} table
 */
public record SinkBatch(
    String feed, IngestContext context, List<Row> rows, List<QuarantineEntry> quarantine) {

  public SinkBatch {
    rows = List.copyOf(rows);
    quarantine = List.copyOf(quarantine);
  }

  /** Everything a decoded bulk holds. */
  public static SinkBatch of(DecodedBulk bulk) {
    return new SinkBatch(
        bulk.feed(),
        bulk.context(),
        bulk.rows(),
        bulk.quarantined().stream().map(QuarantineEntry::of).toList());
  }

  /** A bulk that could not be decoded, kept whole in quarantine. */
  public static SinkBatch rejected(String feed, byte[] body, IngestContext context, String reason) {
    return new SinkBatch(
        feed, context, List.of(), List.of(QuarantineEntry.wholeBulk(feed, body, reason)));
  }

  /** The values of a quarantine row in {@code quarantine} table column order. */
  public Object[] quarantineValues(QuarantineEntry e) {
    return new Object[] {
      e.eventKey(),
      e.feed(),
      e.type(),
      e.eventIndex() == null ? null : e.eventIndex().longValue(),
      e.reason(),
      e.raw(),
      e.rawLength(),
      context.receivedAt(),
      context.source().wireName(),
      context.requestId(),
      context.messageId(),
      context.metadata().isEmpty() ? null : MetadataJson.of(context.metadata()),
      e.rawEncoding()
    };
  }
}
