package io.deezwatts.cli.replay;

import io.deezwatts.cli.ExitStatus;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.decode.Limits;
import io.deezwatts.core.sink.Sinks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code deezwatts replay --to DEST FILE...}: publishes the bulks of files to the queue the cloud
 * functions read, so that a backfill is stored by the functions' own autoscaling rather than by
 * this machine. Bulks too large for one message are cut into smaller valid bulks of whole events.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Publish bulks from files to Pub/Sub or Event Hubs, for the cloud functions to store"
          + " (a backfill at cloud scale).",
      "A FILE holds what ingest reads: a JSON array of events, or several (one per line);"
          + " for viriciti, socket messages. Bulks larger than one message may hold are split"
          + " into smaller valid bulks of whole events.",
      "Every message carries the attribute (Event Hubs: property) feed.",
      "Environment: DEEZWATTS_PUBSUB_ENDPOINT (host:port of an emulator; plaintext, no"
          + " credentials), GOOGLE_APPLICATION_CREDENTIALS, DEEZWATTS_REPLAY_EVENTHUB_CONNECTION (a"
          + " connection string with Send; never printed).",
      "With --from, drains a dead-letter subscription or hub instead, to --to or --sink, until"
          + " it is idle for --idle-seconds (or, with --follow, until interrupted); each message is"
          + " acknowledged only after its destination accepted it. Environment:"
          + " DEEZWATTS_REPLAY_FROM_EVENTHUB_CONNECTION (Listen; never printed).",
      "Exit status: 0 when every event was published, 1 when anything was not, 2 usage error."
    })
public final class ReplayCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The environment; tests replace it. */
  Map<String, String> env = System.getenv();

  /** Connects to Event Hubs; tests replace it, as no Event Hubs emulator exists. */
  EventHubsConnector eventHubs = EventHubsProducer::connect;

  /** How an {@link EventHubsProducer} is made from the namespace, hub and connection string. */
  @FunctionalInterface
  interface EventHubsConnector {
    /**
     * @throws IllegalArgumentException when the connection string is unusable
     */
    EventHubsProducer connect(String namespace, String hub, String connection);
  }

  @Option(
      names = "--to",
      paramLabel = "DEST",
      description = "pubsub:projects/PROJECT/topics/TOPIC or eventhubs:NAMESPACE/HUB")
  String to;

  @Option(
      names = {"--source", "--feed"},
      paramLabel = "FEED",
      description =
          "data-streams, legacy-push or viriciti (the feed attribute of every message; with"
              + " --from, for messages without one)")
  String feed;

  @Option(
      names = "--from",
      paramLabel = "SOURCE",
      description =
          "Drain parked bulks instead of reading files: pubsub:projects/PROJECT/subscriptions/SUB"
              + " or eventhubs:NAMESPACE/HUB (the dead-letter subscription or hub).")
  String from;

  @Option(
      names = "--sink",
      paramLabel = "URI",
      description =
          "With --from: store the bulks directly (duckdb:PATH, bigquery:PROJECT.DATASET).")
  String sinkUri;

  @Option(
      names = "--consumer-group",
      paramLabel = "GROUP",
      defaultValue = "$Default",
      description = "With --from eventhubs: the consumer group to read with (default: $Default).")
  String consumerGroup;

  @Option(
      names = "--checkpoint",
      paramLabel = "FILE",
      description =
          "With --from eventhubs: where the drain's position is kept (default:"
              + " deezwatts-replay-NAMESPACE-HUB.checkpoint.json here).")
  Path checkpoint;

  @Option(
      names = "--idle-seconds",
      paramLabel = "N",
      defaultValue = "10",
      description = "With --from: stop once the source gave nothing for N seconds (default 10).")
  int idleSeconds;

  @Option(names = "--follow", description = "With --from: keep draining until interrupted.")
  boolean follow;

  /** Connects to an event hub to read it; tests replace it, as no Event Hubs emulator exists. */
  ReaderConnector eventHubsReader = EventHubsReader::connect;

  /** How an {@link EventHubsReader} is made. */
  @FunctionalInterface
  interface ReaderConnector {
    /**
     * @throws IllegalArgumentException when the connection string is unusable
     */
    EventHubsReader connect(String namespace, String hub, String consumerGroup, String connection);
  }

  @Option(
      names = "--max-bulk-events",
      paramLabel = "N",
      defaultValue = "" + Limits.MAX_EVENTS,
      description = "Most events in one message (default and limit: ${DEFAULT-VALUE}).")
  int maxEvents;

  @Option(
      names = "--max-bulk-bytes",
      paramLabel = "BYTES",
      description =
          "Largest message body (default and limit: what the destination takes, "
              + PubSubBulkPublisher.MAX_BODY_BYTES
              + " for Pub/Sub, about 1 MB for Event Hubs). Smaller bulks spread the work over"
              + " more function instances.")
  Integer maxBytes;

  @Option(
      names = "--compress",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "gzip Pub/Sub requests (default: on; JSON shrinks several times).")
  boolean compress;

  @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files of bulks.")
  List<Path> files = List.of();

  /**
   * gRPC's Netty transport logs an INFO line about epoll when it starts, which is no news for
   * users. Held so that the level sticks (JUL keeps loggers weakly).
   */
  private static final Logger GRPC_NETTY = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty");

  /** The smallest --max-bulk-bytes: below it, most events would not fit a message alone. */
  static final int MIN_BULK_BYTES = 1024;

  /**
   * Runs the replay.
   *
   * @return 0 when every event was published, 1 when anything was not (the failures are on stderr;
   *     running again is safe, as stored events are not stored twice)
   * @throws CommandLine.ParameterException for a usage or settings error (exit status 2)
   * @throws InterruptedException when interrupted while waiting for the publisher
   */
  @Override
  public Integer call() throws InterruptedException {
    CommandLine cl = spec.commandLine();
    if (System.getProperty("java.util.logging.config.file") == null) {
      GRPC_NETTY.setLevel(Level.WARNING);
    }
    if (from != null) {
      return drain(cl);
    }
    if (to == null || feed == null || files.isEmpty()) {
      throw new CommandLine.ParameterException(
          cl,
          "give --to, --source and FILEs (or --from to drain a dead-letter subscription or hub)");
    }
    long totalBytes = 0;
    for (Path f : files) {
      if (!Files.isRegularFile(f) || !Files.isReadable(f)) {
        throw new CommandLine.ParameterException(cl, "cannot read file: " + f);
      }
      try {
        totalBytes += Files.size(f);
      } catch (IOException e) {
        throw new CommandLine.ParameterException(cl, "cannot read file: " + f + ": " + e);
      }
    }
    Destination destination;
    try {
      destination = Destination.parse(to);
      Catalog.standard().feed(feed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    if (maxEvents < 1 || maxEvents > Limits.MAX_EVENTS) {
      throw new CommandLine.ParameterException(
          cl, "--max-bulk-events must be between 1 and " + Limits.MAX_EVENTS);
    }
    PrintWriter out = cl.getOut();
    PrintWriter err = cl.getErr();
    ReplayProgress progress = new ReplayProgress(err, System.console() != null, totalBytes);
    ReplayStats stats = new ReplayStats(m -> progress.println("deezwatts: " + m));
    BulkPublisher publisher;
    try {
      publisher = connections(cl).publisher(destination, feed, stats, compress);
    } catch (ReplayConnections.CannotConnectException e) {
      throw new ExitStatus.Failed(e.getMessage(), e);
    }
    int limit = publisher.maxBodyBytes();
    if (maxBytes != null && (maxBytes < MIN_BULK_BYTES || maxBytes > limit)) {
      publisher.close();
      throw new CommandLine.ParameterException(
          cl,
          "--max-bulk-bytes must be between "
              + MIN_BULK_BYTES
              + " and "
              + limit
              + " (what one message to "
              + publisher.describe()
              + " may hold)");
    }
    BulkReader reader =
        new BulkReader("viriciti".equals(feed), maxBytes == null ? limit : maxBytes, maxEvents);
    long started = System.nanoTime();
    AtomicBoolean finished = new AtomicBoolean();
    AtomicInteger filesRead = new AtomicInteger();
    // Ctrl-C: say what is known, since messages in flight are then neither confirmed nor retried.
    Thread hook =
        new Thread(
            () -> {
              if (!finished.get()) {
                progress.close();
                err.println(
                    "deezwatts: interrupted; messages in flight may not have been published."
                        + " Run again to complete: events already stored are not stored twice.");
                err.println(summary(stats, filesRead.get(), publisher.describe(), started));
                err.flush();
              }
            },
            "replay-interrupted");
    Runtime.getRuntime().addShutdownHook(hook);
    boolean done;
    try {
      progress.start(stats, () -> stats.bytesRead.get() + reader.position());
      BulkReader.Handler handler =
          new BulkReader.Handler() {
            @Override
            public void piece(Piece piece) throws InterruptedException {
              publisher.publish(piece);
            }

            @Override
            public void failure(String message, int events) {
              stats.failure(message, events);
            }

            @Override
            public boolean stopped() {
              return stats.aborted() != null;
            }
          };
      for (Path f : files) {
        if (stats.aborted() != null) {
          break;
        }
        try (InputStream in = Files.newInputStream(f)) {
          BulkReader.FileOutcome o = reader.read(in, f.toString(), handler);
          stats.bulksRead.addAndGet(o.bulks());
          stats.eventsRead.addAndGet(o.events());
        } catch (IOException e) {
          stats.failure(f + ": reading failed: " + e.getMessage(), 0);
        }
        stats.bytesRead.addAndGet(reader.position());
        filesRead.incrementAndGet();
      }
      done = publisher.finish();
    } finally {
      publisher.close();
      progress.close();
      finished.set(true);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook reports
      }
    }
    if (!done) {
      stats.failure(
          "gave up waiting for the last messages' outcomes; they may or may not have been"
              + " published",
          0);
    }
    if (stats.aborted() != null) {
      err.println(
          "deezwatts: stopped early, as every further message would fail too: "
              + stats.aborted()
              + (filesRead.get() < files.size()
                  ? " (" + (files.size() - filesRead.get()) + " files not read)"
                  : ""));
    }
    out.println(summary(stats, filesRead.get(), publisher.describe(), started));
    out.flush();
    err.flush();
    return ExitStatus.of(stats.failures.get() == 0 && stats.aborted() == null);
  }

  /** {@code --from}: drains a dead-letter subscription or hub (see {@link Drain}). */
  private int drain(CommandLine cl) throws InterruptedException {
    if ((to == null) == (sinkUri == null)) {
      throw new CommandLine.ParameterException(cl, "--from needs one of --to or --sink");
    }
    if (!files.isEmpty()) {
      throw new CommandLine.ParameterException(cl, "--from drains a source: give no FILEs");
    }
    if (idleSeconds < 1) {
      throw new CommandLine.ParameterException(cl, "--idle-seconds must be at least 1");
    }
    if (feed != null && !Catalog.standard().hasFeed(feed)) {
      throw new CommandLine.ParameterException(cl, "--source: unknown feed " + feed);
    }
    ReplayConnections connections = connections(cl);
    DeadLetterSource source = connections.source(from, consumerGroup, checkpoint);
    Drain.Delivery delivery;
    try {
      if (sinkUri != null) {
        delivery = new Drain.ToSink(Sinks.open(sinkUri, env), source.describe());
      } else {
        Destination destination = Destination.parse(to);
        delivery =
            new Drain.ToQueue(
                (f, stats) -> connections.publisher(destination, f, stats, compress),
                to,
                source.describe());
      }
    } catch (IllegalArgumentException e) {
      source.close();
      throw new CommandLine.ParameterException(cl, e.getMessage());
    } catch (RuntimeException e) {
      source.close();
      throw new ExitStatus.Failed("cannot open " + sinkUri + ": " + e.getMessage(), e);
    }
    try (source;
        delivery) {
      return new Drain(source, delivery, feed, Duration.ofSeconds(idleSeconds), follow)
          .run(cl.getOut(), cl.getErr());
    }
  }

  private ReplayConnections connections(CommandLine cl) {
    return new ReplayConnections(cl, env, eventHubs, eventHubsReader);
  }

  static String summary(ReplayStats s, int files, String destination, long startedNanos) {
    double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
    long failures = s.failures.get();
    return String.format(
        Locale.ROOT,
        "replayed %d file%s to %s: %d bulk%s, %d events read; %d events published in %d"
            + " message%s (%s); %d events not published, %d failure%s; %.1f s, %.0f events/s,"
            + " %.1f MB/s",
        files,
        files == 1 ? "" : "s",
        destination,
        s.bulksRead.get(),
        s.bulksRead.get() == 1 ? "" : "s",
        s.eventsRead.get(),
        s.eventsPublished.get(),
        s.messagesPublished.get(),
        s.messagesPublished.get() == 1 ? "" : "s",
        ReplayProgress.megabytes(s.bytesPublished.get()),
        s.eventsFailed.get(),
        failures,
        failures == 1 ? "" : "s",
        seconds,
        s.eventsPublished.get() / seconds,
        s.bytesPublished.get() / 1e6 / seconds);
  }
}
