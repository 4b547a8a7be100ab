package io.deezwatts.core.ingest;

import io.deezwatts.core.decode.QuarantinedEvent;
import io.deezwatts.core.sink.WriteResult;
import java.util.List;

/**
 * How one bulk was ingested. Either way it has been stored (rows and quarantine), so the caller may
 * acknowledge it.
 *
 * @param accepted true when the bulk decoded; false when it was rejected whole and quarantined raw
 * @param events data events in the bulk (0 when rejected)
 * @param quarantined the events set aside, with reasons
 * @param error why the bulk was rejected, or null; short and safe to show the sender
 * @param written what the sink stored
 */
public record IngestOutcome(
    boolean accepted,
    int events,
    List<QuarantinedEvent> quarantined,
    String error,
    WriteResult written) {

  public IngestOutcome {
    quarantined = List.copyOf(quarantined);
  }
}
