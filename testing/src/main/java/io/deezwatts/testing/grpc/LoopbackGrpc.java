package io.deezwatts.testing.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** Starts and stops the gRPC stand-ins' servers: plaintext, an ephemeral loopback port. */
public final class LoopbackGrpc {
  private LoopbackGrpc() {}

  /**
   * A started server for {@code service}.
   *
   * @param maxInboundMessageSize the largest request it takes, in bytes
   */
  public static Server start(BindableService service, int maxInboundMessageSize) {
    try {
      return NettyServerBuilder.forAddress(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .addService(service)
          .maxInboundMessageSize(maxInboundMessageSize)
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops {@code server} now, waiting up to 5 s for its calls to end. */
  public static void stop(Server server) {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
