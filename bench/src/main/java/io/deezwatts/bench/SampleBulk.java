package io.deezwatts.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;

/**
 * A realistic data-streams bulk: a fleet's mix of event types, as compact JSON the way Connected
 * Cars sends it. Deterministic for a given seed, so every run measures the same bytes.
 */
public final class SampleBulk {
  private SampleBulk() {}

  /** A bulk of {@code events} events; about 170 bytes each. Ids run from 400,000,000. */
  public static byte[] dataStreams(int events, long seed) {
    return dataStreams(events, seed, 400_000_000L);
  }

  /**
   * As {@link #dataStreams(int, long)}, with event ids {@code firstId, firstId + 1, ...}: bulks
   * given disjoint id ranges share no event (the id is part of each event's key), so none of their
   * events is a duplicate of another's.
   */
  public static byte[] dataStreams(int events, long seed, long firstId) {
    return dataStreams(events, seed, firstId, Instant.parse("2026-11-20T06:00:00Z"));
  }

  /**
   * As {@link #dataStreams(int, long, long)}, with times from {@code start} on (about 0.73 s
   * apart): a feed's bulks follow each other in time, as a soak's should.
   */
  public static byte[] dataStreams(int events, long seed, long firstId, Instant start) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(events * 180).append('[');
    long id = firstId;
    Instant t = start;
    for (int i = 0; i < events; i++) {
      if (i > 0) {
        sb.append(",\n");
      }
      int vehicle = 100_000 + r.nextInt(500);
      String time = t.plusMillis(i * 731L + r.nextInt(1000)).toString();
      int pick = r.nextInt(100);
      sb.append("{\"id\":")
          .append(id + i)
          .append(",\"vehicleId\":")
          .append(vehicle)
          .append(",\"time\":\"")
          .append(time)
          .append("\",");
      if (pick < 45) {
        sb.append("\"type\":\"gps_position\",\"latitude\":")
            .append(55 + r.nextDouble() * 5)
            .append(",\"longitude\":")
            .append(8 + r.nextDouble() * 7)
            .append(",\"speed\":")
            .append(r.nextInt(130))
            .append(",\"direction\":")
            .append(r.nextInt(361))
            .append(",\"eph\":")
            .append(r.nextBoolean() ? "null" : Integer.toString(r.nextInt(50)))
            .append(",\"hdop\":")
            .append(r.nextBoolean() ? "null" : Integer.toString(r.nextInt(300)));
      } else if (pick < 55) {
        sb.append("\"type\":\"car_ignition\",\"value\":").append(r.nextBoolean());
      } else if (pick < 65) {
        sb.append("\"type\":\"can_vehicle_speed_kph\",\"value\":")
            .append(Math.round(r.nextDouble() * 13000) / 100.0);
      } else if (pick < 72) {
        sb.append("\"type\":\"can_odometer_km\",\"value\":").append(10_000 + r.nextInt(200_000));
      } else if (pick < 79) {
        sb.append("\"type\":\"can_high_voltage_battery_charge_percent\",\"value\":")
            .append(Math.round(r.nextDouble() * 1000) / 10.0);
      } else if (pick < 85) {
        sb.append("\"type\":\"car_battery_voltage\",\"value\":")
            .append(Math.round((11 + r.nextDouble() * 3) * 1000) / 1000.0);
      } else if (pick < 90) {
        String[] dirs = {"acceleration", "brake", "turn_left", "turn_right"};
        String[] lvl = {"low", "medium", "high"};
        sb.append("\"type\":\"car_profiling\",\"gForce\":")
            .append(Math.round((0.2 + r.nextDouble()) * 100) / 100.0)
            .append(",\"direction\":\"")
            .append(dirs[r.nextInt(4)])
            .append('_')
            .append(lvl[r.nextInt(3)])
            .append('"');
      } else if (pick < 93) {
        sb.append("\"type\":\"can_dtc\",\"code\":\"")
            .append(String.format("%06x", r.nextInt(1 << 24)))
            .append("\",\"diff\":\"add\",\"status\":\"08\",\"rxId\":\"7E8\",\"txId\":\"7E0\",")
            .append("\"transport\":\"ISOTP\",\"application\":\"UDS\",\"ecu\":\"engine\",")
            .append("\"sourceType\":\"vag\",\"rxLocalId\":null,\"txLocalId\":null,")
            .append(
                "\"serviceAndDid\":\"1902FF\",\"useFunctionalAddressing\":null,\"sessionType\":\"01\"");
      } else if (pick < 96) {
        sb.append("\"type\":\"can_fuel_level_percent\",\"value\":").append(r.nextInt(101));
      } else if (pick < 98) {
        sb.append("\"type\":\"can_ambient_air_temperature_celsius\",\"value\":")
            .append(Math.round((r.nextDouble() * 40 - 10) * 100) / 100.0);
      } else {
        sb.append("\"type\":\"service_reminder_lead\",\"value\":\"")
            .append(t.plusSeconds(86_400L * r.nextInt(300)).toString())
            .append('"');
      }
      sb.append('}');
    }
    return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }
}
