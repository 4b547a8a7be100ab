package io.deezwatts.cli.serve;

import com.google.cloud.functions.invoker.BackgroundFunctionExecutor;
import com.google.cloud.functions.invoker.HttpFunctionExecutor;
import io.deezwatts.core.auth.PushAuthenticator;
import io.deezwatts.core.decode.Limits;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * One port of {@code deezwatts serve}: a Jetty server around the Functions Framework's own executor
 * for a function class, the very handler its {@code Invoker} installs, so the function still runs
 * on the real invoker code. What the {@code Invoker} does not give a long-running local server is
 * added here: a chosen bind address, no {@code SO_REUSEPORT} (a second server on the port fails
 * instead of taking a share of the pushes), the 32 MiB body limit before anything is buffered
 * (413), an optional secret (401), and a graceful stop that lets requests in flight finish.
 *
 * <p>The Jetty classes are the ones the invoker jar bundles (Jetty 12.1), not a second copy.
 */
public final class LocalFunctionServer {
  /** Jetty's start and stop notices are noise beside serve's own banner; warnings still show. */
  private static final Logger JETTY_LOG = Logger.getLogger("org.eclipse.jetty");

  static {
    JETTY_LOG.setLevel(Level.WARNING);
  }

  /** How long an upload may pause while stopping before its connection is closed. */
  static final Duration SHUTDOWN_IDLE = Duration.ofSeconds(5);

  private final String role;
  private final String host;
  private final int port;
  private final Server server;
  private final ServerConnector connector;

  private LocalFunctionServer(
      String role, String host, int port, Handler handler, Duration stopTimeout) {
    this.role = role;
    this.host = host;
    this.port = port;
    QueuedThreadPool threads = new QueuedThreadPool();
    threads.setName("deezwatts-" + role.toLowerCase(Locale.ROOT).replace('/', '-'));
    this.server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    this.connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setReuseAddress(true);
    connector.setReusePort(false);
    // While stopping, Jetty closes a connection idle for this long (1 s by default): an idle
    // keep-alive one, but also a bulk whose upload pauses. Give uploads more slack than that.
    connector.setShutdownIdleTimeout(
        Math.max(1, Math.min(SHUTDOWN_IDLE.toMillis(), stopTimeout.toMillis())));
    server.addConnector(connector);
    server.setHandler(new GracefulHandler(new EarlyAnswerHandler(handler)));
    server.setStopTimeout(stopTimeout.toMillis());
    server.setErrorHandler(new JsonErrorHandler());
  }

  /**
   * A server for an HTTP function ({@code com.google.cloud.functions.HttpFunction}).
   *
   * @throws IllegalStateException naming the function and the root cause when its constructor fails
   *     (a malformed setting, say)
   */
  public static LocalFunctionServer http(
      String host, int port, Class<?> function, Duration stopTimeout) {
    Handler executor = executor(function, HttpFunctionExecutor::forClass);
    // The push endpoint itself stops reading a chunked body at the limit and answers 413.
    Handler limited = new BodyLimitHandler(Limits.MAX_BODY_BYTES, false, executor);
    return new LocalFunctionServer("HTTP", host, port, limited, stopTimeout);
  }

  /**
   * A server for a CloudEvents function that takes only requests carrying {@code secret}.
   *
   * @throws IllegalStateException naming the function and the root cause when its constructor fails
   */
  public static LocalFunctionServer cloudEvents(
      String host, int port, Class<?> function, PushAuthenticator secret, Duration stopTimeout) {
    Handler executor = executor(function, BackgroundFunctionExecutor::forClass);
    // The CloudEvents executor reads the whole body: the limit is enforced here, after the secret.
    Handler limited = new BodyLimitHandler(Limits.MAX_BODY_BYTES, true, executor);
    return new LocalFunctionServer(
        "Pub/Sub", host, port, new SecretHandler(secret, "Pub/Sub", limited), stopTimeout);
  }

  private static Handler executor(Class<?> function, Function<Class<?>, Handler> forClass) {
    try {
      return forClass.apply(function);
    } catch (RuntimeException e) {
      Throwable root = rootCause(e);
      throw new IllegalStateException(
          "cannot start " + function.getSimpleName() + ": " + root.getMessage(), root);
    }
  }

  /**
   * The cause under the invoker's "could not construct" and reflection wrappers: what the
   * function's constructor itself threw.
   */
  static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null
        && t.getCause() != t
        && (t instanceof InvocationTargetException
            || t.getClass() == RuntimeException.class
            || t.getMessage() == null)) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Binds the port, without taking requests yet.
   *
   * @throws IllegalStateException saying which address could not be bound and why (another process
   *     listens on it, or the host is not an address of this machine)
   */
  public void bind() {
    try {
      connector.open();
    } catch (Exception e) {
      throw failure(e);
    }
  }

  /**
   * Starts taking requests, binding first if {@link #bind} was not called.
   *
   * @throws IllegalStateException naming the address and the cause; nothing is left running
   */
  public void start() {
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly();
      throw failure(e);
    }
  }

  private IllegalStateException failure(Exception e) {
    BindException bind = find(e, BindException.class);
    String reason = bind != null ? bind.getMessage() : rootCause(e).getMessage();
    String hint =
        reason != null && reason.contains("in use")
            ? " (another deezwatts serve? stop it or choose another --port)"
            : "";
    return new IllegalStateException(
        "cannot listen on " + host + ":" + port + " for " + role + ": " + reason + hint, e);
  }

  private static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The address the server is bound to, as the operating system reports it. */
  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) ((ServerSocketChannel) connector.getTransport()).getLocalAddress();
    } catch (IOException e) {
      return new InetSocketAddress(host, connector.getLocalPort());
    }
  }

  /**
   * Stops gracefully: no new connection or request is taken, requests in flight finish and get
   * their answer, for up to the stop timeout; then whatever is left is closed. Never throws.
   *
   * @return true when nothing was still running at the end of the wait
   */
  public boolean stop() {
    try {
      server.stop();
      return true;
    } catch (Exception e) {
      System.getLogger(LocalFunctionServer.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "{0} server: requests still running after the stop timeout were cut off: {1}",
              role,
              e.toString());
      return false;
    } finally {
      connector.close(); // bound but never started: stop alone leaves the port open
    }
  }

  private void stopQuietly() {
    try {
      server.stop();
    } catch (Exception ignored) {
      // It never started; nothing to release beyond what stop already tried.
    }
    connector.close();
  }
}
