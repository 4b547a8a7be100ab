package io.deezwatts.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The one progress display of the command line, on stderr: on a terminal a bar and a short text
 * redrawn in place ({@code [===== ] text}), otherwise plain lines, or nothing. Messages of their
 * own go through {@link #println}, which clears the bar first. Thread-safe.
 */
public final class ProgressBar implements AutoCloseable {
  /** The least time between redraws of the bar. */
  public static final long REDRAW_NANOS = 100_000_000L;

  private static final int WIDTH = 24;

  private final PrintWriter err;
  private final boolean terminal;
  private long lastDraw;
  private boolean drawn;

  /**
   * @param terminal stderr is a terminal: draw the bar (else {@link #update} prints its line, if
   *     any)
   */
  public ProgressBar(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** A display for this process's stderr: a bar when the process has a console. */
  public static ProgressBar onConsole(PrintWriter err) {
    return new ProgressBar(err, System.console() != null);
  }

  public boolean terminal() {
    return terminal;
  }

  /** Whether a redraw now would come {@link #REDRAW_NANOS} after the last one. */
  public synchronized boolean due() {
    return System.nanoTime() - lastDraw >= REDRAW_NANOS;
  }

  /**
   * Shows progress: on a terminal, the bar filled to {@code fraction} (0 to 1) followed by {@code
   * text}; otherwise {@code line} on a line of its own, or nothing when it is null.
   */
  public synchronized void update(double fraction, String text, String line) {
    lastDraw = System.nanoTime();
    if (terminal) {
      int filled = (int) (WIDTH * Math.max(0, Math.min(1, fraction)));
      err.printf(Locale.ROOT, "\r[%s%s] %s ", "=".repeat(filled), " ".repeat(WIDTH - filled), text);
      drawn = true;
    } else if (line != null) {
      err.println(line);
    } else {
      return;
    }
    err.flush();
  }

  /** Prints a line of its own, clearing the bar first. */
  public synchronized void println(String line) {
    clear();
    err.println(line);
    err.flush();
  }

  /** Clears the bar, if drawn. */
  public synchronized void clear() {
    if (drawn) {
      err.print("\r" + " ".repeat(79) + "\r");
      err.flush();
      drawn = false;
    }
  }

  @Override
  public void close() {
    clear();
  }
}
