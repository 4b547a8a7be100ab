package io.deezwatts.cli;

import io.deezwatts.cli.duckdb.DuckDbSink;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code deezwatts sql "SELECT ..."}: runs a query on the local DuckDB file and prints a table. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = {
      "Run a SQL query on the local DuckDB file and print the result as a table.",
      "Query the <table>_dedup views, as in BigQuery. DuckDB allows one process at a time:",
      "stop 'deezwatts serve' first, or query while nothing else writes."
    })
final class SqlCommand implements Callable<Integer> {
  private static final int MAX_CELL = 60;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin SinkOption sinkOption;

  @Parameters(paramLabel = "QUERY", description = "The SQL to run.")
  String query;

  @Override
  public Integer call() {
    String uri = sinkOption.resolve(System.getenv());
    if (!uri.startsWith("duckdb:")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "sql runs on a local DuckDB file; the sink is " + uri);
    }
    Sink sink;
    try {
      sink = Sinks.open(uri, System.getenv());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    try (sink;
        Statement s = ((DuckDbSink) sink).connection().createStatement()) {
      if (!s.execute(query)) {
        out.println("(" + s.getUpdateCount() + " rows changed)");
        out.flush();
        return 0;
      }
      try (ResultSet rs = s.getResultSet()) {
        print(rs, out);
      }
      return 0;
    } catch (SQLException e) {
      spec.commandLine().getErr().println("deezwatts: " + firstLine(e.getMessage()));
      return 1;
    }
  }

  static void print(ResultSet rs, PrintWriter out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      header[i] = md.getColumnLabel(i + 1);
      width[i] = header[i].length();
    }
    while (rs.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        String v = rs.getString(i + 1);
        v = v == null ? "NULL" : v.replace('\n', ' ');
        row[i] = v.length() > MAX_CELL ? v.substring(0, MAX_CELL - 1) + "…" : v;
        width[i] = Math.max(width[i], row[i].length());
      }
      rows.add(row);
    }
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int i = 0; i < n; i++) {
      rule.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
    }
    out.println(rule);
    for (String[] row : rows) {
      line(out, row, width);
    }
    out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
    out.flush();
  }

  private static void line(PrintWriter out, String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      sb.append(i == 0 ? "" : " | ")
          .append(cells[i])
          .append(" ".repeat(width[i] - cells[i].length()));
    }
    out.println(sb.toString().stripTrailing());
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return nl < 0 ? String.valueOf(s) : s.substring(0, nl);
  }
}
