package io.deezwatts.cli.replay;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The two calls replay makes on an {@link EventHubProducerClient}. They are behind this interface
 * because no Event Hubs emulator can run here: tests fake this (with real {@link EventDataBatch}
 * objects), and {@link #connect} gives the real client.
 */
interface EventHubsProducer extends AutoCloseable {
  /**
   * A new empty batch, sized by the hub's largest message (1 MB on the Standard tier).
   *
   * @throws com.azure.core.amqp.exception.AmqpException when the hub cannot be reached or refuses
   *     (after the client's retries of transient errors)
   */
  EventDataBatch createBatch();

  /**
   * Sends a batch; returns once the hub has accepted it. Thread-safe.
   *
   * @throws com.azure.core.amqp.exception.AmqpException when the hub refused it (after the client's
   *     retries of transient errors)
   */
  void send(EventDataBatch batch);

  /** The namespace and hub, never the connection string. */
  String describe();

  @Override
  void close();

  /**
   * The real client, from a namespace's or hub's connection string (a shared access policy with
   * Send). Nothing is sent until the first {@link #createBatch}.
   *
   * @param namespace the namespace as given ({@code NAME} or {@code NAME.servicebus.windows.net})
   * @param connection the connection string; a secret, so no message here quotes it
   * @throws IllegalArgumentException when the connection string is malformed or names another
   *     namespace or hub (not retryable: fix the setting)
   */
  static EventHubsProducer connect(String namespace, String hub, String connection) {
    Map<String, String> parts = new HashMap<>();
    for (String part : connection.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        parts.put(part.substring(0, eq).trim().toLowerCase(Locale.ROOT), part.substring(eq + 1));
      }
    }
    String endpoint = parts.get("endpoint");
    String host;
    try {
      host = endpoint == null ? null : URI.create(endpoint.trim()).getHost();
    } catch (IllegalArgumentException e) {
      host = null;
    }
    if (host == null || !parts.containsKey("sharedaccesskeyname")) {
      throw new IllegalArgumentException(
          "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION is not an Event Hubs connection string (expected"
              + " Endpoint=sb://NAMESPACE.servicebus.windows.net/;SharedAccessKeyName=...;"
              + "SharedAccessKey=...)");
    }
    String ns = namespace.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (!h.equals(ns) && !h.startsWith(ns + ".")) {
      throw new IllegalArgumentException(
          "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION is for the namespace "
              + host
              + ", not "
              + namespace);
    }
    String entity = parts.get("entitypath");
    if (entity != null && !entity.trim().equals(hub)) {
      throw new IllegalArgumentException(
          "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION is for the event hub "
              + entity.trim()
              + ", not "
              + hub);
    }
    EventHubClientBuilder builder =
        new EventHubClientBuilder()
            .retryOptions(new AmqpRetryOptions().setTryTimeout(Duration.ofSeconds(30)));
    EventHubProducerClient client;
    try {
      builder =
          entity != null
              ? builder.connectionString(connection)
              : builder.connectionString(connection, hub);
      client = builder.buildProducerClient();
    } catch (IllegalArgumentException | NullPointerException e) {
      // The SDK's message may quote parts of the connection string, which holds the key.
      throw new IllegalArgumentException(
          "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION is not a valid Event Hubs connection string", null);
    }
    String where = host + "/" + hub;
    return new EventHubsProducer() {
      @Override
      public EventDataBatch createBatch() {
        return client.createBatch();
      }

      @Override
      public void send(EventDataBatch batch) {
        client.send(batch);
      }

      @Override
      public String describe() {
        return where;
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }
}
