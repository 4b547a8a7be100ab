package io.deezwatts.cli.viriciti;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The data messages received and not yet stored, between the socket's reader and the writer that
 * stores them in batches. It is bounded by {@code capacity} messages, counting those being written:
 * when an {@link #add} fills it, it says so and turns "paused", and the reader stops asking the
 * socket for more; {@link #release} un-pauses it once writes brought it down to three quarters.
 * Nothing is ever dropped: an add to a full buffer is still kept (at most a message or two arrive
 * after the pause, already requested from the socket). Thread-safe.
 */
final class MessageBuffer {
  /** One received message. */
  record Message(byte[] bytes, Instant receivedAt, long receivedNanos) {}

  private final int capacity;
  private final BridgeTimers clock;

  /** Reads resume once a full buffer is down to three quarters: no pause and resume per batch. */
  private final int resumeAt;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Message> pending = new ArrayDeque<>();
  private long pendingBytes;
  private int inFlight;
  private boolean paused;
  private boolean closed;

  /**
   * @param capacity how many messages it holds before it pauses reads; at least 1
   * @throws IllegalArgumentException when capacity is below 1
   */
  MessageBuffer(int capacity) {
    this(capacity, BridgeTimers.system());
  }

  /**
   * @param clock the clock that says when a batch is due ({@link Message#receivedNanos} is on it)
   * @throws IllegalArgumentException when capacity is below 1
   */
  MessageBuffer(int capacity, BridgeTimers clock) {
    this.clock = clock;
    if (capacity < 1) {
      throw new IllegalArgumentException("the buffer must hold at least 1 message");
    }
    this.capacity = capacity;
    this.resumeAt = capacity - Math.max(1, capacity / 4);
  }

  /**
   * Keeps a message.
   *
   * @return true when there is room for more; false when the buffer is now full and paused, and the
   *     caller must stop reading until {@link #release} returns true
   */
  boolean add(Message m) {
    lock.lock();
    try {
      pending.addLast(m);
      pendingBytes += m.bytes().length;
      changed.signalAll();
      if (pending.size() + inFlight >= capacity) {
        paused = true;
        return false;
      }
      return !paused;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until a batch is due and takes it: {@code batchSize} messages are waiting, the oldest has
   * waited {@code flushNanos}, or the buffer was closed (then whatever is left is due at once). The
   * batch counts as held until {@link #release}d.
   *
   * @param maxBytes a batch is also cut when its messages reach this many bytes (at least one
   *     message is always taken)
   * @return the batch, or an empty list when {@code maxWaitNanos} passed first, or null when the
   *     buffer is closed and empty
   * @throws InterruptedException when interrupted while waiting
   */
  List<Message> awaitBatch(int batchSize, long flushNanos, long maxBytes, long maxWaitNanos)
      throws InterruptedException {
    long deadline = clock.nanoTime() + maxWaitNanos;
    lock.lock();
    try {
      while (true) {
        if (pending.isEmpty()) {
          if (closed) {
            return null;
          }
        } else {
          long now = clock.nanoTime();
          long due = pending.peekFirst().receivedNanos() + flushNanos;
          if (closed || pending.size() >= batchSize || now - due >= 0) {
            return take(batchSize, maxBytes);
          }
          if (due - deadline < 0) {
            clock.awaitUntil(lock, changed, due);
            continue;
          }
        }
        if (deadline - clock.nanoTime() <= 0) {
          return List.of();
        }
        clock.awaitUntil(lock, changed, deadline);
      }
    } finally {
      lock.unlock();
    }
  }

  private List<Message> take(int batchSize, long maxBytes) {
    List<Message> batch = new ArrayList<>(Math.min(batchSize, pending.size()));
    long bytes = 0;
    while (!pending.isEmpty() && batch.size() < batchSize) {
      Message m = pending.peekFirst();
      if (!batch.isEmpty() && bytes + m.bytes().length > maxBytes) {
        break;
      }
      pending.removeFirst();
      pendingBytes -= m.bytes().length;
      bytes += m.bytes().length;
      batch.add(m);
    }
    inFlight += batch.size();
    return batch;
  }

  /**
   * Forgets a batch taken by {@link #awaitBatch}, once it is stored (or given up at shutdown).
   *
   * @return true when this un-paused the buffer: the caller must ask the socket for more
   */
  boolean release(int messages) {
    lock.lock();
    try {
      inFlight -= messages;
      changed.signalAll();
      if (paused && pending.size() + inFlight <= resumeAt) {
        paused = false;
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** After this, {@link #awaitBatch} hands out everything left at once, then returns null. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Whether reads are paused because the buffer is full. */
  boolean isPaused() {
    lock.lock();
    try {
      return paused;
    } finally {
      lock.unlock();
    }
  }

  /** Messages held: waiting plus being written. */
  int held() {
    lock.lock();
    try {
      return pending.size() + inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** Bytes of the messages waiting (not those being written). */
  long pendingBytes() {
    lock.lock();
    try {
      return pendingBytes;
    } finally {
      lock.unlock();
    }
  }

  int capacity() {
    return capacity;
  }
}
