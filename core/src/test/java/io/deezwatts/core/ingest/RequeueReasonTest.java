package io.deezwatts.core.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A reason from decoding an entry alone names the entry's index in its bulk. */
class RequeueReasonTest {
  @Test
  void theIndexIsTheEntrysNotZero() {
    assertEquals(
        "event 17 (gps): field 'lat' is missing",
        Requeue.reindexed("event 0 (gps): field 'lat' is missing", 17));
    assertEquals(
        "message 4 has the unknown type 'x'",
        Requeue.reindexed("message 0 has the unknown type 'x'", 4));
    assertEquals(
        "the event (gps): field 'lat' is missing",
        Requeue.reindexed("event 0 (gps): field 'lat' is missing", null));
    assertEquals("the body is empty", Requeue.reindexed("the body is empty", 3));
  }
}
