package io.deezwatts.cli.replay;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress on stderr while a replay runs: a one-line bar redrawn ten times a second on a terminal
 * (as {@code ingest} draws its bar), otherwise a line every {@link #LINE_SECONDS} seconds, so that
 * a backfill running under nohup or in CI shows it is alive. Other messages go through {@link
 * #println}, which clears the bar first.
 */
final class ReplayProgress implements AutoCloseable {
  static final int LINE_SECONDS = 10;

  private final PrintWriter err;
  private final boolean terminal;
  private final long totalBytes;
  private final long started = System.nanoTime();
  private ScheduledExecutorService ticker;
  private ReplayStats stats;
  private LongSupplier bytesRead;
  private boolean drawn;

  /**
   * @param terminal draw a bar (stderr is a terminal) rather than print lines
   * @param totalBytes the size of all files, for the percentage
   */
  ReplayProgress(PrintWriter err, boolean terminal, long totalBytes) {
    this.err = err;
    this.terminal = terminal;
    this.totalBytes = totalBytes;
  }

  /** Starts showing progress of these stats; {@code bytesRead} counts all files read so far. */
  synchronized void start(ReplayStats stats, LongSupplier bytesRead) {
    this.stats = stats;
    this.bytesRead = bytesRead;
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "replay-progress");
              t.setDaemon(true);
              return t;
            });
    long period = terminal ? 100 : LINE_SECONDS * 1000L;
    ticker.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
  }

  private synchronized void tick() {
    double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
    long read = bytesRead.getAsLong();
    int percent = totalBytes == 0 ? 100 : (int) Math.min(100, 100 * read / totalBytes);
    long events = stats.eventsPublished.get();
    long messages = stats.messagesPublished.get();
    double mbPerSecond = stats.bytesPublished.get() / 1e6 / seconds;
    if (terminal) {
      int width = 20;
      int filled = width * percent / 100;
      err.printf(
          Locale.ROOT,
          "\r[%s%s] %3d%% %s, %d events in %d messages, %.1f MB/s ",
          "=".repeat(filled),
          " ".repeat(width - filled),
          percent,
          megabytes(totalBytes),
          events,
          messages,
          mbPerSecond);
      drawn = true;
    } else {
      err.printf(
          Locale.ROOT,
          "deezwatts: replay: %d%% of %s read; %d events in %d messages published, %.0f events/s,"
              + " %.1f MB/s%n",
          percent,
          megabytes(totalBytes),
          events,
          messages,
          events / seconds,
          mbPerSecond);
    }
    err.flush();
  }

  /** Prints a line of its own (clearing the bar first). */
  synchronized void println(String line) {
    clear();
    err.println(line);
    err.flush();
  }

  private void clear() {
    if (drawn) {
      err.print("\r" + " ".repeat(79) + "\r");
      drawn = false;
    }
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
    synchronized (this) {
      clear();
      err.flush();
    }
  }
}
