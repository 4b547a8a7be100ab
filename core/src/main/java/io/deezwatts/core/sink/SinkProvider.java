package io.deezwatts.core.sink;

import java.util.Map;

/**
 * Makes sinks for one URI scheme. Providers are found with {@link java.util.ServiceLoader}: core
 * provides {@code bigquery:}, the CLI provides {@code duckdb:}.
 */
public interface SinkProvider {
  /** The scheme this provider serves, without the colon. */
  String scheme();

  /**
   * Opens a sink.
   *
   * @param location what follows {@code scheme:} in the sink URI
   * @param environment the process environment, for endpoint overrides and credentials
   * @throws IllegalArgumentException when the location is malformed, with a message saying what
   *     form it takes
   */
  Sink open(String location, Map<String, String> environment);
}
