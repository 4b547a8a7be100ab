package io.deezwatts.cli;

import io.deezwatts.cli.cc.Table;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.ingest.Requeue;
import io.deezwatts.core.ingest.RequeueReport;
import io.deezwatts.core.sink.QuarantineStore;
import io.deezwatts.core.sink.Resolution.Outcome;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.sink.duckdb.RunningStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deezwatts requeue}: decodes quarantined entries again with the current catalog and stores
 * those that now pass (see {@link Requeue}); a dry run unless {@code --apply}.
 */
@Command(
    name = "requeue",
    mixinStandardHelpOptions = true,
    description = {
      "Decode quarantined events and bulks again with the current catalog; store those that now"
          + " pass, with the event_key and ingest columns of first delivery.",
      "Without --apply it is a dry run: it writes nothing and prints what would happen.",
      "With --apply each entry's outcome is appended to quarantine_resolutions (stored,"
          + " partly_stored, refused close it; still_quarantined leaves it in quarantine_open).",
      "Exit status: 0 when every entry was (or would be) stored, or there was nothing to do; 1"
          + " when some stay quarantined or were refused, or storing failed; 2 for a usage or"
          + " configuration error."
    })
final class RequeueCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin SinkOption sinkOption;

  @Option(
      names = "--since",
      paramLabel = "T",
      description = "Only entries received at or after T: 2026-12-01 or 2026-12-01T08:00:00Z.")
  String since;

  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "Only entries whose reason contains TEXT (ignoring case).")
  String reason;

  @Option(names = "--apply", description = "Store and record; without it nothing is written.")
  boolean apply;

  @Option(
      names = "--page-size",
      paramLabel = "N",
      defaultValue = "500",
      description = "Entries read and written at a time (default: ${DEFAULT-VALUE}).")
  int pageSize;

  /** How many reasons the summary lists. */
  private static final int TOP_REASONS = 10;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    Instant from = since == null ? null : instant(cmd, since);
    if (pageSize < 1) {
      throw new CommandLine.ParameterException(cmd, "--page-size must be at least 1");
    }
    Requeue.Options options = new Requeue.Options(from, reason, apply, pageSize);
    Map<String, String> env = System.getenv();
    String uri;
    try {
      uri = sinkOption.resolve(env);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    if (uri.startsWith("duckdb:")) {
      Integer remote = viaHolder(Path.of(uri.substring("duckdb:".length())), options, out, err);
      if (remote != null) {
        return remote;
      }
    }
    Sink sink;
    try {
      sink = Sinks.open(uri, env);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    try (sink) {
      if (!(sink instanceof QuarantineStore store)) {
        throw new CommandLine.ParameterException(
            cmd,
            sink.describe() + " cannot list its quarantine; requeue needs duckdb: or bigquery:");
      }
      Requeue requeue = new Requeue(sink, store, Catalog.standard(), Clock.systemUTC());
      RequeueReport report = new RequeueReport();
      long started = System.nanoTime();
      SinkException failure = null;
      try (ProgressBar progress = ProgressBar.onConsole(err)) {
        Total total = new Total(progress, started);
        try {
          total.set(store.countOpen(from, reason));
          requeue.run(options, soFar -> total.page(soFar.entries(), soFar.rowsStored()), report);
        } catch (SinkException e) {
          failure = e;
        }
      }
      return finish(out, err, sink.describe(), report, failure, started);
    }
  }

  /**
   * Runs the requeue in the process holding {@code file}, if one does (as {@code sql} does).
   *
   * @return the exit status, or null when no process holds the file: run here
   */
  private Integer viaHolder(Path file, Requeue.Options options, PrintWriter out, PrintWriter err) {
    long started = System.nanoTime();
    Optional<RunningStore.RequeueAnswer> answer;
    try (ProgressBar progress = ProgressBar.onConsole(err)) {
      Optional<RunningStore> running = RunningStore.find(file);
      if (running.isEmpty()) {
        return null;
      }
      Total total = new Total(progress, started);
      answer =
          running
              .get()
              .requeue(
                  options,
                  TOP_REASONS,
                  new RunningStore.RequeueProgress() {
                    @Override
                    public void total(QuarantineStore.OpenCount count) {
                      total.set(count);
                    }

                    @Override
                    public void page(long entries, long rowsStored) {
                      total.page(entries, rowsStored);
                    }
                  });
    } catch (RunningStore.Refused e) {
      throw new ExitStatus.Failed(
          "the process holding " + file + " refused the requeue: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new ExitStatus.Failed(
          "cannot reach the process holding " + file + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExitStatus.Failed("interrupted", e);
    }
    if (answer.isEmpty()) {
      return null; // the process is gone and left its endpoint file: open the file here
    }
    RunningStore.RequeueAnswer a = answer.get();
    return finish(out, err, a.sink(), a.report(), a.failure(), started);
  }

  private int finish(
      PrintWriter out,
      PrintWriter err,
      String sink,
      RequeueReport report,
      SinkException failure,
      long started) {
    print(out, sink, report, started);
    if (failure != null) {
      err.println(
          "deezwatts: "
              + ExitStatus.message(failure)
              + (failure.isTransient() ? " (run again to resume)" : ""));
      err.flush();
      return ExitStatus.FAILED;
    }
    return report.unresolved() == 0 ? ExitStatus.OK : ExitStatus.FAILED;
  }

  /** The progress bar's state: the total, once counted, and the text beside the bar. */
  private static final class Total {
    private final ProgressBar bar;
    private final long started;
    private QuarantineStore.OpenCount count;

    Total(ProgressBar bar, long started) {
      this.bar = bar;
      this.started = started;
    }

    synchronized void set(QuarantineStore.OpenCount count) {
      this.count = count;
    }

    synchronized void page(long entries, long rows) {
      if (!bar.due()) {
        return;
      }
      double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
      String of = count == null ? "" : (count.exact() ? " of " : " of about ") + count.entries();
      bar.update(
          count == null || count.entries() == 0 ? 0 : (double) entries / count.entries(),
          String.format(
              Locale.ROOT,
              "%d%s entries, %d rows, %.0f entries/s",
              entries,
              of,
              rows,
              entries / seconds),
          null);
    }
  }

  private static Instant instant(CommandLine cmd, String text) {
    try {
      return text.length() == 10
          ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant()
          : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(
          cmd, "--since: '" + text + "' is not a date (2026-12-01) or an instant (...T08:00:00Z)");
    }
  }

  private void print(PrintWriter out, String sink, RequeueReport r, long startedNanos) {
    double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
    if (r.entries() == 0) {
      out.println("nothing to requeue in " + sink + " (no open quarantine entry matches)");
      out.flush();
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      rows.add(List.of(o.wireName(), Long.toString(r.count(o))));
    }
    Table.print(out, List.of("outcome", "entries"), rows);
    List<List<String>> reasons = new ArrayList<>();
    for (Map.Entry<String, Long> e : r.topReasons(TOP_REASONS)) {
      reasons.add(List.of(Long.toString(e.getValue()), e.getKey()));
    }
    if (!reasons.isEmpty()) {
      out.println();
      Table.print(out, List.of("entries", "reason (still quarantined or refused)"), reasons);
    }
    out.println();
    out.println(
        String.format(
            Locale.ROOT,
            "%s %d entr%s of %s: %d rows %s; %.1f s%s",
            apply ? "requeued" : "dry run:",
            r.entries(),
            r.entries() == 1 ? "y" : "ies",
            sink,
            r.rowsStored(),
            apply ? "stored" : "would be stored",
            seconds,
            apply ? "" : " (nothing written; add --apply to store and record)"));
    out.flush();
  }
}
