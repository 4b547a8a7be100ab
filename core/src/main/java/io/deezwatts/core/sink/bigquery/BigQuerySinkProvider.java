package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkProvider;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Serves {@code bigquery:PROJECT.DATASET}, such as {@code bigquery:my-project.deezwatts}. Found by
 * {@link java.util.ServiceLoader}; see {@link BigQuerySink#open} for the environment it reads.
 */
public final class BigQuerySinkProvider implements SinkProvider {
  /**
   * A project id (lower-case letters, digits and hyphens; a legacy domain-scoped one such as {@code
   * example.com:proj} has a dot and a colon) and a dataset (letters, digits, underscores), split at
   * the last dot since a dataset name has none.
   */
  private static final Pattern LOCATION =
      Pattern.compile(
          "(?<project>[a-z0-9][a-z0-9.:-]*[a-z0-9])\\.(?<dataset>[A-Za-z0-9_]{1,1024})");

  /** {@code bigquery}. Never fails. */
  @Override
  public String scheme() {
    return "bigquery";
  }

  /**
   * Opens a {@link BigQuerySink} with the default {@link BigQuerySink.Options}.
   *
   * @param location {@code PROJECT.DATASET}
   * @throws IllegalArgumentException when the location is not {@code PROJECT.DATASET}, or {@code
   *     DEEZWATTS_BIGQUERY_ENDPOINT} is not an http(s) URL; the message says what form they take
   */
  @Override
  public Sink open(String location, Map<String, String> environment) {
    var m = location == null ? null : LOCATION.matcher(location);
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(
          "BigQuery sink location '"
              + location
              + "' is not PROJECT.DATASET: use bigquery:PROJECT.DATASET, such as"
              + " bigquery:my-project.deezwatts (project id in lower case, dataset of letters,"
              + " digits and underscores)");
    }
    return BigQuerySink.open(
        m.group("project"), m.group("dataset"), environment, BigQuerySink.Options.DEFAULTS);
  }
}
