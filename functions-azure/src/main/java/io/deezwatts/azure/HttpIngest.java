package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushResponse;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

/**
 * The endpoint Connected Cars pushes bulks to, on Azure Functions: {@code POST
 * https://APP.azurewebsites.net/api/data-streams?code=FUNCTION_KEY} (or {@code
 * /api/legacy/account}, {@code /api/legacy/car}). A thin adapter over core's {@link PushEndpoint},
 * the same code the Google Cloud function runs, so statuses and semantics are the same: 200 only
 * after the sink stored everything, 400 for a body that is not a JSON array (quarantined raw
 * first), 401 without the secret, 405 for anything but POST, 413 above 32 MiB, 503 when storing
 * failed transiently (the sender retries), 500 otherwise. Never a stack trace.
 *
 * <p>Two locks: the host's function key (auth level {@code FUNCTION}, the {@code code} query
 * parameter) and {@code DEEZWATTS_HTTP_TOKEN} as {@code Authorization: Bearer} or Basic, checked in
 * constant time; optionally {@code X-Request-Signature} ({@code DEEZWATTS_SIGNATURE_PUBLIC_KEYS}).
 */
public final class HttpIngest {
  /** The host's route prefix ({@code extensions.http.routePrefix} in host.json). */
  static final String ROUTE_PREFIX = "/api";

  private final FunctionApp app;

  /** The constructor the Java worker calls. */
  public HttpIngest() {
    this(FunctionApp.shared());
  }

  HttpIngest(FunctionApp app) {
    this.app = app;
  }

  /**
   * Handles one push. Never throws: every failure becomes a status with a short JSON error, and its
   * cause goes to the log.
   */
  @FunctionName("HttpIngest")
  public HttpResponseMessage run(
      @HttpTrigger(
              name = "request",
              methods = {
                HttpMethod.GET,
                HttpMethod.POST,
                HttpMethod.PUT,
                HttpMethod.PATCH,
                HttpMethod.DELETE,
                HttpMethod.HEAD,
                HttpMethod.OPTIONS
              },
              authLevel = AuthorizationLevel.FUNCTION,
              route = "{*feed}",
              dataType = "binary")
          HttpRequestMessage<Optional<byte[]>> request,
      ExecutionContext context) {
    PushEndpoint endpoint;
    try {
      endpoint = app.push();
    } catch (RuntimeException e) {
      // Nothing was stored: 500 for a bad setting (no retry can fix it), else 503.
      StartupFailure failure = StartupFailure.of(e);
      PushResponse answer = PushEndpoint.notReady(failure);
      failure.log(context.getLogger(), "status", answer.status());
      return respond(request, answer);
    }
    Map<String, String> headers = request.getHeaders();
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().orElse(new byte[0]);
    InputStream in = new ByteArrayInputStream(body);
    PushResponse answer =
        endpoint.handle(
            request.getHttpMethod() == null ? "" : request.getHttpMethod().name(),
            feedPath(request.getUri() == null ? null : request.getUri().getPath()),
            name -> header(headers, name),
            contentLength(headers, body.length),
            in,
            context.getLogger());
    if (answer.status() >= 500) {
      context
          .getLogger()
          .log(
              Level.WARNING,
              "push " + header(headers, "X-Request-Id") + " answered " + answer.status());
    }
    return respond(request, answer);
  }

  /** The path below the route prefix: {@code /api/legacy/car} is {@code /legacy/car}. */
  static String feedPath(String uriPath) {
    if (uriPath == null || uriPath.isEmpty()) {
      return "/";
    }
    if (uriPath.equals(ROUTE_PREFIX)) {
      return "/";
    }
    if (uriPath.startsWith(ROUTE_PREFIX + "/")) {
      return uriPath.substring(ROUTE_PREFIX.length());
    }
    return uriPath;
  }

  private static long contentLength(Map<String, String> headers, int bodyLength) {
    String declared = header(headers, "Content-Length");
    if (declared != null) {
      try {
        return Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        return bodyLength;
      }
    }
    return bodyLength;
  }

  /** A header's value by name, ignoring case as HTTP does (the host may lowercase names). */
  static String header(Map<String, String> headers, String name) {
    if (headers == null) {
      return null;
    }
    String exact = headers.get(name);
    if (exact != null) {
      return exact;
    }
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static HttpResponseMessage respond(
      HttpRequestMessage<Optional<byte[]>> request, PushResponse answer) {
    HttpResponseMessage.Builder builder =
        request
            .createResponseBuilder(HttpStatus.valueOf(answer.status()))
            .header("Content-Type", "application/json");
    if (answer.status() == 405) {
      builder.header("Allow", "POST");
    }
    return builder.body(answer.json()).build();
  }
}
