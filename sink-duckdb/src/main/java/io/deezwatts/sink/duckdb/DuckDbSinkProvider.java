package io.deezwatts.sink.duckdb;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkProvider;
import java.nio.file.Path;
import java.util.Map;

/** {@code duckdb:PATH}: the embedded DuckDB sink, the local default. */
public final class DuckDbSinkProvider implements SinkProvider {
  @Override
  public String scheme() {
    return "duckdb";
  }

  @Override
  public Sink open(String location, Map<String, String> environment) {
    if (location.isBlank()) {
      throw new IllegalArgumentException(
          "duckdb: needs a file path, as in duckdb:./data/deezwatts.duckdb");
    }
    return new DuckDbSink(Path.of(location), Catalog.standard());
  }
}
