package io.deezwatts.cli.cc;

import java.io.PrintWriter;
import java.util.List;

/** A plain text table with a header row, columns padded to their widest cell (cc, requeue). */
public final class Table {
  private Table() {}

  public static void print(PrintWriter out, List<String> headers, List<List<String>> rows) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    line(out, headers, width);
    for (List<String> row : rows) {
      line(out, row, width);
    }
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        b.append("  ");
      }
      String c = cells.get(i);
      b.append(c);
      if (i < cells.size() - 1) {
        b.append(" ".repeat(width[i] - c.length()));
      }
    }
    out.println(b.toString().stripTrailing());
  }
}
