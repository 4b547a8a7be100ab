package io.deezwatts.cli.serve;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Ends the connection, and says so with {@code Connection: close}, after an answer given before the
 * request's body was read to its end: a 401 for a wrong secret, a 413 over the limit. Whether the
 * server could still have read the rest of such a body depends on how much of it had arrived; a
 * sender that took the connection as reusable could then write its next request into a socket the
 * server was closing. Saying "close" makes the sender open a new one every time. Answers to bodies
 * read to the end (every accepted bulk) keep their connection.
 */
final class EarlyAnswerHandler extends Handler.Wrapper {
  EarlyAnswerHandler(Handler next) {
    super(next);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    boolean hasBody =
        request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
    if (!hasBody) {
      return super.handle(request, response, callback);
    }
    ReadToEnd body = new ReadToEnd(request);
    return super.handle(body, new CloseUnlessRead(request, response, body), callback);
  }

  /** Notices when the body's last chunk has been read. */
  private static final class ReadToEnd extends Request.Wrapper {
    private volatile boolean ended;

    ReadToEnd(Request request) {
      super(request);
    }

    @Override
    public Content.Chunk read() {
      Content.Chunk chunk = super.read();
      if (chunk != null && chunk.isLast()) {
        ended = true;
      }
      return chunk;
    }
  }

  /** Adds {@code Connection: close} at commit unless the body was read to its end. */
  private static final class CloseUnlessRead extends Response.Wrapper {
    private final ReadToEnd body;

    CloseUnlessRead(Request request, Response response, ReadToEnd body) {
      super(request, response);
      this.body = body;
    }

    @Override
    public void write(boolean last, ByteBuffer content, Callback callback) {
      if (!isCommitted() && !body.ended) {
        getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
      }
      super.write(last, content, callback);
    }
  }
}
