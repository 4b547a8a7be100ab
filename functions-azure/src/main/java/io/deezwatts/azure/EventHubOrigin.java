package io.deezwatts.azure;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an event came from in its Event Hub: recorded on every row it yields and on the dead-letter
 * copy, so an operator can find it again. Any part may be null when the trigger did not supply it.
 *
 * @param partitionId the partition
 * @param offset the event's offset in the partition
 * @param sequenceNumber the event's sequence number in the partition
 * @param enqueuedTime when Event Hubs accepted it (as the trigger gave it)
 * @param messageId the sender's message id, if it set one
 */
public record EventHubOrigin(
    String partitionId,
    String offset,
    String sequenceNumber,
    String enqueuedTime,
    String messageId) {

  /**
   * The id recorded as the rows' {@code message_id}: the sender's message id, else {@code
   * partition/sequence number}, which is unique in the hub and the same on redelivery.
   */
  public String deliveryId() {
    if (messageId != null) {
      return messageId;
    }
    if (partitionId == null && sequenceNumber == null) {
      return null;
    }
    return partitionId + "/" + sequenceNumber;
  }

  /** The facts as the rows' {@code metadata}, leaving out the ones not known. */
  public Map<String, String> asMetadata() {
    Map<String, String> m = new LinkedHashMap<>();
    putIfKnown(m, "partition_id", partitionId);
    putIfKnown(m, "offset", offset);
    putIfKnown(m, "sequence_number", sequenceNumber);
    putIfKnown(m, "enqueued_time", enqueuedTime);
    return m;
  }

  private static void putIfKnown(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}
