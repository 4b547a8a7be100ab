package io.deezwatts.cli.replay;

import io.deezwatts.cli.ExitStatus;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code replay --from}: drains parked bulks from a dead-letter subscription or hub to a queue the
 * functions read or straight into a sink. Each message's feed is its {@code feed} attribute
 * (property), else {@code --source}. A message is acknowledged or checkpointed only after its
 * destination accepted it; at the first one it did not, the drain hands back what is left and stops
 * (exit 1), so nothing is skipped. By default it stops once the source has given nothing for the
 * idle time; following, it runs until interrupted.
 */
final class Drain {
  /** Messages received and delivered at a time. */
  static final int BATCH = 100;

  /** Where drained bulks go. */
  interface Delivery extends AutoCloseable {
    /**
     * Delivers the messages in order.
     *
     * @return how many, from the first, the destination accepted; fewer than all when it failed
     *     (the reason is then in {@link #failure})
     */
    int deliver(List<DeadLetterSource.Message> batch, List<String> feeds)
        throws InterruptedException;

    /** Why the last delivery stopped short. */
    String failure();

    String describe();

    @Override
    void close();
  }

  private final DeadLetterSource source;
  private final Delivery delivery;
  private final String fallbackFeed;
  private final Duration idle;
  private final boolean follow;

  long received;
  long delivered;

  Drain(
      DeadLetterSource source,
      Delivery delivery,
      String fallbackFeed,
      Duration idle,
      boolean follow) {
    this.source = source;
    this.delivery = delivery;
    this.fallbackFeed = fallbackFeed;
    this.idle = idle;
    this.follow = follow;
  }

  /**
   * Drains until idle (or, following, until interrupted).
   *
   * @return 0 when everything received was delivered and acknowledged, 1 otherwise
   */
  int run(PrintWriter out, PrintWriter err) throws InterruptedException {
    long started = System.nanoTime();
    long lastMessage = System.nanoTime();
    String problem = null;
    while (follow || System.nanoTime() - lastMessage < idle.toNanos()) {
      long left = idle.toNanos() - (System.nanoTime() - lastMessage);
      Duration wait =
          follow
              ? Duration.ofSeconds(5)
              : Duration.ofNanos(Math.max(1_000_000, Math.min(left, 5_000_000_000L)));
      List<DeadLetterSource.Message> batch = source.receive(BATCH, wait);
      if (batch.isEmpty()) {
        Thread.sleep(Math.min(200, Math.max(1, wait.toMillis())));
        continue;
      }
      lastMessage = System.nanoTime();
      received += batch.size();
      List<String> feeds = new ArrayList<>();
      for (DeadLetterSource.Message m : batch) {
        String feed = feedOf(m);
        if (feed == null) {
          problem =
              "message "
                  + m.id()
                  + " has no known feed attribute ("
                  + m.properties().get("feed")
                  + "): give the fallback with --source";
          break;
        }
        feeds.add(feed);
      }
      int accepted = problem == null ? delivery.deliver(batch, feeds) : 0;
      source.ack(batch.subList(0, accepted));
      delivered += accepted;
      if (accepted < batch.size()) {
        source.release(batch.subList(accepted, batch.size()));
        if (problem == null) {
          problem = delivery.failure();
        }
        break;
      }
    }
    if (problem != null) {
      err.println(
          "deezwatts: stopped: " + problem + "; what was not delivered stays on the source");
    }
    out.println(summary(started));
    out.flush();
    err.flush();
    return ExitStatus.of(problem == null);
  }

  String summary(long startedNanos) {
    return String.format(
        Locale.ROOT,
        "drained %s to %s: %d message%s received, %d delivered and acknowledged, %d left on the"
            + " source; %.1f s",
        source.describe(),
        delivery.describe(),
        received,
        received == 1 ? "" : "s",
        delivered,
        received - delivered,
        (System.nanoTime() - startedNanos) / 1e9);
  }

  private String feedOf(DeadLetterSource.Message m) {
    String feed = m.properties().get("feed");
    if (feed != null && Catalog.standard().hasFeed(feed)) {
      return feed;
    }
    return fallbackFeed;
  }

  /**
   * Stores each bulk through the Sink port, as the functions do; a bulk that does not parse is
   * quarantined raw.
   */
  static final class ToSink implements Delivery {
    private final Sink sink;
    private final IngestService service;
    private final String from;
    private String failure;

    ToSink(Sink sink, String from) {
      this.sink = sink;
      this.service = new IngestService(sink);
      this.from = from;
    }

    @Override
    public int deliver(List<DeadLetterSource.Message> batch, List<String> feeds) {
      for (int i = 0; i < batch.size(); i++) {
        DeadLetterSource.Message m = batch.get(i);
        Map<String, String> metadata = new HashMap<>();
        m.properties().forEach((k, v) -> metadata.put("attribute." + k, v));
        metadata.put("replayed_from", from);
        Instant now = Instant.now();
        try {
          // A bulk that does not parse is stored raw in quarantine: delivered, its reason there.
          service.ingest(
              feeds.get(i),
              m.body(),
              new IngestContext(now, IngestContext.Source.REPLAY, null, m.id(), metadata),
              now.plus(Duration.ofMinutes(2)));
        } catch (SinkException e) {
          failure = "message " + m.id() + " not stored: " + e.getMessage();
          return i;
        } catch (RuntimeException e) {
          failure = "message " + m.id() + " not stored: " + e;
          return i;
        }
      }
      return batch.size();
    }

    @Override
    public String failure() {
      return failure;
    }

    @Override
    public String describe() {
      return sink.describe();
    }

    @Override
    public void close() {
      sink.close();
    }
  }

  /**
   * Publishes each bulk, as parked, to a queue with its feed attribute. A batch counts as accepted
   * only when every message of it was confirmed; else none is acknowledged (republishing the
   * confirmed ones on the next run is harmless: their events are not stored twice).
   */
  static final class ToQueue implements Delivery {
    private final BiFunction<String, ReplayStats, BulkPublisher> open;
    private final String to;
    private final String from;
    private String failure;
    private int bulk;

    /**
     * @param open a publisher for a feed, reporting to the stats given
     */
    ToQueue(BiFunction<String, ReplayStats, BulkPublisher> open, String to, String from) {
      this.open = open;
      this.to = to;
      this.from = from;
    }

    @Override
    public int deliver(List<DeadLetterSource.Message> batch, List<String> feeds)
        throws InterruptedException {
      List<String> reasons = new ArrayList<>();
      ReplayStats stats = new ReplayStats(reasons::add);
      Map<String, BulkPublisher> byFeed = new HashMap<>();
      boolean done = true;
      try {
        for (int i = 0; i < batch.size(); i++) {
          byte[] body = batch.get(i).body();
          BulkPublisher p = byFeed.computeIfAbsent(feeds.get(i), f -> open.apply(f, stats));
          p.publish(
              new Piece(from, ++bulk, 0, body, new int[] {Math.max(0, body.length - 1)}, true));
        }
        for (BulkPublisher p : byFeed.values()) {
          done &= p.finish();
        }
      } finally {
        byFeed.values().forEach(BulkPublisher::close);
      }
      if (done && stats.failures.get() == 0 && stats.aborted() == null) {
        return batch.size();
      }
      failure =
          stats.aborted() != null
              ? stats.aborted()
              : reasons.isEmpty() ? "outcomes unknown at the time limit" : reasons.get(0);
      return 0;
    }

    @Override
    public String failure() {
      return failure;
    }

    @Override
    public String describe() {
      return to;
    }

    @Override
    public void close() {}
  }
}
