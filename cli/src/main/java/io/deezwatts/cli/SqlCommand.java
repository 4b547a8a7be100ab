package io.deezwatts.cli;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.sink.duckdb.ResultTable;
import io.deezwatts.sink.duckdb.RunningStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code deezwatts sql "SELECT ..."}: runs a query on the local DuckDB file and prints a table.
 * While {@code serve}, the bridge or {@code ingest} holds the file, the query runs in that process
 * (read-only); otherwise here, where it may also change data.
 */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run a SQL query on the local DuckDB file and print the result as a table.",
      "Query the <table>_dedup views, as in BigQuery. While 'deezwatts serve', the bridge or",
      "ingest runs on the file, the query is sent to it over loopback and must be a SELECT;",
      "otherwise it runs here and may change data."
    })
final class SqlCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin SinkOption sinkOption;

  @Parameters(paramLabel = "QUERY", description = "The SQL to run.")
  String query;

  @Override
  public Integer call() throws InterruptedException {
    String uri = sinkOption.resolve(System.getenv());
    if (!uri.startsWith("duckdb:")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "sql runs on a local DuckDB file; the sink is " + uri);
    }
    Path file = Path.of(uri.substring("duckdb:".length()));
    PrintWriter out = spec.commandLine().getOut();
    try {
      Optional<RunningStore> running = RunningStore.find(file);
      if (running.isPresent()) {
        Optional<RunningStore.Answer> answer = running.get().query(query);
        if (answer.isPresent()) {
          if (!answer.get().ok()) {
            throw new ExitStatus.Failed(answer.get().text());
          }
          out.print(answer.get().text());
          out.flush();
          return ExitStatus.OK;
        }
        // Nothing answers: the process is gone and left its endpoint file. Open the file here.
      }
    } catch (IOException e) {
      throw new ExitStatus.Failed(
          "cannot reach the process holding " + file + ": " + e.getMessage(), e);
    }
    return queryHere(file, out);
  }

  private int queryHere(Path file, PrintWriter out) {
    DuckDbSink sink;
    try {
      sink = DuckDbSink.forQueries(file, Catalog.standard());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (sink;
        Statement s = sink.connection().createStatement()) {
      if (!s.execute(query)) {
        out.println("(" + s.getUpdateCount() + " rows changed)");
        out.flush();
        return ExitStatus.OK;
      }
      try (ResultSet rs = s.getResultSet()) {
        ResultTable.print(rs, out);
      }
      return ExitStatus.OK;
    } catch (SQLException e) {
      throw new ExitStatus.Failed(firstLine(e.getMessage()), e);
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
