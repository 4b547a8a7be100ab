package io.deezwatts.cli.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Holds every request body to a limit before anything buffers it: a declared {@code Content-Length}
 * over the limit gets 413 without a byte being kept (up to twice the limit is read and discarded
 * first, so that the sender is reading when the answer comes). A body of unknown length (chunked)
 * is, when {@code readUnknownLength}, read here up to one byte past the limit, answered 413 if it
 * goes past, and otherwise handed on from memory; that is for functions whose executor would buffer
 * the whole body (the CloudEvents one). Otherwise it streams on to a function that stops reading at
 * the limit itself (the push endpoint does, and answers 413). Bodies within the limit with a
 * declared length always stream through untouched.
 *
 * <p>Jetty's own {@code SizeLimitHandler} fails a chunked body inside the function instead, which
 * the invoker's executors turn into a 500 with a stack trace in the log.
 */
final class BodyLimitHandler extends Handler.Wrapper {
  private final int limit;
  private final boolean readUnknownLength;

  BodyLimitHandler(int limit, boolean readUnknownLength, Handler next) {
    super(next);
    this.limit = limit;
    this.readUnknownLength = readUnknownLength;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    long declared = request.getLength();
    if (declared > limit) {
      // Read and discard (never hold) up to twice the limit first, as the push endpoint does:
      // closing on a sender still writing resets the connection before it reads the 413.
      drain(request, 2L * limit);
      Response.writeError(request, response, callback, 413);
      return true;
    }
    if (declared >= 0 || !readUnknownLength) {
      return super.handle(request, response, callback);
    }
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readNBytes(limit + 1);
    }
    if (body.length > limit) {
      Response.writeError(request, response, callback, 413);
      return true;
    }
    return super.handle(new Buffered(request, body), response, callback);
  }

  private static void drain(Request request, long max) throws IOException {
    byte[] discard = new byte[64 * 1024];
    long read = 0;
    try (InputStream in = Content.Source.asInputStream(request)) {
      int n;
      while (read < max && (n = in.read(discard)) > 0) {
        read += n;
      }
    }
  }

  /** The request with its body, already read, served from memory. */
  private static final class Buffered extends Request.Wrapper {
    private ByteBuffer left;

    Buffered(Request request, byte[] body) {
      super(request);
      this.left = ByteBuffer.wrap(body);
    }

    @Override
    public long getLength() {
      return left == null ? 0 : left.capacity();
    }

    @Override
    public synchronized Content.Chunk read() {
      if (left == null) {
        return Content.Chunk.EOF;
      }
      Content.Chunk chunk = Content.Chunk.from(left, true);
      left = null;
      return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
      demandCallback.run();
    }

    @Override
    public void fail(Throwable failure) {
      // Nothing is left to read from the connection.
    }
  }
}
