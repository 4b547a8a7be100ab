package io.deezwatts.cli.replay;

import com.google.api.core.ApiFutureCallback;
import com.google.api.core.ApiFutures;
import com.google.api.gax.batching.BatchingSettings;
import com.google.api.gax.batching.FlowControlSettings;
import com.google.api.gax.batching.FlowController;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.pubsub.v1.Publisher;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.UnsafeByteOperations;
import com.google.pubsub.v1.PubsubMessage;
import com.google.pubsub.v1.TopicName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes pieces to a Pub/Sub topic with the Google client's {@link Publisher}: batched requests,
 * its retries of transient errors, gzip, and flow control that blocks {@link #publish} while too
 * many bytes or messages are in flight. Created once per replay.
 */
final class PubSubBulkPublisher implements BulkPublisher {
  /**
   * Pub/Sub takes at most 10,000,000 bytes per publish request (and per message); this leaves room
   * for the attributes and the request's framing.
   */
  static final int MAX_BODY_BYTES = 9_000_000;

  /**
   * In flight at most: enough to keep requests streaming; less on a small heap (a sixth of it), but
   * always room for one message at the limit.
   */
  static final long MAX_OUTSTANDING_BYTES =
      Math.max(
          MAX_BODY_BYTES + 1024L * 1024,
          Math.min(64L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 6));

  static final long MAX_OUTSTANDING_MESSAGES = 1_000;

  /** Errors every later publish would get too: stop instead of failing a million times. */
  private static final Set<StatusCode.Code> FATAL =
      Set.of(
          StatusCode.Code.NOT_FOUND,
          StatusCode.Code.PERMISSION_DENIED,
          StatusCode.Code.UNAUTHENTICATED);

  /** How long {@link #finish} waits for the last outcomes (the client retries for up to 10 min). */
  private static final Duration FINISH_TIMEOUT = Duration.ofMinutes(15);

  private final TopicName topic;
  private final String feed;
  private final String endpoint;
  private final ManagedChannel channel;
  private final Publisher publisher;
  private final ReplayStats stats;
  private final AtomicBoolean shutDown = new AtomicBoolean();

  /**
   * Creates the publisher (no network traffic until the first publish).
   *
   * @param endpoint host:port of an emulator or test server (plaintext, no credentials), or null
   *     for Pub/Sub itself with Application Default Credentials
   * @param compress gzip requests (JSON shrinks several times; costs CPU)
   * @throws IOException when no credentials can be found (retrying will not help until they are
   *     configured)
   */
  PubSubBulkPublisher(
      TopicName topic, String feed, String endpoint, boolean compress, ReplayStats stats)
      throws IOException {
    this.topic = topic;
    this.feed = feed;
    this.endpoint = endpoint;
    this.stats = stats;
    Publisher.Builder b =
        Publisher.newBuilder(topic)
            .setEnableCompression(compress)
            .setBatchingSettings(
                BatchingSettings.newBuilder()
                    .setElementCountThreshold(100L)
                    // A message at the body limit goes in a request of its own.
                    .setRequestByteThreshold(4L * 1024 * 1024)
                    .setDelayThresholdDuration(Duration.ofMillis(10))
                    .setFlowControlSettings(
                        FlowControlSettings.newBuilder()
                            .setMaxOutstandingRequestBytes(MAX_OUTSTANDING_BYTES)
                            .setMaxOutstandingElementCount(MAX_OUTSTANDING_MESSAGES)
                            .setLimitExceededBehavior(FlowController.LimitExceededBehavior.Block)
                            .build())
                    .build());
    if (endpoint != null) {
      channel = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
      b.setChannelProvider(
              FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
          .setCredentialsProvider(NoCredentialsProvider.create());
    } else {
      channel = null;
    }
    try {
      this.publisher = b.build();
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.shutdownNow();
      }
      throw e;
    }
  }

  @Override
  public String describe() {
    return "pubsub:" + topic + (endpoint == null ? "" : " (at " + endpoint + ")");
  }

  @Override
  public int maxBodyBytes() {
    return MAX_BODY_BYTES;
  }

  @Override
  public void publish(Piece piece) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    PubsubMessage message =
        PubsubMessage.newBuilder()
            // The piece's array is never changed after it is built: no copy needed.
            .setData(UnsafeByteOperations.unsafeWrap(piece.body()))
            .putAttributes(Attributes.FEED, feed)
            .putAttributes(Attributes.FILE, Attributes.fileName(piece.file()))
            .build();
    ApiFutures.addCallback(
        publisher.publish(message),
        new ApiFutureCallback<String>() {
          @Override
          public void onSuccess(String messageId) {
            stats.published(piece);
          }

          @Override
          public void onFailure(Throwable t) {
            failed(piece, t);
          }
        },
        MoreExecutors.directExecutor());
  }

  private void failed(Piece piece, Throwable t) {
    if (t instanceof ApiException api) {
      // The gRPC status's own description, without the exception class and code repeated.
      String detail =
          api.getCause() instanceof StatusRuntimeException sre
                  && sre.getStatus().getDescription() != null
              ? sre.getStatus().getDescription()
              : api.getMessage();
      String reason = api.getStatusCode().getCode() + ": " + firstLine(detail);
      stats.publishFailed(piece, reason);
      if (FATAL.contains(api.getStatusCode().getCode())) {
        stats.abort(reason);
      }
    } else {
      // Not an answer from Pub/Sub (the client was shut down, or a bug): later publishes fail too.
      String reason = t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
      stats.publishFailed(piece, reason);
      stats.abort(reason);
    }
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  @Override
  public boolean finish() throws InterruptedException {
    if (!shutDown.getAndSet(true)) {
      publisher.shutdown(); // publishes what is batched
    }
    boolean done = publisher.awaitTermination(FINISH_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    close();
    return done;
  }

  @Override
  public void close() {
    if (!shutDown.getAndSet(true)) {
      publisher.shutdown();
    }
    if (channel != null) {
      channel.shutdownNow();
    }
  }
}
