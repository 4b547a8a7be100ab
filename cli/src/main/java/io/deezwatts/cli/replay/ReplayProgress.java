package io.deezwatts.cli.replay;

import io.deezwatts.cli.ProgressBar;
import io.deezwatts.core.util.DaemonThreads;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress on stderr while a replay runs, on the command line's {@link ProgressBar}: the bar
 * redrawn ten times a second on a terminal, otherwise a line every {@link #LINE_SECONDS} seconds,
 * so that a backfill running under nohup or in CI shows it is alive. Other messages go through
 * {@link #println}, which clears the bar first.
 */
final class ReplayProgress implements AutoCloseable {
  static final int LINE_SECONDS = 10;

  private final ProgressBar bar;
  private final long totalBytes;
  private final long started = System.nanoTime();
  private ScheduledExecutorService ticker;
  private ReplayStats stats;
  private LongSupplier bytesRead;

  /**
   * @param terminal draw a bar (stderr is a terminal) rather than print lines
   * @param totalBytes the size of all files, for the percentage
   */
  ReplayProgress(PrintWriter err, boolean terminal, long totalBytes) {
    this.bar = new ProgressBar(err, terminal);
    this.totalBytes = totalBytes;
  }

  /** Starts showing progress of these stats; {@code bytesRead} counts all files read so far. */
  synchronized void start(ReplayStats stats, LongSupplier bytesRead) {
    this.stats = stats;
    this.bytesRead = bytesRead;
    ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("replay-progress"));
    long period = bar.terminal() ? ProgressBar.REDRAW_NANOS / 1_000_000 : LINE_SECONDS * 1000L;
    ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  private synchronized void tick() {
    double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
    long read = bytesRead.getAsLong();
    int percent = totalBytes == 0 ? 100 : (int) Math.min(100, 100 * read / totalBytes);
    long events = stats.eventsPublished.get();
    long messages = stats.messagesPublished.get();
    double mbPerSecond = stats.bytesPublished.get() / 1e6 / seconds;
    bar.update(
        percent / 100.0,
        String.format(
            Locale.ROOT,
            "%3d%% %s, %d events in %d messages, %.1f MB/s",
            percent,
            megabytes(totalBytes),
            events,
            messages,
            mbPerSecond),
        String.format(
            Locale.ROOT,
            "deezwatts: replay: %d%% of %s read; %d events in %d messages published, %.0f events/s,"
                + " %.1f MB/s",
            percent,
            megabytes(totalBytes),
            events,
            messages,
            events / seconds,
            mbPerSecond));
  }

  /** Prints a line of its own (clearing the bar first). */
  void println(String line) {
    bar.println(line);
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, bytes < 10_000_000 ? "%.1f MB" : "%.0f MB", bytes / 1e6);
  }

  /** Stops the display and clears the bar. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = ticker;
    }
    if (t != null) {
      t.shutdownNow();
      try {
        t.awaitTermination(1, TimeUnit.SECONDS); // a tick in progress would redraw the bar
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    bar.clear();
  }
}
