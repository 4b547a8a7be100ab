package io.deezwatts.cli.viriciti;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.testing.viriciti.LocalLiveServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Shared pieces of the bridge tests: messages, fast settings, a flaky sink and captured logs. */
final class BridgeFixture {
  static final String API_KEY = "test-key-7c1f&secret";
  static final Duration WAIT = Duration.ofSeconds(20);

  private BridgeFixture() {}

  static String resource(String name) {
    try (InputStream in = BridgeFixture.class.getResourceAsStream("/viriciti/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource viriciti/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The spec's example messages, one per line: 1 vehicle, 5 charging station, 1 incident. */
  static List<String> specMessages() {
    return resource("messages.jsonl").lines().filter(l -> !l.isBlank()).toList();
  }

  /** A vehicle data point; {@code i} makes it distinct. */
  static String vehicle(int i) {
    return String.format(
        Locale.ROOT,
        "{\"type\":\"vehicles\",\"payload\":{\"time\":%d,\"value\":%d.5,\"label\":\"soc\","
            + "\"vid\":\"vehicle_1\"}}",
        1552665820742L + i,
        i % 100);
  }

  static List<String> vehicles(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(vehicle(i));
    }
    return out;
  }

  /** Settings with small timings (on the test's clock where it is {@link ManualTimers}). */
  static ViricitiBridge.Settings settings(LocalLiveServer server, Subscription subscription) {
    ViricitiBridge.Settings s = new ViricitiBridge.Settings();
    s.apiKey = API_KEY;
    s.subscription = subscription;
    s.uri = LiveUrl.build(server.baseUrl(), API_KEY, subscription.wantsInitialState());
    s.batchSize = 10;
    s.flushInterval = Duration.ofMillis(50);
    s.bufferCapacity = 1000;
    s.pingInterval = Duration.ofMillis(200);
    s.readTimeout =
        Duration.ofSeconds(
            60); // longer than any wait: only the silent-socket test, with its own, drops sockets
    s.reconnectInitial = Duration.ofMillis(10);
    s.reconnectMax = Duration.ofMillis(100);
    s.writeRetryInitial = Duration.ofMillis(10);
    s.writeRetryMax = Duration.ofMillis(50);
    s.shutdownTimeout = Duration.ofSeconds(10);
    return s;
  }

  static DuckDbSink duckDb(Path dir) {
    return new DuckDbSink(dir.resolve("viriciti.duckdb"), Catalog.standard());
  }

  static long count(DuckDbSink sink, String sql) {
    try (Statement s = sink.connection().createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * A fake of our own {@link Sink} port wrapping the real DuckDB sink: while {@link #down} is set,
   * every write fails transiently, as BigQuery does during an outage.
   */
  static final class FlakySink implements Sink {
    final Sink real;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger failures = new AtomicInteger();

    FlakySink(Sink real) {
      this.real = real;
    }

    @Override
    public WriteResult write(SinkBatch batch, Instant deadline) throws SinkException {
      if (down.get()) {
        failures.incrementAndGet();
        throw SinkException.transientFailure("the warehouse is unavailable (test outage)", null);
      }
      return real.write(batch, deadline);
    }

    @Override
    public String describe() {
      return "flaky(" + real.describe() + ")";
    }

    @Override
    public void close() {
      real.close();
    }
  }

  /** Captures the bridge's log records. */
  static final class Logs implements AutoCloseable {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(ViricitiBridge.class.getName());
    private final Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };

    Logs() {
      handler.setLevel(Level.ALL);
      logger.addHandler(handler);
    }

    boolean has(Level level, String part) {
      return records.stream()
          .anyMatch(r -> r.getLevel().equals(level) && r.getMessage().contains(part));
    }

    String all() {
      StringBuilder b = new StringBuilder();
      for (LogRecord r : records) {
        b.append(r.getLevel()).append(' ').append(r.getMessage()).append('\n');
      }
      return b.toString();
    }

    @Override
    public void close() {
      logger.removeHandler(handler);
    }
  }
}
