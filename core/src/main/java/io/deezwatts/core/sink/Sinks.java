package io.deezwatts.core.sink;

import io.deezwatts.core.ingest.SettingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Opens the sink a URI names, through whichever {@link SinkProvider} serves its scheme. */
public final class Sinks {
  /** The environment variable naming the sink. */
  public static final String SINK_VARIABLE = "DEEZWATTS_SINK";

  /**
   * The sink used when {@link #SINK_VARIABLE} is unset: a DuckDB file beside the working directory.
   */
  public static final String DEFAULT_URI = "duckdb:./data/deezwatts.duckdb";

  private Sinks() {}

  /** The sink URI the environment names, or {@link #DEFAULT_URI}. */
  public static String uriFrom(Map<String, String> environment) {
    String uri = environment.get(SINK_VARIABLE);
    return uri == null || uri.isBlank() ? DEFAULT_URI : uri.trim();
  }

  /**
   * Opens the sink {@link #SINK_VARIABLE} names (or {@link #DEFAULT_URI}).
   *
   * @throws SettingException naming {@link #SINK_VARIABLE} when the URI is malformed or names a
   *     scheme this deployment does not contain: no retry can fix that
   * @throws RuntimeException when the sink could not be opened for another reason (a locked file),
   *     which a retry may cure
   */
  public static Sink fromEnvironment(Map<String, String> environment) {
    String uri = uriFrom(environment);
    try {
      return open(uri, environment);
    } catch (SettingException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new SettingException(SINK_VARIABLE, SINK_VARIABLE + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens a sink.
   *
   * @param uri {@code scheme:location}, such as {@code duckdb:./data/deezwatts.duckdb} or {@code
   *     bigquery:my-project.my_dataset}
   * @param environment the process environment
   * @throws IllegalArgumentException naming the schemes on the class path when none serves this one
   */
  public static Sink open(String uri, Map<String, String> environment) {
    int colon = uri.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "sink '" + uri + "' has no scheme; use duckdb:PATH or bigquery:PROJECT.DATASET");
    }
    String scheme = uri.substring(0, colon);
    List<String> known = new ArrayList<>();
    for (SinkProvider p : ServiceLoader.load(SinkProvider.class)) {
      if (p.scheme().equals(scheme)) {
        return p.open(uri.substring(colon + 1), environment);
      }
      known.add(p.scheme() + ":");
    }
    throw new IllegalArgumentException(
        "no sink for '" + scheme + ":' here; available: " + String.join(", ", known));
  }
}
