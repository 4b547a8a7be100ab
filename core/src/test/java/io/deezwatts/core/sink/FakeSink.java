package io.deezwatts.core.sink;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A small in-memory fake of our own {@link Sink} port for the endpoints' tests: it records the
 * batches it is asked to store, or fails as a test tells it, so every outcome can be produced on
 * demand.
 */
public final class FakeSink implements Sink {
  /** What was stored, in order. */
  public final List<SinkBatch> batches = new ArrayList<>();

  /** The deadline of the last write. */
  public Instant lastDeadline;

  /** Thrown by every write while set. */
  public SinkException failWith;

  /** Thrown by every write while set (and {@link #failWith} is not): a bug below the caller. */
  public RuntimeException crashWith;

  private final Deque<Exception> next = new ArrayDeque<>();

  /** Makes the next write not yet told otherwise throw {@code e}. */
  public FakeSink failNext(SinkException e) {
    next.add(e);
    return this;
  }

  /** Makes the next write not yet told otherwise throw {@code e}. */
  public FakeSink crashNext(RuntimeException e) {
    next.add(e);
    return this;
  }

  @Override
  public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
    lastDeadline = deadline;
    if (failWith != null) {
      throw failWith;
    }
    if (crashWith != null) {
      throw crashWith;
    }
    Exception e = next.poll();
    if (e instanceof SinkException s) {
      throw s;
    }
    if (e != null) {
      throw (RuntimeException) e;
    }
    batches.add(batch);
    return new WriteResult(batch.rows().size(), 0, batch.quarantine().size(), 0);
  }

  @Override
  public String describe() {
    return "fake";
  }

  @Override
  public void close() {}
}
