package io.deezwatts.bench;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The cold-start baseline: a hello-world HTTP function with nothing of deezwatts in it. It reads
 * and discards the request body (so the 1.6 MB POST of {@link ColdStart} costs it the same transfer
 * as the real function, and the connection stays clean) and answers 200 "hello".
 */
public final class HelloFunction implements HttpFunction {
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    try (InputStream body = request.getInputStream()) {
      body.transferTo(OutputStream.nullOutputStream());
    }
    response.setContentType("text/plain");
    response.getWriter().write("hello\n");
  }
}
