package io.deezwatts.core.sink;

/**
 * What a successful write stored.
 *
 * @param rowsStored rows newly stored (or, where the sink cannot tell duplicates apart, sent)
 * @param duplicatesSkipped rows already present by event key and left alone; -1 when the sink
 *     cannot tell (BigQuery: its {@code _dedup} views remove them at query time)
 * @param quarantined quarantine rows stored, including rows the sink moved there
 * @param movedToQuarantine rows the warehouse refused and the sink quarantined instead
 */
public record WriteResult(
    long rowsStored, long duplicatesSkipped, long quarantined, long movedToQuarantine) {}
