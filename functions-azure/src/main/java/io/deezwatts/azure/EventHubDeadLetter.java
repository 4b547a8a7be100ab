package io.deezwatts.azure;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import io.deezwatts.core.util.Lazy;
import java.time.Clock;
import java.util.Map;

/**
 * The dead-letter hub: an event hub that receives each bulk {@link EventHubIngest} could not store,
 * with why and where from as application properties. One {@link EventHubProducerClient} per
 * function instance, created on the first bulk that needs parking.
 *
 * <p>Configuration: {@code DEEZWATTS_DEADLETTER_CONNECTION} (a connection string with Send rights;
 * a Key Vault reference in the app settings) and {@code DEEZWATTS_DEADLETTER_HUB} (the hub's name,
 * unless the connection string names it with {@code EntityPath}).
 */
public final class EventHubDeadLetter implements DeadLetterHub {
  /** The connection string setting. */
  public static final String CONNECTION_VARIABLE = "DEEZWATTS_DEADLETTER_CONNECTION";

  /** The hub name setting. */
  public static final String HUB_VARIABLE = "DEEZWATTS_DEADLETTER_HUB";

  private final Lazy<EventHubProducerClient> producer;
  private final Clock clock;

  private EventHubDeadLetter(Lazy<EventHubProducerClient> producer, Clock clock) {
    this.producer = producer;
    this.clock = clock;
  }

  /**
   * The dead-letter hub the settings name.
   *
   * @throws IllegalStateException when {@code DEEZWATTS_DEADLETTER_CONNECTION} is not set; the
   *     Event Hubs function must not run without somewhere to park
   */
  public static EventHubDeadLetter fromEnvironment(Map<String, String> env) {
    String connection = env.get(CONNECTION_VARIABLE);
    if (connection == null || connection.isBlank()) {
      throw new IllegalStateException(
          CONNECTION_VARIABLE
              + " is not set: the Event Hubs function needs a dead-letter hub to park bulks it"
              + " cannot store");
    }
    String hub = env.get(HUB_VARIABLE);
    boolean namedInConnection = connection.contains("EntityPath=");
    if (!namedInConnection && (hub == null || hub.isBlank())) {
      throw new IllegalStateException(
          HUB_VARIABLE + " is not set and the dead-letter connection string names no EntityPath");
    }
    return new EventHubDeadLetter(
        new Lazy<>(
            () -> {
              EventHubClientBuilder builder = new EventHubClientBuilder();
              return (namedInConnection
                      ? builder.connectionString(connection)
                      : builder.connectionString(connection, hub))
                  .buildProducerClient();
            }),
        Clock.systemUTC());
  }

  /**
   * {@inheritDoc}
   *
   * <p>A bulk larger than the hub's event size limit (1 MB on Standard) cannot be parked; that is
   * reported as a {@link ParkingException} like any refusal.
   */
  @Override
  public void park(ParkedBulk bulk) throws ParkingException {
    EventData event = toEvent(bulk, clock);
    try {
      EventHubProducerClient client = producer.get();
      EventDataBatch batch = client.createBatch();
      if (!batch.tryAdd(event)) {
        throw new ParkingException(
            "the bulk ("
                + bulk.body().length
                + " bytes) exceeds the dead-letter hub's event size limit of "
                + batch.getMaxSizeInBytes()
                + " bytes",
            null);
      }
      client.send(batch);
    } catch (RuntimeException e) { // AmqpException, AzureException, IllegalArgumentException
      throw new ParkingException("the dead-letter hub refused the bulk: " + e.getMessage(), e);
    }
  }

  /** The event a parked bulk becomes: the bulk as body, the facts as application properties. */
  static EventData toEvent(ParkedBulk bulk, Clock clock) {
    EventData event = new EventData(bulk.body());
    event.setContentType("application/json");
    String id = bulk.origin().deliveryId();
    if (id != null) {
      event.setMessageId(id);
    }
    Map<String, Object> p = event.getProperties();
    p.put("feed", bulk.feed());
    p.put("deezwatts_error", bulk.error() == null ? "" : bulk.error());
    p.put("deezwatts_error_kind", bulk.transientFailure() ? "transient" : "permanent");
    p.put("deezwatts_attempts", bulk.attempts());
    p.put("deezwatts_parked_at", clock.instant().toString());
    bulk.origin().asMetadata().forEach((k, v) -> p.put("source_" + k, v));
    return event;
  }

  @Override
  public void close() {
    // Only close a client that was created; creating one to close it would open a connection.
    if (producer.isCreated()) {
      producer.get().close();
    }
  }
}
