package io.deezwatts.core.sink.bigquery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How rows are split into {@code insertAll} requests: at most 500 rows and under 9 MB each. */
class ChunkerTest {
  private static List<PendingRow> rows(int n, int bytes) {
    List<PendingRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new PendingRow("k" + i, List.of(), new Object[0], bytes, null));
    }
    return rows;
  }

  private static List<Integer> sizes(List<List<PendingRow>> chunks) {
    return chunks.stream().map(List::size).toList();
  }

  @Test
  void atMost500RowsPerRequest() {
    assertEquals(List.of(500, 500, 201), sizes(Chunker.standard().split(rows(1201, 300))));
    assertEquals(List.of(500), sizes(Chunker.standard().split(rows(500, 300))));
    assertEquals(List.of(), sizes(Chunker.standard().split(List.of())));
  }

  @Test
  void underTheByteCapKeepingOrder() {
    List<PendingRow> rows = rows(30, 700_000);
    List<List<PendingRow>> chunks = Chunker.standard().split(rows);
    assertEquals(List.of(12, 12, 6), sizes(chunks));
    List<PendingRow> flat = new ArrayList<>();
    for (List<PendingRow> c : chunks) {
      long bytes = Chunker.ENVELOPE_BYTES;
      for (PendingRow r : c) {
        bytes += r.estimatedBytes();
      }
      assertTrue(bytes <= Chunker.MAX_BYTES, bytes + " bytes");
      flat.addAll(c);
    }
    assertEquals(rows, flat);
  }

  @Test
  void aRowAboveTheCapGoesAlone() {
    List<PendingRow> rows = new ArrayList<>(rows(2, 100));
    rows.add(1, new PendingRow("huge", List.of(), new Object[0], 9_500_000, null));
    assertEquals(List.of(1, 1, 1), sizes(Chunker.standard().split(rows)));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Chunker(0, 1_000));
    assertThrows(IllegalArgumentException.class, () -> new Chunker(10, 10));
  }
}
