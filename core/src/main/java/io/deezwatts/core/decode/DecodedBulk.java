package io.deezwatts.core.decode;

import java.util.List;

/**
 * What a bulk decoded into: a row for every valid event and a quarantine entry for every other.
 * Every event of the bulk is in exactly one of the two.
 *
 * @param feed the feed's name
 * @param context where and when the bulk arrived
 * @param events how many data events the bulk held (control messages not counted)
 * @param rows the events stored as rows, in bulk order
 * @param quarantined the events set aside, in bulk order
 * @param control messages that are not data (ViriCiti only)
 */
public record DecodedBulk(
    String feed,
    IngestContext context,
    int events,
    List<Row> rows,
    List<QuarantinedEvent> quarantined,
    List<ControlMessage> control) {

  public DecodedBulk {
    rows = List.copyOf(rows);
    quarantined = List.copyOf(quarantined);
    control = List.copyOf(control);
  }
}
