package io.deezwatts.core.decode;

/**
 * An event set aside because it breaks its feed's spec, with its raw JSON and the reason.
 *
 * @param feed the feed it came in on
 * @param index its index in the bulk
 * @param type its {@code type} value, or null when it had none
 * @param reason what is wrong, naming the event index and field
 * @param raw the event as received
 * @param eventKey a hash of the feed and the raw event, so that a re-sent bad event keeps its key
 */
public record QuarantinedEvent(
    String feed, int index, String type, String reason, RawJson raw, String eventKey) {}
