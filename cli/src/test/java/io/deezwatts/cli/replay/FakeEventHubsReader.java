package io.deezwatts.cli.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fake of the Event Hubs consumer: no Event Hubs emulator can run here, so this stands in for the
 * dead-letter hub at the {@link EventHubsReader} interface. Partitions hold events with sequence
 * numbers from 0, read as the real client reads them: after a sequence number, up to a count.
 */
final class FakeEventHubsReader implements EventHubsReader {
  private final Map<String, List<Event>> partitions = new LinkedHashMap<>();
  volatile boolean closed;
  int reads;

  FakeEventHubsReader(String... partitionIds) {
    for (String p : partitionIds) {
      partitions.put(p, new ArrayList<>());
    }
  }

  /** Appends an event, as the Azure function's parking does. */
  synchronized FakeEventHubsReader add(String partition, byte[] body, Map<String, String> props) {
    List<Event> events = partitions.get(partition);
    events.add(new Event(body, props, events.size()));
    return this;
  }

  @Override
  public synchronized List<String> partitionIds() {
    return List.copyOf(partitions.keySet());
  }

  @Override
  public synchronized List<Event> receive(
      String partition, long afterSequenceNumber, int max, Duration wait) {
    reads++;
    List<Event> all = partitions.get(partition);
    int from = (int) (afterSequenceNumber + 1);
    return List.copyOf(all.subList(Math.min(from, all.size()), Math.min(from + max, all.size())));
  }

  @Override
  public String describe() {
    return "ns1/deadletter (consumer group $Default)";
  }

  @Override
  public void close() {
    closed = true;
  }
}
