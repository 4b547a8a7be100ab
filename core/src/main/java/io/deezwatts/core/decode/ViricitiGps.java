package io.deezwatts.core.decode;

import io.deezwatts.core.catalog.TableSpec;

/** ViriCiti sends positions as a {@code "lat|lon"} string; this also files them as numbers. */
final class ViricitiGps {
  private ViricitiGps() {}

  static void fill(TableSpec table, Object[] values) {
    if (!"gps".equals(values[table.requireColumn("label")])
        || !(values[table.requireColumn("value_string")] instanceof String s)) {
      return;
    }
    int bar = s.indexOf('|');
    if (bar < 0) {
      return;
    }
    try {
      double lat = Double.parseDouble(s.substring(0, bar).trim());
      double lon = Double.parseDouble(s.substring(bar + 1).trim());
      if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        values[table.requireColumn("gps")] = new Object[] {lat, lon};
      }
    } catch (NumberFormatException e) {
      // Not a position after all: the string value alone is kept, as sent.
    }
  }
}
