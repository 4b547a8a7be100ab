package io.deezwatts.bench;

import com.google.cloud.bigquery.storage.v1.AppendRowsRequest;
import com.google.cloud.bigquery.storage.v1.AppendRowsResponse;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteGrpc;
import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for BigQuery's Storage Write API during a benchmark (no BigQuery can be reached from
 * this machine): a gRPC server on a loopback port, the generated {@code BigQueryWrite} service,
 * that counts each append's rows and their serialized bytes and answers as BigQuery does when an
 * append is stored. It does not decode rows (the testing module's stand-in does), so the
 * benchmark's cores go to the sink, not the stand-in.
 */
final class StorageWriteStandIn implements AutoCloseable {
  private static final AppendRowsResponse STORED =
      AppendRowsResponse.newBuilder()
          .setAppendResult(AppendRowsResponse.AppendResult.getDefaultInstance())
          .build();

  private final Server server;
  private final AtomicLong rows = new AtomicLong();
  private final AtomicLong rowBytes = new AtomicLong();
  private final AtomicLong appends = new AtomicLong();

  StorageWriteStandIn() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new Service())
            .maxInboundMessageSize(20 << 20)
            .build()
            .start();
  }

  /** What {@code DEEZWATTS_BIGQUERY_WRITE_ENDPOINT} is set to. */
  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  long rows() {
    return rows.get();
  }

  /** The serialized rows' bytes: what the Storage Write API bills. */
  long rowBytes() {
    return rowBytes.get();
  }

  long appends() {
    return appends.get();
  }

  void reset() {
    rows.set(0);
    rowBytes.set(0);
    appends.set(0);
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Service extends BigQueryWriteGrpc.BigQueryWriteImplBase {
    @Override
    public StreamObserver<AppendRowsRequest> appendRows(
        StreamObserver<AppendRowsResponse> response) {
      return new StreamObserver<>() {
        @Override
        public void onNext(AppendRowsRequest request) {
          long bytes = 0;
          int n = 0;
          for (ByteString row : request.getProtoRows().getRows().getSerializedRowsList()) {
            bytes += row.size();
            n++;
          }
          rows.addAndGet(n);
          rowBytes.addAndGet(bytes);
          appends.incrementAndGet();
          synchronized (response) {
            response.onNext(STORED);
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          synchronized (response) {
            response.onCompleted();
          }
        }
      };
    }
  }
}
