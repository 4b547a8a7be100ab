package io.deezwatts.cli.replay;

import com.azure.core.amqp.exception.AmqpException;
import com.google.pubsub.v1.SubscriptionName;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Opens what {@code replay} talks to: the publisher of {@code --to} and the dead-letter source of
 * {@code --from}, with the settings they need from the environment, and says plainly which setting
 * is missing or wrong. Settings errors are usage errors (exit 2); a destination that cannot be
 * reached is {@link CannotConnectException} (exit 1: a retry may help).
 */
final class ReplayConnections {
  private final CommandLine cl;
  private final Map<String, String> env;
  private final ReplayCommand.EventHubsConnector eventHubs;
  private final ReplayCommand.ReaderConnector eventHubsReader;

  ReplayConnections(
      CommandLine cl,
      Map<String, String> env,
      ReplayCommand.EventHubsConnector eventHubs,
      ReplayCommand.ReaderConnector eventHubsReader) {
    this.cl = cl;
    this.env = env;
    this.eventHubs = eventHubs;
    this.eventHubsReader = eventHubsReader;
  }

  /**
   * Creates the publisher for the destination.
   *
   * @throws CommandLine.ParameterException when the settings are missing or wrong (exit 2)
   * @throws CannotConnectException when Event Hubs cannot be reached (exit 1)
   */
  BulkPublisher publisher(
      Destination destination, String feed, ReplayStats stats, boolean compress) {
    if (destination instanceof Destination.PubSub p) {
      try {
        return new PubSubBulkPublisher(p.topic(), feed, pubSubEndpoint(), compress, stats);
      } catch (IOException e) {
        throw noCredentials(e);
      }
    }
    Destination.EventHubs h = (Destination.EventHubs) destination;
    String connection =
        connectionString(
            "DEEZWATTS_REPLAY_EVENTHUB_CONNECTION",
            "Send",
            h.namespace() + "/" + h.hub(),
            env.containsKey("DEEZWATTS_EVENTHUB_CONNECTION")
                ? " (replay does not read DEEZWATTS_EVENTHUB_CONNECTION, the Azure function's"
                    + " Listen string)"
                : "");
    EventHubsProducer producer;
    try {
      producer = eventHubs.connect(h.namespace(), h.hub(), connection);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    try {
      return new EventHubsBulkPublisher(producer, feed, stats);
    } catch (RuntimeException e) {
      producer.close();
      // An AMQP answer names its condition; anything else is the SDK's own failure to connect
      // (name resolution, TLS, timeout), named by its type.
      String why =
          e instanceof AmqpException a
              ? (a.getErrorCondition() == null ? "" : a.getErrorCondition() + ": ")
              : e.getClass().getSimpleName() + ": ";
      throw new CannotConnectException(
          "cannot publish to eventhubs:" + producer.describe() + ": " + why + e.getMessage());
    }
  }

  /**
   * The trimmed connection string in {@code variable}.
   *
   * @throws CommandLine.ParameterException saying which policy it must be when it is unset
   */
  private String connectionString(String variable, String rights, String hub, String hint) {
    String connection = env.get(variable);
    if (connection == null || connection.isBlank()) {
      throw new CommandLine.ParameterException(
          cl,
          "set "
              + variable
              + " to the connection string of a shared access policy with "
              + rights
              + " on "
              + hub
              + hint);
    }
    return connection.trim();
  }

  private CommandLine.ParameterException noCredentials(IOException e) {
    return new CommandLine.ParameterException(
        cl,
        "no Google credentials for Pub/Sub ("
            + e.getMessage()
            + "); set GOOGLE_APPLICATION_CREDENTIALS or run"
            + " `gcloud auth application-default login`");
  }

  /** Host:port of a Pub/Sub emulator or test server, or null for Pub/Sub itself. */
  private String pubSubEndpoint() {
    String endpoint = env.get("DEEZWATTS_PUBSUB_ENDPOINT");
    if (endpoint == null || endpoint.isBlank()) {
      endpoint = env.get("PUBSUB_EMULATOR_HOST"); // what gcloud's emulator env-init sets
    }
    return endpoint == null || endpoint.isBlank() ? null : endpoint.trim();
  }

  /**
   * Opens the source of {@code --from}.
   *
   * @throws CommandLine.ParameterException when it is not a source, or its settings are missing or
   *     unusable (exit 2)
   */
  DeadLetterSource source(String from, String consumerGroup, Path checkpoint) {
    Matcher pubsub = PUBSUB_SUBSCRIPTION.matcher(from);
    if (pubsub.matches()) {
      try {
        return new PubSubSubscription(
            SubscriptionName.of(pubsub.group(1), pubsub.group(2)), pubSubEndpoint());
      } catch (IOException e) {
        throw noCredentials(e);
      }
    }
    Matcher hub = Destination.EVENT_HUBS.matcher(from);
    if (!hub.matches()) {
      throw new CommandLine.ParameterException(
          cl,
          "--from '"
              + from
              + "' is not a source; use pubsub:projects/PROJECT/subscriptions/SUB or"
              + " eventhubs:NAMESPACE/HUB");
    }
    String connection =
        connectionString(
            "DEEZWATTS_REPLAY_FROM_EVENTHUB_CONNECTION",
            "Listen",
            hub.group(1) + "/" + hub.group(2),
            "");
    EventHubsReader reader;
    try {
      reader = eventHubsReader.connect(hub.group(1), hub.group(2), consumerGroup, connection);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
    Path file =
        checkpoint != null
            ? checkpoint
            : Path.of("deezwatts-replay-" + hub.group(1) + "-" + hub.group(2) + ".checkpoint.json");
    try {
      return new EventHubsDeadLetters(reader, file);
    } catch (java.io.UncheckedIOException e) {
      reader.close();
      throw new CommandLine.ParameterException(cl, e.getMessage());
    }
  }

  private static final Pattern PUBSUB_SUBSCRIPTION =
      Pattern.compile("pubsub:projects/([^/\\s]+)/subscriptions/([^/\\s]+)");

  /** The destination cannot be reached before anything was read: exit 1, a retry may help. */
  static final class CannotConnectException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CannotConnectException(String message) {
      super(message, null, false, false);
    }
  }
}
