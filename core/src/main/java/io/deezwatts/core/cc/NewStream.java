package io.deezwatts.core.cc;

/**
 * A stream to create with {@code addVehicleDataStreams}.
 *
 * @param vehicleId the vehicle
 * @param integrationTopicId the topic
 * @param referenceUrl an optional reference of the caller's (not part of events), or null
 */
public record NewStream(long vehicleId, long integrationTopicId, String referenceUrl) {
  public NewStream(long vehicleId, long integrationTopicId) {
    this(vehicleId, integrationTopicId, null);
  }
}
