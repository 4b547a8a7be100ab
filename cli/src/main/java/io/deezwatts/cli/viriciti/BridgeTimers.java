package io.deezwatts.cli.viriciti;

import io.deezwatts.core.util.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;

/**
 * The bridge's clock and timers: when the socket last heard the server, when to ping, when to
 * reconnect, when a batch is due, how long a write retry waits. {@link #system()} in production;
 * tests pass their own, whose time moves and whose periodic tasks run only when the test says, so
 * that they wait on events rather than on wall time.
 */
interface BridgeTimers {
  /** Now, in nanoseconds from an arbitrary origin (as {@link System#nanoTime()}). */
  long nanoTime();

  /**
   * Waits on {@code condition}, whose {@code lock} the caller holds, until it is signalled or this
   * clock reaches {@code deadlineNanos}. May return early: callers wait in a loop.
   *
   * @throws InterruptedException when interrupted while waiting
   */
  void awaitUntil(Lock lock, Condition condition, long deadlineNanos) throws InterruptedException;

  /** Runs {@code task} soon, on the timer thread. */
  void execute(Runnable task);

  /**
   * Runs {@code task} after {@code delay}.
   *
   * @throws RejectedExecutionException after {@link #shutdown()}
   */
  void after(Duration delay, Runnable task);

  /** Runs {@code task} every {@code period}, the first time one period from now. */
  void every(Duration period, Runnable task);

  /** Cancels what is scheduled; what runs is interrupted. */
  void shutdown();

  /** The system clock and one daemon timer thread. */
  static BridgeTimers system() {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("viriciti-bridge-timer"));
    return new BridgeTimers() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void awaitUntil(Lock lock, Condition condition, long deadlineNanos)
          throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
          condition.awaitNanos(left);
        }
      }

      @Override
      public void execute(Runnable task) {
        scheduler.execute(task);
      }

      @Override
      public void after(Duration delay, Runnable task) {
        scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      }

      @Override
      public void every(Duration period, Runnable task) {
        long p = period.toNanos();
        scheduler.scheduleAtFixedRate(task, p, p, TimeUnit.NANOSECONDS);
      }

      @Override
      public void shutdown() {
        scheduler.shutdownNow();
      }
    };
  }
}
