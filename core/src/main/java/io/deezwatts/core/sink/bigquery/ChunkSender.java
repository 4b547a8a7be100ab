package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.bigquery.AppendPolicy.Chunk;
import io.deezwatts.core.sink.bigquery.AppendPolicy.Refusal;
import io.deezwatts.core.sink.bigquery.AppendPolicy.Stopped;
import io.deezwatts.core.util.DaemonThreads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Sends the chunks of one write, at most {@code maxConcurrent} at a time, on a small pool of daemon
 * threads it owns (shut down by {@link #close()}); each chunk retries on its own through the {@link
 * AppendPolicy}. Once a chunk fails no further chunk starts and the chunks under way make no
 * further attempt (a request already sent is not cut short). With one chunk at a time the chunks go
 * out one after another on the caller's thread. Thread-safe.
 */
final class ChunkSender implements AutoCloseable {
  /** A signal that is never given: chunks sent one after another stop only by throwing. */
  private static final CountDownLatch NEVER = new CountDownLatch(1);

  private final AppendPolicy policy;
  private final int maxConcurrent;
  private final String description;

  /** Sends the chunks of writes; null when {@code maxConcurrent} is 1. */
  private final ExecutorService executor;

  ChunkSender(AppendPolicy policy, int maxConcurrent, String description) {
    this.policy = policy;
    this.maxConcurrent = maxConcurrent;
    this.description = description;
    this.executor = maxConcurrent > 1 ? newExecutor(maxConcurrent) : null;
  }

  /**
   * A pool of {@code size} daemon threads, started as needed and ended when idle for a minute. Each
   * write keeps at most that many chunks in it, so writes running side by side share the threads
   * rather than multiply them.
   */
  private static ExecutorService newExecutor(int size) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            size,
            size,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(),
            DaemonThreads.named("deezwatts-bigquery"));
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** How a chunk sent on the pool ended: refusals when stored, else a failure, else stopped. */
  private record Outcome(int index, List<Refusal> refusals, SinkException failure) {}

  /**
   * Sends chunks until each is stored or one fails; returns only when none is under way any more.
   *
   * @return each chunk's rows refused as invalid, in the order of the chunks
   * @throws SinkException when a chunk failed: the first permanent failure, else the first failure,
   *     with the other chunks' failures suppressed
   */
  List<List<Refusal>> sendAll(List<Chunk> chunks, Instant deadline) throws SinkException {
    List<List<Refusal>> results = new ArrayList<>(chunks.size());
    if (executor == null || chunks.size() == 1) {
      for (Chunk chunk : chunks) {
        try {
          results.add(policy.send(chunk, deadline, NEVER));
        } catch (Stopped e) {
          throw new IllegalStateException("a chunk sent alone was stopped", e);
        }
      }
      return results;
    }
    for (int i = 0; i < chunks.size(); i++) {
      results.add(null);
    }
    // Given once a chunk has failed, or the caller is interrupted: no chunk starts any more and
    // those under way make no further attempt.
    CountDownLatch stop = new CountDownLatch(1);
    BlockingQueue<Outcome> ended = new LinkedBlockingQueue<>();
    List<SinkException> failures = new ArrayList<>();
    boolean interrupted = false;
    int next = 0;
    int underWay = 0;
    while (true) {
      while (stop.getCount() > 0 && next < chunks.size() && underWay < maxConcurrent) {
        int index = next++;
        Chunk chunk = chunks.get(index);
        try {
          executor.execute(() -> ended.add(sendOnPool(index, chunk, deadline, stop)));
          underWay++;
        } catch (RejectedExecutionException e) {
          failures.add(
              SinkException.transientFailure(
                  description + " was closed during a write to " + chunk.table(), e));
          stop.countDown();
        }
      }
      if (underWay == 0) {
        break;
      }
      Outcome outcome;
      try {
        outcome = ended.take();
      } catch (InterruptedException e) {
        // Let the chunks under way end (a request already sent runs to its timeout), then throw;
        // the interrupt is restored below.
        interrupted = true;
        stop.countDown();
        continue;
      }
      underWay--;
      if (outcome.failure() != null) {
        failures.add(outcome.failure());
        stop.countDown();
      } else if (outcome.refusals() != null) {
        results.set(outcome.index(), outcome.refusals());
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    SinkException thrown = null;
    for (SinkException f : failures) {
      if (!f.isTransient()) {
        thrown = f;
        break;
      }
    }
    if (thrown == null && interrupted) {
      thrown =
          SinkException.transientFailure(
              "interrupted before every chunk of the write was stored",
              failures.isEmpty() ? null : failures.get(0));
    }
    if (thrown == null && !failures.isEmpty()) {
      thrown = failures.get(0);
    }
    if (thrown != null) {
      for (SinkException f : failures) {
        if (f != thrown && f != thrown.getCause()) {
          thrown.addSuppressed(f);
        }
      }
      throw thrown;
    }
    return results;
  }

  /** Sends one chunk on a pool thread; never throws. */
  private Outcome sendOnPool(int index, Chunk chunk, Instant deadline, CountDownLatch stop) {
    try {
      return new Outcome(index, policy.send(chunk, deadline, stop), null);
    } catch (Stopped e) {
      return new Outcome(index, null, null);
    } catch (SinkException e) {
      stop.countDown();
      return new Outcome(index, null, e);
    } catch (RuntimeException | Error e) {
      stop.countDown();
      return new Outcome(
          index,
          null,
          SinkException.permanent(
              "sending rows to " + chunk.table() + " failed: " + e.getClass().getName(), e));
    }
  }

  /** Shuts the pool down (chunks under way still end). Never fails. */
  @Override
  public void close() {
    if (executor != null) {
      executor.shutdown();
    }
  }
}
