package io.deezwatts.cli.viriciti;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The bridge's timers under the test's control: time moves only by {@link #advance}, which wakes
 * what waits on the clock (a batch's flush, a write retry); periodic tasks (pings, the silence
 * check) run only at {@link #tick}; a delayed task (a reconnect) runs at once with its delay
 * recorded in {@link #delays}. Tasks run on one thread, as the real timer's.
 */
final class ManualTimers implements BridgeTimers {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<Runnable> periodic = new CopyOnWriteArrayList<>();
  private final ExecutorService runner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "manual-bridge-timer");
            t.setDaemon(true);
            return t;
          });

  private record Waiter(Lock lock, Condition condition) {}

  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();

  /** The delays of the delayed tasks, in order. */
  final List<Duration> delays = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return now.get();
  }

  @Override
  public void awaitUntil(Lock lock, Condition condition, long deadlineNanos)
      throws InterruptedException {
    Waiter w = new Waiter(lock, condition);
    if (!waiters.contains(w)) {
      waiters.add(w);
    }
    // Registered before the clock is read, under the caller's lock: advance() cannot slip between.
    if (deadlineNanos - now.get() > 0) {
      condition.await();
    }
  }

  @Override
  public void execute(Runnable task) {
    runner.execute(task);
  }

  @Override
  public void after(Duration delay, Runnable task) {
    delays.add(delay);
    runner.execute(task);
  }

  @Override
  public void every(Duration period, Runnable task) {
    periodic.add(task);
  }

  @Override
  public void shutdown() {
    runner.shutdownNow();
  }

  /** Moves the clock on and wakes whatever waits on it. */
  void advance(Duration d) {
    now.addAndGet(d.toNanos());
    for (Waiter w : waiters) {
      w.lock().lock();
      try {
        w.condition().signalAll();
      } finally {
        w.lock().unlock();
      }
    }
  }

  /** Runs the periodic tasks once, and returns when they have run. */
  void tick() throws Exception {
    runner
        .submit(() -> periodic.forEach(Runnable::run))
        .get(BridgeFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
