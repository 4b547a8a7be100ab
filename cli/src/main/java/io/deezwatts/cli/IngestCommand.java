package io.deezwatts.cli;

import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deezwatts ingest}: decodes files of bulks and stores them, for replays and backfills. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Decode and store bulks from files (a replay or backfill).",
      "Each FILE is one bulk. Events already stored (same event_key) are skipped.",
      "Exit status: 0 when every bulk was stored, 1 when a bulk was rejected or storing failed."
    })
final class IngestCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      converter = DecodeCommand.SourceConverter.class,
      description = "data-streams, legacy-push or viriciti")
  DecodeCommand.Source source;

  @CommandLine.Mixin SinkOption sinkOption;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files, each holding one bulk.")
  List<Path> files;

  /** How long one bulk may take to store, retries included. */
  private static final Duration BULK_DEADLINE = Duration.ofMinutes(5);

  @Override
  public Integer call() {
    Map<String, String> env = System.getenv();
    String uri = sinkOption.resolve(env);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    for (Path f : files) {
      if (!Files.isReadable(f)) {
        throw new CommandLine.ParameterException(spec.commandLine(), "cannot read file: " + f);
      }
    }
    Sink sink;
    try {
      sink = Sinks.open(uri, env);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    ProgressBar progress = ProgressBar.onConsole(err);
    Totals totals = new Totals();
    long started = System.nanoTime();
    try (sink) {
      IngestService service = new IngestService(sink);
      for (Path f : files) {
        byte[] body = Files.readAllBytes(f);
        Instant now = Instant.now();
        IngestContext context =
            new IngestContext(
                now, IngestContext.Source.REPLAY, null, null, Map.of("file", f.toString()));
        IngestOutcome outcome = service.ingest(source.feed, body, context, now.plus(BULK_DEADLINE));
        totals.add(outcome);
        if (!outcome.accepted()) {
          progress.println(
              "deezwatts: " + f + ": rejected: " + outcome.error() + " (kept in quarantine)");
        }
        if (progress.due() || totals.bulks == files.size()) {
          progress.update(
              (double) totals.bulks / files.size(), totals.progress(files.size(), started), null);
        }
      }
    } catch (SinkException e) {
      progress.clear();
      out.println(totals.summary(sink.describe(), started));
      out.flush();
      throw new ExitStatus.Failed(
          "storing failed ("
              + (e.isTransient() ? "transient; run again to resume" : "permanent")
              + "): "
              + e.getMessage(),
          e);
    } catch (IOException e) {
      progress.clear();
      throw new ExitStatus.Failed(String.valueOf(e.getMessage()), e);
    }
    progress.clear();
    out.println(totals.summary(sink.describe(), started));
    out.flush();
    return ExitStatus.of(totals.rejected == 0);
  }

  /** What was ingested so far. */
  static final class Totals {
    int bulks;
    int rejected;
    long events;
    long stored;
    long quarantined;
    long duplicates;
    boolean duplicatesKnown = true;

    void add(IngestOutcome o) {
      bulks++;
      rejected += o.accepted() ? 0 : 1;
      events += o.events();
      stored += o.written().rowsStored();
      quarantined += o.written().quarantined();
      if (o.written().duplicatesSkipped() < 0) {
        duplicatesKnown = false;
      } else {
        duplicates += o.written().duplicatesSkipped();
      }
    }

    /** The progress bar's text: bulks of {@code total}, events, rate. */
    String progress(int total, long startedNanos) {
      double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
      return String.format(
          Locale.ROOT,
          "%d/%d bulks, %d events, %.0f events/s",
          bulks,
          total,
          events,
          events / seconds);
    }

    String summary(String sink, long startedNanos) {
      double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
      return String.format(
          Locale.ROOT,
          "ingested %d bulk%s into %s: %d events, %d stored, %d quarantined, %s duplicates"
              + " skipped, %d bulk%s rejected; %.1f s, %.0f events/s",
          bulks,
          bulks == 1 ? "" : "s",
          sink,
          events,
          stored,
          quarantined,
          duplicatesKnown ? Long.toString(duplicates) : "(dedup at query time)",
          rejected,
          rejected == 1 ? "" : "s",
          seconds,
          events / seconds);
    }
  }
}
