package io.deezwatts.core.push;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.deezwatts.core.auth.PushAuthenticator;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Limits;
import io.deezwatts.core.ingest.IngestOutcome;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.log.RequestTrace;
import io.deezwatts.core.sink.SinkException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The HTTP push endpoint Connected Cars posts bulks to, independent of the platform: the Google
 * Cloud and Azure functions translate their request into {@link #handle} and its {@link
 * PushResponse} back. It answers 200 only after the sink has stored everything.
 *
 * <p>Statuses: 405 for anything but POST; 404 for an unknown path; 401 without the secret (never
 * saying which part was wrong) or with a bad signature; 415 for a multipart body or a {@code
 * Content-Encoding} other than gzip; 413 above 32 MiB, received or decompressed; 400 for a body
 * that is not a JSON array or not valid gzip (stored raw in quarantine first); 503 when storing
 * failed transiently (retry); 500 when it failed for good or something unexpected happened.
 */
public final class PushEndpoint {
  private static final Logger LOG = Logger.getLogger(PushEndpoint.class.getName());
  private static final String TOO_LARGE =
      "the body is larger than " + Limits.MAX_BODY_BYTES + " bytes (32 MiB)";

  /** Checks the body against the {@code X-Request-Signature} header; returns null or a reason. */
  @FunctionalInterface
  public interface SignatureCheck {
    /** Null when the signature holds; otherwise a short reason, safe to log. */
    String problem(String header, byte[] body);
  }

  private final IngestService service;
  private final Predicate<String> authorization;
  private final SignatureCheck signature;
  private final String defaultFeed;
  private final Duration deadline;
  private final Clock clock;

  /**
   * What an adapter answers when the sink cannot even be opened: nothing was stored, so the sender
   * should retry. The same answer as a transient storage failure.
   */
  public static final PushResponse STORAGE_UNAVAILABLE =
      error(503, "storage is unavailable; retry the bulk");

  /**
   * What an adapter answers when the endpoint could not get ready: 500 for a configuration failure
   * (a retry cannot help; the log names the setting), else {@link #STORAGE_UNAVAILABLE}. The cause
   * goes to the log, never to the sender.
   */
  public static PushResponse notReady(StartupFailure failure) {
    return failure.configuration()
        ? error(500, "the function is not configured; see its log")
        : STORAGE_UNAVAILABLE;
  }

  /**
   * The endpoint the environment configures, for an ingest service given later. Reads {@code
   * DEEZWATTS_HTTP_TOKEN}, {@code DEEZWATTS_FEED}, {@code DEEZWATTS_DEADLINE_SECONDS} and the
   * signature settings now, so that a misconfigured function fails as it starts; opens nothing.
   *
   * @throws IllegalStateException when {@code DEEZWATTS_HTTP_TOKEN} is not set
   * @throws IllegalArgumentException naming a malformed setting
   */
  public static Function<IngestService, PushEndpoint> configured(Map<String, String> env) {
    PushSettings settings = PushSettings.fromEnvironment(env);
    PushAuthenticator authenticator = new PushAuthenticator(PushSettings.httpToken(env));
    SignatureCheck signature = PushSignatures.fromEnvironment(env);
    return service ->
        new PushEndpoint(
            service,
            header -> authenticator.authenticate(header) == PushAuthenticator.Decision.ALLOWED,
            signature,
            settings.defaultFeed(),
            settings.deadline(),
            Clock.systemUTC());
  }

  /**
   * @param service decodes and stores bulks
   * @param authorization true for an {@code Authorization} header value (or null) that carries the
   *     secret
   * @param signature the {@code X-Request-Signature} check, or null when not configured
   * @param defaultFeed the feed for the root path
   * @param deadline how long a bulk may take to store, retries included; less than the function's
   *     own timeout
   */
  public PushEndpoint(
      IngestService service,
      Predicate<String> authorization,
      SignatureCheck signature,
      String defaultFeed,
      Duration deadline,
      Clock clock) {
    this.service = service;
    this.authorization = authorization;
    this.signature = signature;
    this.defaultFeed = defaultFeed;
    this.deadline = deadline;
    this.clock = clock;
  }

  /** The feed a request path selects, or null for an unknown path. */
  public String feedFor(String path) {
    String p = path == null ? "" : path;
    while (p.endsWith("/") && p.length() > 1) {
      p = p.substring(0, p.length() - 1);
    }
    return switch (p) {
      case "", "/" -> defaultFeed;
      case "/data-streams" -> "data-streams";
      case "/legacy", "/legacy/account", "/legacy/car" -> "legacy-push";
      case "/viriciti" -> "viriciti";
      default -> null;
    };
  }

  /**
   * Handles one push. Never throws: every failure becomes a status with a short JSON error.
   *
   * @param method the HTTP method
   * @param path the request path
   * @param headers a header's first value by name (case-insensitive), or null
   * @param contentLength the declared length, or -1
   * @param body the request body, read here up to the limit
   */
  public PushResponse handle(
      String method,
      String path,
      Function<String, String> headers,
      long contentLength,
      InputStream body) {
    return handle(method, path, headers, contentLength, body, LOG);
  }

  /**
   * Handles one push, logging to {@code log} (Azure passes its {@code ExecutionContext} logger):
   * one line per refused request (status and reason, never a credential) and one per bulk (feed,
   * counts, duration), with the request's trace id set for the lines written meanwhile.
   */
  public PushResponse handle(
      String method,
      String path,
      Function<String, String> headers,
      long contentLength,
      InputStream body,
      Logger log) {
    RequestTrace.set(
        RequestTrace.parse(headers.apply("X-Cloud-Trace-Context"), headers.apply("traceparent")));
    try {
      return answer(method, path, headers, contentLength, body, log);
    } finally {
      RequestTrace.set(null);
    }
  }

  private PushResponse answer(
      String method,
      String path,
      Function<String, String> headers,
      long contentLength,
      InputStream body,
      Logger log) {
    String requestId = headers.apply("X-Request-Id");
    if (!"POST".equalsIgnoreCase(method)) {
      return refuse(log, requestId, path, 405, "only POST is allowed");
    }
    String feed = feedFor(path);
    if (feed == null) {
      return refuse(
          log,
          requestId,
          path,
          404,
          "unknown path; use /, /data-streams, /legacy/account or /legacy/car");
    }
    if (!authorization.test(headers.apply("Authorization"))) {
      // Never which part was wrong, and never the header itself.
      return refuse(log, requestId, path, 401, "unauthorized");
    }
    String contentType = headers.apply("Content-Type");
    if (contentType != null
        && contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      // Its parts would be stored as one opaque body, or (on some hosts) not at all.
      drain(body);
      return refuse(
          log,
          requestId,
          path,
          415,
          "multipart bodies are not accepted; send the JSON bulk itself as the body");
    }
    ContentEncoding encoding = ContentEncoding.of(headers.apply("Content-Encoding"));
    if (encoding == null) {
      drain(body);
      return refuse(
          log, requestId, path, 415, "unsupported Content-Encoding; send the body as is or gzip");
    }
    if (contentLength > Limits.MAX_BODY_BYTES) {
      drain(body);
      return refuse(log, requestId, path, 413, TOO_LARGE);
    }
    byte[] bytes;
    try {
      bytes = body.readNBytes(Limits.MAX_BODY_BYTES + 1);
    } catch (IOException e) {
      return refuse(log, requestId, path, 400, "could not read the request body");
    }
    if (bytes.length > Limits.MAX_BODY_BYTES) {
      drain(body);
      return refuse(log, requestId, path, 413, TOO_LARGE);
    }
    if (signature != null) {
      String problem = signature.problem(headers.apply("X-Request-Signature"), bytes);
      if (problem != null) {
        logRefusal(log, requestId, path, 401, "X-Request-Signature " + problem);
        return error(401, "unauthorized");
      }
    }
    Instant now = clock.instant();
    long started = System.nanoTime();
    IngestContext context =
        new IngestContext(now, IngestContext.Source.HTTP, requestId, null, Map.of());
    try {
      IngestOutcome outcome;
      try {
        outcome =
            service.ingest(
                feed, encoding.decode(bytes, Limits.MAX_BODY_BYTES), context, now.plus(deadline));
      } catch (ContentEncoding.TooLargeException e) {
        return refuse(log, requestId, path, 413, e.getMessage());
      } catch (IOException e) {
        // Not gzip after all: kept as received (base64 in quarantine), answered 400.
        outcome =
            service.reject(
                feed,
                bytes,
                context,
                "the body is not valid gzip (Content-Encoding: gzip): " + e.getMessage(),
                now.plus(deadline));
      }
      LogFields.bulk(log, feed, context, outcome, millisSince(started));
      if (!outcome.accepted()) {
        return error(400, outcome.error());
      }
      return new PushResponse(
          200,
          "{\"status\":\"accepted\",\"events\":"
              + outcome.events()
              + ",\"stored\":"
              + outcome.written().rowsStored()
              + ",\"quarantined\":"
              + outcome.written().quarantined()
              + "}");
    } catch (SinkException e) {
      LogFields.notStored(
          log, feed, context, e.isTransient(), e.getMessage(), millisSince(started));
      return e.isTransient()
          ? STORAGE_UNAVAILABLE
          : error(500, "storage failed; the bulk was not stored");
    } catch (RuntimeException e) {
      LogFields.log(
          log,
          java.util.logging.Level.SEVERE,
          "bulk failed unexpectedly",
          e,
          "outcome",
          "failed",
          "feed",
          feed,
          "source",
          "http",
          "request_id",
          requestId);
      return error(500, "internal error; the bulk was not stored");
    }
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static PushResponse refuse(
      Logger log, String requestId, String path, int status, String reason) {
    logRefusal(log, requestId, path, status, reason);
    return error(status, reason);
  }

  /** One line per refused request: its status and reason, never a credential. */
  private static void logRefusal(
      Logger log, String requestId, String path, int status, String reason) {
    LogFields.log(
        log,
        java.util.logging.Level.WARNING,
        "push refused",
        "outcome",
        "refused",
        "status",
        status,
        "reason",
        reason,
        "request_id",
        requestId,
        "path",
        path);
  }

  /**
   * Reads and discards what is left of an oversized body, up to twice the limit, so that the sender
   * receives the 413 instead of a connection closed while it is still sending.
   */
  private static void drain(InputStream body) {
    try {
      long left = 2L * Limits.MAX_BODY_BYTES;
      byte[] buffer = new byte[64 * 1024];
      int n;
      while (left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The sender went away; there is no one left to answer.
    }
  }

  private static PushResponse error(int status, String message) {
    return new PushResponse(
        status,
        "{\"error\":\""
            + new String(JsonStringEncoder.getInstance().quoteAsString(message))
            + "\"}");
  }
}
