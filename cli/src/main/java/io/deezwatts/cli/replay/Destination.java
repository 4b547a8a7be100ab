package io.deezwatts.cli.replay;

import com.google.pubsub.v1.TopicName;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where {@code --to} says to publish: a Pub/Sub topic or an event hub. */
sealed interface Destination {
  /** {@code pubsub:projects/P/topics/T}. */
  record PubSub(TopicName topic) implements Destination {}

  /** {@code eventhubs:NAMESPACE/HUB}. */
  record EventHubs(String namespace, String hub) implements Destination {}

  Pattern PUBSUB = Pattern.compile("pubsub:projects/([^/\\s]+)/topics/([^/\\s]+)");
  Pattern EVENT_HUBS = Pattern.compile("eventhubs:([A-Za-z0-9][A-Za-z0-9.-]*)/([^/\\s]+)");

  /**
   * Parses {@code --to}.
   *
   * @throws IllegalArgumentException with the expected forms when it is neither
   */
  static Destination parse(String to) {
    Matcher m = PUBSUB.matcher(to);
    if (m.matches()) {
      return new PubSub(TopicName.of(m.group(1), m.group(2)));
    }
    m = EVENT_HUBS.matcher(to);
    if (m.matches()) {
      return new EventHubs(m.group(1), m.group(2));
    }
    throw new IllegalArgumentException(
        "--to '"
            + to
            + "' is not a destination; use pubsub:projects/PROJECT/topics/TOPIC or"
            + " eventhubs:NAMESPACE/HUB");
  }
}
