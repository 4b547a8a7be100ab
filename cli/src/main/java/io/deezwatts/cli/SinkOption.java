package io.deezwatts.cli;

import io.deezwatts.core.sink.Sinks;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --sink URI} option the storing commands share. */
public final class SinkOption {
  @Option(
      names = "--sink",
      paramLabel = "URI",
      description =
          "duckdb:PATH or bigquery:PROJECT.DATASET (default: $DEEZWATTS_SINK, else "
              + Sinks.DEFAULT_URI
              + ")")
  String uri;

  /** The sink URI: the option, else the environment's, else the default. */
  public String resolve(Map<String, String> env) {
    return uri != null ? uri : Sinks.uriFrom(env);
  }
}
