package io.deezwatts.cli.replay;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcCallContext;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.pubsub.v1.stub.GrpcSubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStubSettings;
import com.google.pubsub.v1.AcknowledgeRequest;
import com.google.pubsub.v1.ModifyAckDeadlineRequest;
import com.google.pubsub.v1.PullRequest;
import com.google.pubsub.v1.PullResponse;
import com.google.pubsub.v1.ReceivedMessage;
import com.google.pubsub.v1.SubscriptionName;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drains a Pub/Sub subscription (the dead-letter subscription terraform creates) with synchronous
 * pulls through the Google client's generated subscriber stub. A message is acknowledged only when
 * {@link #ack} is called; one handed back with {@link #release} is available again at once.
 */
final class PubSubSubscription implements DeadLetterSource {
  private final SubscriptionName subscription;
  private final ManagedChannel channel;
  private final SubscriberStub stub;

  /**
   * @param endpoint host:port of an emulator (plaintext, no credentials), or null for Pub/Sub with
   *     Application Default Credentials
   * @throws IOException when no credentials can be found
   */
  PubSubSubscription(SubscriptionName subscription, String endpoint) throws IOException {
    this.subscription = subscription;
    SubscriberStubSettings.Builder settings = SubscriberStubSettings.newBuilder();
    if (endpoint != null) {
      channel = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
      settings
          .setTransportChannelProvider(
              FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
          .setCredentialsProvider(NoCredentialsProvider.create());
    } else {
      channel = null;
    }
    stub = GrpcSubscriberStub.create(settings.build());
  }

  @Override
  public String describe() {
    return "pubsub:" + subscription;
  }

  @Override
  public List<Message> receive(int max, Duration wait) {
    PullResponse response;
    try {
      response =
          stub.pullCallable()
              .call(
                  PullRequest.newBuilder()
                      .setSubscription(subscription.toString())
                      .setMaxMessages(max)
                      .build(),
                  GrpcCallContext.createDefault().withTimeoutDuration(wait));
    } catch (ApiException e) {
      if (e.getStatusCode().getCode() == StatusCode.Code.DEADLINE_EXCEEDED) {
        return List.of(); // nothing came within the wait
      }
      throw e;
    }
    List<Message> out = new ArrayList<>();
    for (ReceivedMessage r : response.getReceivedMessagesList()) {
      out.add(
          new Message(
              r.getMessage().getData().toByteArray(),
              r.getMessage().getAttributesMap(),
              r.getMessage().getMessageId(),
              r.getAckId()));
    }
    return out;
  }

  @Override
  public void ack(List<Message> messages) {
    if (!messages.isEmpty()) {
      stub.acknowledgeCallable()
          .call(
              AcknowledgeRequest.newBuilder()
                  .setSubscription(subscription.toString())
                  .addAllAckIds(messages.stream().map(m -> (String) m.handle()).toList())
                  .build());
    }
  }

  @Override
  public void release(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    try {
      stub.modifyAckDeadlineCallable()
          .call(
              ModifyAckDeadlineRequest.newBuilder()
                  .setSubscription(subscription.toString())
                  .setAckDeadlineSeconds(0)
                  .addAllAckIds(messages.stream().map(m -> (String) m.handle()).toList())
                  .build());
    } catch (ApiException e) {
      // They come back anyway once their ack deadline passes.
    }
  }

  @Override
  public void close() {
    stub.close();
    if (channel != null) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
