package io.deezwatts.sink.duckdb;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How much memory DuckDB may use and where it spills, from the environment.
 *
 * @param memoryLimit {@code DEEZWATTS_DUCKDB_MEMORY_LIMIT}, default {@value #DEFAULT_MEMORY_LIMIT}:
 *     DuckDB's buffer pool (cached blocks, query state); it spills past it
 * @param tempDirectory {@code DEEZWATTS_DUCKDB_TEMP_DIRECTORY}, default {@code FILE.tmp} beside the
 *     database file, where it spills
 * @param threads {@code DEEZWATTS_DUCKDB_THREADS}, default {@value #DEFAULT_THREADS}
 */
record DuckDbSettings(String memoryLimit, String tempDirectory, int threads) {
  static final String MEMORY_LIMIT = "DEEZWATTS_DUCKDB_MEMORY_LIMIT";
  static final String TEMP_DIRECTORY = "DEEZWATTS_DUCKDB_TEMP_DIRECTORY";
  static final String THREADS = "DEEZWATTS_DUCKDB_THREADS";
  static final String DEFAULT_MEMORY_LIMIT = "128MB";
  static final int DEFAULT_THREADS = 2;

  /**
   * @throws IllegalArgumentException naming the variable when a value is malformed
   */
  static DuckDbSettings fromEnvironment(Map<String, String> env) {
    String memory = env.getOrDefault(MEMORY_LIMIT, "").trim();
    if (memory.isEmpty()) {
      memory = DEFAULT_MEMORY_LIMIT;
    } else if (!memory.matches("(?i)\\d+(\\.\\d+)?\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)")) {
      throw new IllegalArgumentException(
          MEMORY_LIMIT + " must be a size such as 256MB or 1GB, got '" + memory + "'");
    }
    String temp = env.getOrDefault(TEMP_DIRECTORY, "").trim();
    int threads = DEFAULT_THREADS;
    String t = env.getOrDefault(THREADS, "").trim();
    if (!t.isEmpty()) {
      try {
        threads = Integer.parseInt(t);
      } catch (NumberFormatException e) {
        threads = 0;
      }
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException(
            THREADS + " must be a whole number from 1 to 256, got '" + t + "'");
      }
    }
    return new DuckDbSettings(memory, temp.isEmpty() ? null : temp, threads);
  }

  /** The SET statements for a connection to {@code file}. */
  List<String> statements(Path file) {
    String temp = tempDirectory != null ? tempDirectory : file + ".tmp";
    // checkpoint_threshold stays DuckDB's (16 MB): a larger one made each checkpoint pin more
    // than the memory limit allows ("failed to pin block", measured at 256 MB under load), and
    // with no key index a checkpoint no longer rewrites anything per row.
    return List.of(
        "SET TimeZone = 'UTC'",
        "SET memory_limit = '" + memoryLimit + "'",
        "SET temp_directory = '" + temp.replace("'", "''") + "'",
        "SET threads = " + threads,
        // Inserts need not keep their order: less memory while loading.
        "SET preserve_insertion_order = false");
  }
}
