package io.deezwatts.core.cc;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sending to Connected Cars' APIs (the GraphQL API and the auth API), with one failure mapping. */
final class CcHttp {
  private CcHttp() {}

  /**
   * Sends the request and reads the answer as UTF-8 text, whatever its status.
   *
   * @param peer who answers, for the timeout message ("Connected Cars", "the auth API")
   * @param reaching what could not be reached, for the I/O error message (a URL, or a name and URL)
   * @throws CcException.Unavailable on a timeout, an I/O error or an interrupt (the interrupt flag
   *     is kept): transient, a later attempt may succeed
   */
  static HttpResponse<String> send(
      HttpClient http,
      HttpRequest request,
      Duration timeout,
      String operation,
      String peer,
      String reaching)
      throws CcException.Unavailable {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpTimeoutException e) {
      throw new CcException.Unavailable(
          operation, peer + " did not answer within " + timeout.toSeconds() + " s");
    } catch (IOException e) {
      throw new CcException.Unavailable(
          operation, "cannot reach " + reaching + " (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CcException.Unavailable(operation, "interrupted");
    }
  }
}
