package io.deezwatts.sink.duckdb;

import io.deezwatts.core.sink.OpenEntry;
import io.deezwatts.core.sink.SinkException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.duckdb.DuckDBConnection;

/**
 * Reads what {@code requeue} works through: the open entries of the {@code quarantine_open} view,
 * counted and listed page by page. It runs on the store's one connection; {@link DuckDbStore} calls
 * it under its lock, so a page never sees half of a concurrent write.
 */
final class QuarantineReader {
  private final DuckDBConnection connection;
  private final Path file;

  QuarantineReader(DuckDBConnection connection, Path file) {
    this.connection = connection;
    this.file = file;
  }

  /** The columns of a quarantine row that {@link OpenEntry#fromColumns} reads, in select order. */
  private static final List<String> NAMES =
      List.of(
          "event_key",
          "feed",
          "type",
          "event_index",
          "reason",
          "raw",
          "raw_length",
          "received_at",
          "source",
          "request_id",
          "message_id",
          "metadata",
          "raw_encoding");

  /** How a column is selected where not by its name: as JDBC can hand it over. */
  private static final Map<String, String> SELECTED_AS =
      Map.of("received_at", "epoch_us(received_at)", "metadata", "CAST(metadata AS VARCHAR)");

  private static final String OPEN_COLUMNS =
      NAMES.stream().map(n -> SELECTED_AS.getOrDefault(n, n)).collect(Collectors.joining(", "));

  private static final int RECEIVED_AT = NAMES.indexOf("received_at");

  /**
   * Counts the open entries {@link #page} would list from the start with these filters; one entry
   * however many copies of it are stored.
   *
   * @throws SinkException as {@link #page} does
   */
  long count(Instant since, String reasonContains) throws SinkException {
    String sql =
        "SELECT count(DISTINCT (event_key, received_at)) FROM "
            + DuckDbSchema.OPEN_VIEW
            + " WHERE received_at >= make_timestamptz(?)"
            + " AND (? IS NULL OR contains(lower(reason), lower(?)))";
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setLong(1, micros(since));
      ps.setString(2, reasonContains);
      ps.setString(3, reasonContains);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw DuckDbStore.failure("DuckDB count of " + DuckDbSchema.OPEN_VIEW + " in " + file, e);
    }
  }

  /**
   * One page of open quarantine entries, oldest first by {@code received_at} then {@code
   * event_key}, after the entry {@code after} (null: from the start).
   *
   * @throws SinkException transient when the file is locked or an I/O error occurs, else permanent
   */
  List<OpenEntry> page(Instant since, String reasonContains, OpenEntry after, int limit)
      throws SinkException {
    String sql =
        "SELECT "
            + OPEN_COLUMNS
            + " FROM "
            + DuckDbSchema.OPEN_VIEW
            + " WHERE received_at >= make_timestamptz(?)"
            + " AND (? IS NULL OR contains(lower(reason), lower(?)))"
            + " AND (received_at > make_timestamptz(?)"
            + " OR (received_at = make_timestamptz(?) AND event_key > ?))"
            + " ORDER BY received_at, event_key LIMIT ?";
    long sinceMicros = micros(since);
    long afterMicros = micros(after == null ? null : after.context().receivedAt());
    String afterKey = after == null ? "" : after.entry().eventKey();
    List<OpenEntry> page = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setLong(1, sinceMicros);
      ps.setString(2, reasonContains);
      ps.setString(3, reasonContains);
      ps.setLong(4, afterMicros);
      ps.setLong(5, afterMicros);
      ps.setString(6, afterKey);
      ps.setInt(7, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Object[] v = new Object[NAMES.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = rs.getObject(i + 1);
          }
          v[RECEIVED_AT] =
              Instant.EPOCH.plus(((Number) v[RECEIVED_AT]).longValue(), ChronoUnit.MICROS);
          page.add(OpenEntry.fromColumns(name -> v[NAMES.indexOf(name)]));
        }
      }
    } catch (SQLException e) {
      throw DuckDbStore.failure("DuckDB read of " + DuckDbSchema.OPEN_VIEW + " in " + file, e);
    } catch (IllegalArgumentException e) {
      throw SinkException.permanent(
          "a quarantine row of " + file + " is malformed: " + e.getMessage(), e);
    }
    return page;
  }

  /** Microseconds since the epoch; null (no bound) is before every entry. */
  private static long micros(Instant t) {
    return t == null ? Long.MIN_VALUE / 2 : ChronoUnit.MICROS.between(Instant.EPOCH, t);
  }
}
