package io.deezwatts.cli.replay;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubConsumerClient;
import com.azure.messaging.eventhubs.models.EventPosition;
import com.azure.messaging.eventhubs.models.PartitionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two calls a drain makes on an {@link EventHubConsumerClient}. They are behind this interface
 * because no Event Hubs emulator can run here: tests fake it, and {@link #connect} gives the real
 * client.
 */
interface EventHubsReader extends AutoCloseable {
  /**
   * One event as read.
   *
   * @param sequenceNumber its sequence number in its partition
   */
  record Event(byte[] body, Map<String, String> properties, long sequenceNumber) {}

  /** The hub's partition ids. */
  List<String> partitionIds();

  /**
   * Up to {@code max} events of a partition after {@code afterSequenceNumber} (-1: from the start),
   * waiting up to {@code wait}.
   *
   * @throws RuntimeException when the hub cannot be read (the client's retries are exhausted)
   */
  List<Event> receive(String partition, long afterSequenceNumber, int max, Duration wait);

  /** The namespace, hub and consumer group; never the connection string. */
  String describe();

  @Override
  void close();

  /**
   * The real client, from a connection string with Listen on the hub.
   *
   * @throws IllegalArgumentException when the connection string is malformed
   */
  static EventHubsReader connect(
      String namespace, String hub, String consumerGroup, String connection) {
    EventHubConsumerClient client;
    try {
      client =
          new EventHubClientBuilder()
              .connectionString(connection, hub)
              .consumerGroup(consumerGroup)
              .buildConsumerClient();
    } catch (IllegalArgumentException | NullPointerException e) {
      // The SDK's message may quote the string: never repeat it.
      throw new IllegalArgumentException(
          "DEEZWATTS_REPLAY_FROM_EVENTHUB_CONNECTION is not a usable Event Hubs connection string"
              + " for "
              + namespace
              + "/"
              + hub);
    }
    return new EventHubsReader() {
      @Override
      public List<String> partitionIds() {
        List<String> ids = new ArrayList<>();
        client.getPartitionIds().forEach(ids::add);
        return ids;
      }

      @Override
      public List<Event> receive(
          String partition, long afterSequenceNumber, int max, Duration wait) {
        EventPosition from =
            afterSequenceNumber < 0
                ? EventPosition.earliest()
                : EventPosition.fromSequenceNumber(afterSequenceNumber, false);
        List<Event> out = new ArrayList<>();
        for (PartitionEvent e : client.receiveFromPartition(partition, max, from, wait)) {
          EventData d = e.getData();
          Map<String, String> props = new HashMap<>();
          d.getProperties().forEach((k, v) -> props.put(k, String.valueOf(v)));
          out.add(new Event(d.getBody(), props, d.getSequenceNumber()));
        }
        return out;
      }

      @Override
      public String describe() {
        return namespace + "/" + hub + " (consumer group " + consumerGroup + ")";
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }
}
