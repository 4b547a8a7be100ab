package io.deezwatts.core.cc;

/**
 * A vehicle that has consented to the integration, from {@code consentedIntegrationVehicles}.
 *
 * @param id the vehicle id (the {@code vehicleId} of events)
 * @param vin the VIN, or null
 * @param unitSerial the telematics unit's serial, or null
 * @param unitProvider the unit's provider, such as {@code cc}, or null
 * @param fleetId the parent fleet, or null when the vehicle consented directly
 */
public record Vehicle(long id, String vin, String unitSerial, String unitProvider, Long fleetId) {}
