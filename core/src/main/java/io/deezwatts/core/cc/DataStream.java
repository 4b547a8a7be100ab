package io.deezwatts.core.cc;

/**
 * A vehicle data stream: events of one integration topic for one vehicle.
 *
 * @param id the stream's id
 * @param vehicleId the vehicle
 * @param integrationTopicId the topic
 * @param referenceUrl the caller's own reference, or null
 */
public record DataStream(long id, long vehicleId, long integrationTopicId, String referenceUrl) {}
