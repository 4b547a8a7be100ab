package io.deezwatts.sink.duckdb;

import java.io.PrintWriter;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A query result as {@code deezwatts sql} prints it: a header, a rule, one line per row (cells cut
 * at {@value #MAX_CELL} characters) and a count. The same text whether the query ran here or in the
 * process that holds the file.
 */
public final class ResultTable {
  private static final int MAX_CELL = 60;

  private ResultTable() {}

  /** Prints every row of {@code rs}. */
  public static void print(ResultSet rs, PrintWriter out) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[n];
    int[] width = new int[n];
    boolean[] uuid = new boolean[n];
    for (int i = 0; i < n; i++) {
      header[i] = md.getColumnLabel(i + 1);
      width[i] = header[i].length();
      uuid[i] = "UUID".equalsIgnoreCase(md.getColumnTypeName(i + 1));
    }
    while (rs.next()) {
      String[] row = new String[n];
      for (int i = 0; i < n; i++) {
        String v = rs.getString(i + 1);
        if (v != null && uuid[i]) {
          v = v.replace("-", ""); // event_key as BigQuery and the views show it
        }
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
}
