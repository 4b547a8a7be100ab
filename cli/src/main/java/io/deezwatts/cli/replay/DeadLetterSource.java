package io.deezwatts.cli.replay;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where {@code replay --from} drains parked bulks from: a Pub/Sub subscription or an event hub.
 * Messages are acknowledged (Pub/Sub) or checkpointed (Event Hubs) only through {@link #ack}, which
 * the drain calls after the destination accepted them; {@link #release} hands back ones it could
 * not deliver, so that they stay (Pub/Sub redelivers them at once).
 */
interface DeadLetterSource extends AutoCloseable {
  /**
   * One parked bulk.
   *
   * @param body the bulk's bytes, exactly as parked
   * @param properties the message's attributes (Pub/Sub) or application properties (Event Hubs),
   *     {@code feed} among them when the parking function set it
   * @param id the message id or {@code partition/sequence number}, for logs and rows
   * @param handle what {@link #ack} needs (an ack id, a partition and sequence number)
   */
  record Message(byte[] body, Map<String, String> properties, String id, Object handle) {}

  /** The source as the user named it, without secrets. */
  String describe();

  /**
   * Up to {@code max} messages, waiting up to {@code wait} for the first; empty when none came.
   *
   * @throws RuntimeException when the source cannot be read (a retry of the command may help)
   */
  List<Message> receive(int max, Duration wait) throws InterruptedException;

  /**
   * Acknowledges or checkpoints messages their destination accepted, in the order received.
   *
   * @throws RuntimeException when that failed: they may be delivered again (harmless, as stored
   *     events are not stored twice)
   */
  void ack(List<Message> messages);

  /** Hands back messages that were not delivered, so that they are not lost or delayed. */
  void release(List<Message> messages);

  @Override
  void close();
}
