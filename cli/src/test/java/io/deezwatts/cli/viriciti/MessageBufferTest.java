package io.deezwatts.cli.viriciti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageBufferTest {
  private static final long HOUR = 3_600_000_000_000L;

  private static MessageBuffer.Message msg(int bytes) {
    return new MessageBuffer.Message(new byte[bytes], Instant.now(), System.nanoTime());
  }

  @Test
  void aFullBatchIsDueAtOnceAndTheRestWaits() throws Exception {
    MessageBuffer b = new MessageBuffer(100);
    for (int i = 0; i < 7; i++) {
      assertTrue(b.add(msg(10)));
    }
    assertEquals(5, b.awaitBatch(5, HOUR, 1 << 20, HOUR).size());
    assertEquals(List.of(), b.awaitBatch(5, HOUR, 1 << 20, 1_000_000), "2 young messages wait");
    assertEquals(7, b.held(), "a batch counts until released");
    b.release(5);
    assertEquals(2, b.held());
  }

  @Test
  void anOldMessageIsDueBeforeTheBatchFills() throws Exception {
    MessageBuffer b = new MessageBuffer(100);
    b.add(msg(10));
    assertEquals(1, b.awaitBatch(500, 0, 1 << 20, HOUR).size());
  }

  @Test
  void batchesAreCutByBytesButTakeAtLeastOne() throws Exception {
    MessageBuffer b = new MessageBuffer(100);
    b.add(msg(60));
    b.add(msg(60));
    assertEquals(1, b.awaitBatch(10, 0, 100, HOUR).size());
    assertEquals(1, b.awaitBatch(10, 0, 10, HOUR).size());
  }

  @Test
  void fillingPausesAndReleasingResumesOnce() throws Exception {
    MessageBuffer b = new MessageBuffer(3);
    assertTrue(b.add(msg(1)));
    assertTrue(b.add(msg(1)));
    assertFalse(b.add(msg(1)), "the third fills it");
    assertTrue(b.isPaused());
    assertFalse(b.add(msg(1)), "a late message is still kept while paused");
    assertEquals(4, b.held());
    List<MessageBuffer.Message> batch = b.awaitBatch(2, HOUR, 1 << 20, HOUR);
    assertFalse(b.release(0), "taking a batch frees nothing until it is stored");
    assertTrue(b.release(batch.size()), "storing makes room: resume");
    assertFalse(b.isPaused());
    assertFalse(b.release(0));
  }

  @Test
  void closingHandsOutEverythingThenNull() throws Exception {
    MessageBuffer b = new MessageBuffer(10);
    b.add(msg(1));
    b.add(msg(1));
    b.close();
    assertEquals(2, b.awaitBatch(500, HOUR, 1 << 20, HOUR).size());
    b.release(2);
    assertNull(b.awaitBatch(500, HOUR, 1 << 20, HOUR));
  }

  @Test
  void closeWakesAWaitingWriter() throws Exception {
    MessageBuffer b = new MessageBuffer(10);
    Thread closer = new Thread(b::close);
    closer.start();
    assertNull(
        b.awaitBatch(500, HOUR, 1 << 20, HOUR), "returns as soon as closed, not after an hour");
    closer.join();
  }
}
