package io.deezwatts.core.sink;

import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.json.Murmur3;
import java.nio.charset.StandardCharsets;

/**
 * One row of the {@code quarantine} table, without the ingest columns its batch supplies.
 *
 * @param eventKey hash of the feed and the raw bytes, so a re-sent bad event or bulk keeps it
 * @param feed the feed it came in on
 * @param type its {@code type}, or null
 * @param eventIndex its index in the bulk, or null when the whole bulk is quarantined
 * @param reason why, naming the event index and field
 * @param raw the raw JSON (the first {@link #MAX_RAW_BYTES} of a whole bulk)
 * @param rawLength the length in bytes of what was received, before any truncation
 */
public record QuarantineEntry(
    String eventKey,
    String feed,
    String type,
    Integer eventIndex,
    String reason,
    String raw,
    long rawLength) {

  /** A whole bulk is kept up to 10 MiB; past that, its first 10 MiB and its length. */
  public static final int MAX_RAW_BYTES = 10 * 1024 * 1024;

  /** The entry for an event the decoder set aside. */
  public static QuarantineEntry of(QuarantinedEvent e) {
    return new QuarantineEntry(
        e.eventKey(),
        e.feed(),
        e.type(),
        e.index(),
        e.reason(),
        e.raw().toString(),
        e.raw().receivedLength());
  }

  /** The entry for a bulk that could not be decoded at all. */
  public static QuarantineEntry wholeBulk(String feed, byte[] body, String reason) {
    byte[] keyed = ("bulk\0" + feed + "\0").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[keyed.length + body.length];
    System.arraycopy(keyed, 0, all, 0, keyed.length);
    System.arraycopy(body, 0, all, keyed.length, body.length);
    int kept = Math.min(body.length, MAX_RAW_BYTES);
    return new QuarantineEntry(
        Murmur3.hash128Hex(all, 0, all.length, 0),
        feed,
        null,
        null,
        reason,
        new String(body, 0, kept, StandardCharsets.UTF_8),
        body.length);
  }

  /** An event a sink moved here because the warehouse refused its row. */
  public static QuarantineEntry refusedRow(
      String feed, String type, String eventKey, String payload, String reason) {
    return new QuarantineEntry(
        eventKey,
        feed,
        type,
        null,
        reason,
        payload,
        payload.getBytes(StandardCharsets.UTF_8).length);
  }
}
