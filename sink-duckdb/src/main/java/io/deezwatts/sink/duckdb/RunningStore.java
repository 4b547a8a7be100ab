package io.deezwatts.sink.duckdb;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * A deezwatts process that holds a DuckDB file and answers read-only queries on it: what {@code
 * deezwatts sql} uses while {@code serve}, the bridge or {@code ingest} runs.
 */
public final class RunningStore {
  private final Path database;
  private final int port;
  private final String token;

  private RunningStore(Path database, int port, String token) {
    this.database = database;
    this.port = port;
    this.token = token;
  }

  /** The answer to one query: the printed table, or the error. */
  public record Answer(boolean ok, String text) {}

  /**
   * The process serving queries on {@code database}, if its endpoint file is there.
   *
   * @throws IOException when the endpoint file exists but cannot be read
   */
  public static Optional<RunningStore> find(Path database) throws IOException {
    Path file = LocalFiles.endpointOf(database.toAbsolutePath().normalize());
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new RunningStore(
              database, Integer.parseInt(p.getProperty("port")), p.getProperty("token")));
    } catch (NumberFormatException | NullPointerException e) {
      return Optional.empty(); // half-written or foreign: treat as absent
    }
  }

  static void write(Path endpoint, int port, String token, long pid) throws IOException {
    QueryServer.writePrivate(
        endpoint,
        "# deezwatts: the process "
            + pid
            + " answers 'deezwatts sql' for this file; removed when it stops\n"
            + "pid="
            + pid
            + "\nport="
            + port
            + "\ntoken="
            + token
            + "\n");
  }

  /**
   * Runs a read-only query in the process that holds the file.
   *
   * @return empty when nothing answers (the process is gone and left its endpoint behind)
   * @throws IOException when the process answered but the exchange failed
   */
  public Optional<Answer> query(String sql) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://"
                        + InetAddress.getLoopbackAddress().getHostAddress()
                        + ":"
                        + port
                        + "/sql"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
            .build();
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Answer(r.statusCode() == 200, r.body()));
    } catch (ConnectException gone) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "the deezwatts process holding " + database;
  }
}
