package io.deezwatts.cli.serve;

import io.deezwatts.core.auth.PushAuthenticator;
import java.lang.System.Logger.Level;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Lets through only requests whose {@code Authorization} carries the push secret (Bearer, or Basic
 * with the secret as password), checked by the same {@link PushAuthenticator} as the HTTP push
 * endpoint, before the body is read. Anything else gets 401 and one log line with the reason, never
 * the credential. In the cloud, Eventarc's IAM guards the Pub/Sub function; locally this does.
 */
final class SecretHandler extends Handler.Wrapper {
  private static final System.Logger LOG = System.getLogger(SecretHandler.class.getName());

  private final PushAuthenticator authenticator;
  private final String role;

  SecretHandler(PushAuthenticator authenticator, String role, Handler next) {
    super(next);
    this.authenticator = authenticator;
    this.role = role;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (authenticator.authenticate(header) == PushAuthenticator.Decision.ALLOWED) {
      return super.handle(request, response, callback);
    }
    LOG.log(
        Level.WARNING,
        "{0} request from {1} refused: 401, {2}",
        role,
        Request.getRemoteAddr(request),
        header == null
            ? "no Authorization header"
            : "the Authorization header does not carry the secret");
    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
    Response.writeError(request, response, callback, 401);
    return true;
  }
}
