package io.deezwatts.cli.viriciti;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's timers under the test's control: time moves only by {@link #advance}, periodic tasks
 * (pings, the silence check) run only at {@link #tick}, and a delayed task (a reconnect) runs at
 * once with its delay recorded in {@link #delays}. Tasks run on one thread, as the real timer's.
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

  /** The delays of the delayed tasks, in order. */
  final List<Duration> delays = new CopyOnWriteArrayList<>();

  @Override
  public long nanoTime() {
    return now.get();
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

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  /** Runs the periodic tasks once, and returns when they have run. */
  void tick() throws Exception {
    runner
        .submit(() -> periodic.forEach(Runnable::run))
        .get(BridgeFixture.WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
