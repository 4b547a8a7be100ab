package io.deezwatts.sink.duckdb;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.deezwatts.core.util.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import org.duckdb.DuckDBConnection;

/**
 * Answers {@code deezwatts sql} and {@code deezwatts requeue} from other processes while this one
 * holds the file: DuckDB lets only one process open it. Listens on loopback only; every request
 * needs the token written, with the port, to an owner-only file beside the database ({@link
 * LocalFiles#endpointOf}), as {@code Authorization: Bearer TOKEN}, compared in constant time.
 *
 * <p>Two request kinds, each its own path:
 *
 * <ul>
 *   <li>{@code POST /sql}, the body a query: read-only. Anything but a SELECT is refused (400), and
 *       each runs in a read-only transaction on its own connection, beside the writer. The answer
 *       is the printed table.
 *   <li>{@code POST /requeue}, the body the options ({@link RequeueChannel}): runs the requeue in
 *       this process through its own sink, so its writes are serialised with this process's ingest
 *       and dedup; a dry run writes nothing. Progress lines stream back, then the report. One
 *       requeue at a time (409 while one runs). It is not SQL: the SELECT channel stays read-only.
 * </ul>
 *
 * A missing or wrong token is 401, a body over {@link #MAX_QUERY_BYTES} 413.
 */
final class QueryServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(QueryServer.class.getName());

  /** The largest query text accepted. */
  static final int MAX_QUERY_BYTES = 1 << 20;

  private final DuckDbStore store;
  private final DuckDBConnection root;
  private final Path endpoint;
  private final byte[] token;
  private final HttpServer http;
  private final ExecutorService workers;
  private final RequeueChannel requeue;

  private QueryServer(
      DuckDbStore store, DuckDBConnection root, Path endpoint, byte[] token, HttpServer http) {
    this.store = store;
    this.root = root;
    this.endpoint = endpoint;
    this.token = token;
    this.http = http;
    this.requeue = new RequeueChannel(store);
    this.workers = Executors.newFixedThreadPool(2, DaemonThreads.named("deezwatts-sql"));
  }

  /**
   * Starts listening and writes the endpoint file.
   *
   * @throws IllegalStateException when no loopback port can be had or the file cannot be written
   */
  static QueryServer start(DuckDbStore store, Path endpoint) {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    try {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      // Queries get their own connections, duplicated from one that never runs a statement: the
      // writer's is in use by another thread, in or out of a transaction.
      QueryServer server =
          new QueryServer(
              store,
              store.connection().duplicate(),
              endpoint,
              token.getBytes(StandardCharsets.US_ASCII),
              http);
      http.createContext("/sql", server::handle);
      http.createContext("/requeue", server::handle);
      http.setExecutor(server.workers);
      http.start();
      RunningStore.write(
          endpoint, http.getAddress().getPort(), token, ProcessHandle.current().pid());
      return server;
    } catch (IOException | SQLException e) {
      throw new IllegalStateException(
          "cannot offer queries on " + store.file() + " to other processes: " + e.getMessage(), e);
    }
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      if (!"POST".equals(x.getRequestMethod())) {
        answer(x, 405, "POST a query or a requeue");
        return;
      }
      String auth = x.getRequestHeaders().getFirst("Authorization");
      byte[] given =
          auth != null && auth.startsWith("Bearer ")
              ? auth.substring(7).getBytes(StandardCharsets.US_ASCII)
              : new byte[0];
      if (!MessageDigest.isEqual(given, token)) {
        LOG.warning("refused a query: 401, missing or wrong token");
        answer(x, 401, "missing or wrong token");
        return;
      }
      String length = x.getRequestHeaders().getFirst("Content-Length");
      if (length != null && Long.parseLong(length) > MAX_QUERY_BYTES) {
        answer(x, 413, "a query is at most " + MAX_QUERY_BYTES + " bytes");
        return;
      }
      byte[] body;
      try (InputStream in = x.getRequestBody()) {
        body = in.readNBytes(MAX_QUERY_BYTES + 1);
      }
      if (body.length > MAX_QUERY_BYTES) {
        answer(x, 413, "a query is at most " + MAX_QUERY_BYTES + " bytes");
        return;
      }
      String sql = new String(body, StandardCharsets.UTF_8);
      if ("/requeue".equals(x.getHttpContext().getPath())) {
        requeue.handle(x, sql);
        return;
      }
      try {
        answer(x, 200, query(sql));
      } catch (SQLException e) {
        answer(x, 400, DuckDbStore.firstLine(e.getMessage()));
      }
    } catch (NumberFormatException e) {
      answer(x, 400, "bad Content-Length");
    }
  }

  /**
   * Runs one read-only query and returns the printed table.
   *
   * @throws SQLException when the query is not a single SELECT, or fails
   */
  String query(String sql) throws SQLException {
    try (DuckDBConnection c = root.duplicate();
        Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      try (ResultSet check =
          s.executeQuery(
              "SELECT json_extract(json_serialize_sql('"
                  + sql.replace("'", "''")
                  + "'), '$.error')::BOOLEAN")) {
        check.next();
        if (check.getBoolean(1)) {
          throw new SQLException(
              "read-only: only a single SELECT runs while another deezwatts process holds the"
                  + " file; stop it to change data");
        }
      }
      s.execute("BEGIN TRANSACTION READ ONLY");
      try (Statement q = c.createStatement();
          ResultSet rs = q.executeQuery(sql)) {
        StringWriter text = new StringWriter();
        ResultTable.print(rs, new PrintWriter(text));
        return text.toString();
      } finally {
        try (Statement end = c.createStatement()) {
          end.execute("ROLLBACK");
        }
      }
    }
  }

  static void answer(HttpExchange x, int status, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(status, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  /** Stops answering and removes the endpoint file. */
  @Override
  public void close() {
    http.stop(0);
    workers.shutdownNow();
    try {
      root.close();
    } catch (SQLException e) {
      // Closing: the store's connection goes next.
    }
    try {
      Files.deleteIfExists(endpoint);
    } catch (IOException e) {
      // A stale endpoint is ignored by sql (nothing answers) and removed at the next open.
    }
  }

  /** Writes {@code text} to {@code file}, readable and writable by the owner only, atomically. */
  static void writePrivate(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp =
          Files.createTempFile(
              dir,
              ".endpoint-",
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException notPosix) {
      tmp = Files.createTempFile(dir, ".endpoint-", ".tmp");
    }
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
