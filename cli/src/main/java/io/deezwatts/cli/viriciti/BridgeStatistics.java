package io.deezwatts.cli.viriciti;

import io.deezwatts.core.sink.WriteResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the bridge has done so far, counted as it happens; for logs, tests and the benchmark. It has
 * a lock of its own, so counting never waits on the socket's or the writer's state, and waiting for
 * a count ({@link #await}) wakes on every change. Thread-safe.
 */
final class BridgeStatistics {
  /** A copy of the counts, with what the buffer holds at that moment. */
  record Stats(
      long connections,
      long subscriptionsSent,
      long echoesConfirmed,
      long echoMismatches,
      long echoTimeouts,
      long serverErrors,
      long aclAnswers,
      long messagesReceived,
      long messagesStored,
      long rowsStored,
      long duplicatesSkipped,
      long quarantined,
      long writeFailures,
      long pauses,
      long silentSockets,
      int held,
      boolean paused) {}

  private final MessageBuffer buffer;

  private long connections;
  private long subscriptionsSent;
  private long echoesConfirmed;
  private long echoMismatches;
  private long echoTimeouts;
  private long serverErrors;
  private long aclAnswers;
  private long messagesReceived;
  private long messagesStored;
  private long rowsStored;
  private long duplicatesSkipped;
  private long quarantined;
  private long writeFailures;
  private long pauses;
  private long silentSockets;

  /** Counts for a bridge reading into {@code buffer} (whose held count and pause it reports). */
  BridgeStatistics(MessageBuffer buffer) {
    this.buffer = buffer;
  }

  /** A connection opened and the subscription was sent on it. */
  synchronized void connected() {
    connections++;
    subscriptionsSent++;
    notifyAll();
  }

  /** The server echoed the subscription: the same one ({@code same}) or another. */
  synchronized void echoed(boolean same) {
    if (same) {
      echoesConfirmed++;
    } else {
      echoMismatches++;
    }
    notifyAll();
  }

  synchronized void echoTimedOut() {
    echoTimeouts++;
    notifyAll();
  }

  synchronized void serverError() {
    serverErrors++;
    notifyAll();
  }

  synchronized void aclAnswered() {
    aclAnswers++;
    notifyAll();
  }

  /** A data message was put in the buffer. */
  synchronized void received() {
    messagesReceived++;
    notifyAll();
  }

  /** Reads from the socket paused: the buffer is full. */
  synchronized void paused() {
    pauses++;
    notifyAll();
  }

  /** A socket was dropped for its silence. */
  synchronized void silentSocket() {
    silentSockets++;
    notifyAll();
  }

  /** A batch of {@code messages} was stored with result {@code r}. */
  synchronized void stored(int messages, WriteResult r) {
    messagesStored += messages;
    rowsStored += r.rowsStored();
    duplicatesSkipped += Math.max(0, r.duplicatesSkipped());
    quarantined += r.quarantined();
    notifyAll();
  }

  synchronized void writeFailed() {
    writeFailures++;
    notifyAll();
  }

  /** Something a waiter may read changed elsewhere (the buffer, the connection): wakes waiters. */
  synchronized void changed() {
    notifyAll();
  }

  synchronized Stats snapshot() {
    return new Stats(
        connections,
        subscriptionsSent,
        echoesConfirmed,
        echoMismatches,
        echoTimeouts,
        serverErrors,
        aclAnswers,
        messagesReceived,
        messagesStored,
        rowsStored,
        duplicatesSkipped,
        quarantined,
        writeFailures,
        pauses,
        silentSockets,
        buffer.held(),
        buffer.isPaused());
  }

  /**
   * Waits until the counts satisfy a condition.
   *
   * @return whether they did before the timeout
   * @throws InterruptedException when interrupted while waiting
   */
  synchronized boolean await(Predicate<Stats> condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(snapshot())) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
