package io.deezwatts.cli.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** What a replay did so far; updated by the reading thread and the publishers' callback threads. */
final class ReplayStats {
  /** Failures beyond this many are counted, not kept or printed one by one. */
  static final int KEPT_FAILURES = 20;

  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong bulksRead = new AtomicLong();
  final AtomicLong eventsRead = new AtomicLong();
  final AtomicLong messagesPublished = new AtomicLong();
  final AtomicLong eventsPublished = new AtomicLong();
  final AtomicLong bytesPublished = new AtomicLong();
  final AtomicLong messagesFailed = new AtomicLong();
  final AtomicLong eventsFailed = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> abort = new AtomicReference<>();
  private final List<String> kept = new ArrayList<>();
  private final Consumer<String> report;

  /**
   * @param report told each of the first {@link #KEPT_FAILURES} failures as it happens (stderr)
   */
  ReplayStats(Consumer<String> report) {
    this.report = report;
  }

  void published(Piece piece) {
    messagesPublished.incrementAndGet();
    eventsPublished.addAndGet(piece.events());
    bytesPublished.addAndGet(piece.body().length);
  }

  /** A message that was not published (after the client's own retries). */
  void publishFailed(Piece piece, String reason) {
    messagesFailed.incrementAndGet();
    eventsFailed.addAndGet(piece.events());
    failure(piece.where() + ": not published: " + reason, 0);
  }

  /**
   * Something not published: an event too large, the rest of a bad file.
   *
   * @param events the events it held, when known
   */
  void failure(String message, int events) {
    eventsFailed.addAndGet(events);
    long n = failures.incrementAndGet();
    if (n <= KEPT_FAILURES) {
      synchronized (kept) {
        kept.add(message);
      }
      report.accept(message);
    } else if (n == KEPT_FAILURES + 1) {
      report.accept("further failures are counted, not listed");
    }
  }

  /** Stops the replay: a failure every further publish would get too (the first reason wins). */
  void abort(String reason) {
    abort.compareAndSet(null, reason);
  }

  /** Why the replay stopped early, or null. */
  String aborted() {
    return abort.get();
  }

  List<String> keptFailures() {
    synchronized (kept) {
      return List.copyOf(kept);
    }
  }
}
