package io.deezwatts.cli.replay;

import com.google.pubsub.v1.PublishRequest;
import com.google.pubsub.v1.PublishResponse;
import com.google.pubsub.v1.PubsubMessage;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A local server speaking Pub/Sub's publish protocol: gRPC over HTTP/2 on a loopback port, the
 * service {@code google.pubsub.v1.Publisher} with its {@code Publish} method and the real protobuf
 * messages. It is what {@code PublisherGrpc.PublisherImplBase} generates, written out here because
 * the generated stubs (grpc-google-cloud-pubsub-v1) are missing from this project's Maven mirror.
 * The client reaches it through {@code DEEZWATTS_PUBSUB_ENDPOINT}, as it would reach the emulator.
 */
final class LocalPubSub implements AutoCloseable {
  static final MethodDescriptor<PublishRequest, PublishResponse> PUBLISH =
      MethodDescriptor.<PublishRequest, PublishResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("google.pubsub.v1.Publisher", "Publish"))
          .setRequestMarshaller(ProtoUtils.marshaller(PublishRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(PublishResponse.getDefaultInstance()))
          .build();

  /** What Pub/Sub accepts in one publish request. */
  static final int MAX_REQUEST_BYTES = 10_000_000;

  private static final io.grpc.Metadata.Key<String> ENCODING =
      io.grpc.Metadata.Key.of("grpc-encoding", io.grpc.Metadata.ASCII_STRING_MARSHALLER);

  private final Server server;
  private final AtomicInteger gzipped = new AtomicInteger();
  private final List<PubsubMessage> accepted = new ArrayList<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong largestRequest = new AtomicLong();
  private final AtomicLong acceptedMessages = new AtomicLong();
  private final AtomicLong acceptedBytes = new AtomicLong();
  private final Function<PublishRequest, Status> policy;
  private final boolean keep;
  private volatile String topic;

  /** A server that accepts every request. */
  LocalPubSub() throws IOException {
    this(r -> Status.OK, true);
  }

  /** A server that answers with the policy's status and keeps what it accepts. */
  LocalPubSub(Function<PublishRequest, Status> policy) throws IOException {
    this(policy, true);
  }

  /**
   * @param policy the status to answer each request with; messages of a request answered with
   *     anything but OK are not kept
   * @param keep keep accepted messages ({@link #accepted}); else only count them (load runs)
   */
  LocalPubSub(Function<PublishRequest, Status> policy, boolean keep) throws IOException {
    this.policy = policy;
    this.keep = keep;
    ServerServiceDefinition service =
        ServerServiceDefinition.builder("google.pubsub.v1.Publisher")
            .addMethod(PUBLISH, ServerCalls.asyncUnaryCall(this::publish))
            .build();
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .maxInboundMessageSize(16 * 1024 * 1024) // gRPC's default is 4 MiB
            .addService(
                io.grpc.ServerInterceptors.intercept(
                    service,
                    new io.grpc.ServerInterceptor() {
                      @Override
                      public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(
                          io.grpc.ServerCall<Q, A> call,
                          io.grpc.Metadata headers,
                          io.grpc.ServerCallHandler<Q, A> next) {
                        if ("gzip".equals(headers.get(ENCODING))) {
                          gzipped.incrementAndGet();
                        }
                        return next.startCall(call, headers);
                      }
                    }))
            .build()
            .start();
  }

  private void publish(
      PublishRequest request, io.grpc.stub.StreamObserver<PublishResponse> response) {
    calls.incrementAndGet();
    largestRequest.accumulateAndGet(request.getSerializedSize(), Math::max);
    topic = request.getTopic();
    if (request.getSerializedSize() > MAX_REQUEST_BYTES) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("Request payload size exceeds the limit: 10000000 bytes.")
              .asRuntimeException());
      return;
    }
    Status status = policy.apply(request);
    if (!status.isOk()) {
      response.onError(status.asRuntimeException());
      return;
    }
    PublishResponse.Builder ok = PublishResponse.newBuilder();
    for (PubsubMessage m : request.getMessagesList()) {
      acceptedMessages.incrementAndGet();
      acceptedBytes.addAndGet(m.getData().size());
      ok.addMessageIds(Long.toString(ids.incrementAndGet()));
    }
    if (keep) {
      synchronized (accepted) {
        accepted.addAll(request.getMessagesList());
      }
    }
    response.onNext(ok.build());
    response.onCompleted();
  }

  /** host:port, as {@code DEEZWATTS_PUBSUB_ENDPOINT} takes it. */
  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The messages of the requests answered OK, in arrival order. */
  List<PubsubMessage> accepted() {
    synchronized (accepted) {
      return List.copyOf(accepted);
    }
  }

  /** Messages accepted so far, and their data bytes. */
  long acceptedMessages() {
    return acceptedMessages.get();
  }

  long acceptedBytes() {
    return acceptedBytes.get();
  }

  /** Requests that arrived gzip-compressed. */
  int gzipped() {
    return gzipped.get();
  }

  int calls() {
    return calls.get();
  }

  /** The largest publish request received, in serialized bytes. */
  long largestRequestBytes() {
    return largestRequest.get();
  }

  /** The topic the last request named. */
  String topic() {
    return topic;
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }
}
