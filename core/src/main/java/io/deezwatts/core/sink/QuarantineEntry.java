package io.deezwatts.core.sink;

import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.json.Murmur3;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One row of the {@code quarantine} table, without the ingest columns its batch supplies.
 *
 * @param eventKey hash of the feed and the raw bytes, so a re-sent bad event or bulk keeps it
 * @param feed the feed it came in on
 * @param type its {@code type}, or null
 * @param eventIndex its index in the bulk, or null when the whole bulk is quarantined
 * @param reason why, naming the event index and field
 * @param raw the raw bytes (the first {@link #MAX_RAW_BYTES} of a whole bulk): the text itself when
 *     they are UTF-8, else their base64
 * @param rawLength the length in bytes of what was received, before any truncation
 * @param rawEncoding {@link #TEXT} or {@link #BASE64}: how {@code raw} holds the bytes
 */
public record QuarantineEntry(
    String eventKey,
    String feed,
    String type,
    Integer eventIndex,
    String reason,
    String raw,
    long rawLength,
    String rawEncoding) {

  /** A whole bulk is kept up to 10 MiB; past that, its first 10 MiB and its length. */
  public static final int MAX_RAW_BYTES = 10 * 1024 * 1024;

  /** {@code raw} is the received UTF-8 text. */
  public static final String TEXT = "text";

  /** {@code raw} is the base64 of received bytes that were not UTF-8. */
  public static final String BASE64 = "base64";

  /** The entry for an event the decoder set aside. */
  public static QuarantineEntry of(QuarantinedEvent e) {
    byte[] bytes = e.raw().toBytes();
    return new QuarantineEntry(
        e.eventKey(),
        e.feed(),
        e.type(),
        e.index(),
        e.reason(),
        utf8(bytes, bytes.length) ? e.raw().toString() : base64(bytes, bytes.length),
        e.raw().receivedLength(),
        utf8(bytes, bytes.length) ? TEXT : BASE64);
  }

  /**
   * The entry for a bulk that could not be decoded at all, its bytes kept exactly: as text when
   * they are UTF-8, else as base64 (a gzip body, Latin-1, UTF-16), so a replay sends the same
   * bytes.
   */
  public static QuarantineEntry wholeBulk(String feed, byte[] body, String reason) {
    byte[] keyed = ("bulk\0" + feed + "\0").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[keyed.length + body.length];
    System.arraycopy(keyed, 0, all, 0, keyed.length);
    System.arraycopy(body, 0, all, keyed.length, body.length);
    int kept = Math.min(body.length, MAX_RAW_BYTES);
    boolean text = utf8(body, kept);
    return new QuarantineEntry(
        Murmur3.hash128Hex(all, 0, all.length, 0),
        feed,
        null,
        null,
        reason,
        text ? new String(body, 0, kept, StandardCharsets.UTF_8) : base64(body, kept),
        body.length,
        text ? TEXT : BASE64);
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
        payload.getBytes(StandardCharsets.UTF_8).length,
        TEXT);
  }

  /** The bytes that were received (up to {@link #MAX_RAW_BYTES}), decoded from {@code raw}. */
  public byte[] rawBytes() {
    return BASE64.equals(rawEncoding)
        ? Base64.getDecoder().decode(raw)
        : raw.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean utf8(byte[] bytes, int length) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String base64(byte[] bytes, int length) {
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(bytes, length));
  }
}
