package io.deezwatts.cli.serve;

import io.deezwatts.core.decode.Limits;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The body of the errors the server itself answers (401, 413, a function's uncaught failure): the
 * same {@code {"error":"..."}} shape as the push endpoint's, with a fixed text per status so that
 * no exception message, stack or server version reaches the sender.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback callback) {
    String text =
        switch (code) {
          case 401 -> "unauthorized";
          case 413 -> "the body is larger than " + Limits.MAX_BODY_BYTES + " bytes (32 MiB)";
          default -> HttpStatus.getMessage(code).toLowerCase(Locale.ROOT);
        };
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(
        true,
        ByteBuffer.wrap(("{\"error\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8)),
        callback);
  }
}
