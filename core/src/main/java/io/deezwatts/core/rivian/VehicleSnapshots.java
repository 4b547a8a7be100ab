package io.deezwatts.core.rivian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.RawJson;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.decode.Rows;
import io.deezwatts.core.json.Murmur3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one vehicle's responses into a {@code rivian_vehicle_states} row.
 *
 * <p>{@code event_key} is MurmurHash3 (128 bits) of a canonical form of the vehicle id, the {@code
 * vehicleState} object and the live charging session (objects with sorted keys, no whitespace), so
 * two polls of an unchanged state give the same key whatever the fetch time or the order Rivian
 * sends fields in. {@code time} is the state's own time: {@code cloudConnection.lastSync}, else the
 * newest {@code timeStamp} among the readings, else the fetch time.
 */
public final class VehicleSnapshots {
  /** The table snapshots land in. */
  public static final String TABLE = "rivian_vehicle_states";

  /** The {@code type} of every snapshot row. */
  public static final String TYPE = "vehicle_state";

  private static final long KEY_SEED = 0x52495649414E5631L; // "RIVIANV1"
  private static final ObjectMapper JSON = new ObjectMapper();

  private VehicleSnapshots() {}

  /**
   * The row for one vehicle.
   *
   * @param vehicle the vehicle's entry in {@code getUserInfo}'s {@code currentUser.vehicles}
   * @param stateResponse the whole {@code GetVehicleState} response body
   * @param liveSessionResponse the whole {@code getLiveSessionData} response body, or null when it
   *     was skipped
   * @param fetchedAt when the state was fetched
   * @throws IllegalArgumentException when the vehicle has no id
   */
  public static Row row(
      TableSpec table,
      JsonNode vehicle,
      JsonNode stateResponse,
      JsonNode liveSessionResponse,
      Instant fetchedAt,
      IngestContext context) {
    String vehicleId = text(vehicle.path("id"));
    if (vehicleId == null) {
      throw new IllegalArgumentException("a vehicle in getUserInfo has no id");
    }
    JsonNode state = stateResponse.path("data").path("vehicleState");
    JsonNode live =
        liveSessionResponse == null
            ? null
            : liveSessionResponse.path("data").path("getLiveSessionData");

    Map<String, Object> v = new LinkedHashMap<>();
    v.put("event_key", eventKey(vehicleId, state, live));
    v.put("type", TYPE);
    v.put("time", stateTime(state, fetchedAt));
    v.put("vehicle_id", vehicleId);
    String vin = text(vehicle.path("vin"));
    v.put("vin", vin != null ? vin : text(vehicle.path("vehicle").path("vin")));
    v.put("vehicle_name", text(vehicle.path("name")));
    v.put("model", model(vehicle.path("vehicle")));
    v.put("battery_level", number(state, "batteryLevel"));
    v.put("battery_limit", number(state, "batteryLimit"));
    v.put("battery_capacity", number(state, "batteryCapacity"));
    v.put("distance_to_empty", number(state, "distanceToEmpty"));
    v.put("charger_state", text(state.path("chargerState").path("value")));
    v.put("charger_status", text(state.path("chargerStatus").path("value")));
    v.put("time_to_end_of_charge", number(state, "timeToEndOfCharge"));
    v.put("odometer", number(state, "vehicleMileage"));
    JsonNode gnss = state.path("gnssLocation");
    Double lat = toDouble(gnss.path("latitude"));
    Double lon = toDouble(gnss.path("longitude"));
    v.put("gps", lat == null && lon == null ? null : new Object[] {lat, lon});
    v.put("power_state", text(state.path("powerState").path("value")));
    v.put("gear", text(state.path("gearStatus").path("value")));
    v.put("drive_mode", text(state.path("driveMode").path("value")));
    v.put("cabin_temperature", number(state, "cabinClimateInteriorTemperature"));
    v.put("fetched_at", fetchedAt.truncatedTo(ChronoUnit.MICROS));

    ObjectNode payload = JSON.createObjectNode();
    payload.set("vehicle", vehicle);
    payload.set("vehicleState", stateResponse);
    if (liveSessionResponse != null) {
      payload.set("liveSession", liveSessionResponse);
    }
    v.put("payload", RawJson.ofCompact(payload.toString()));
    v.put("received_at", context.receivedAt());
    v.put("source", context.source().wireName());
    v.put("request_id", context.requestId());
    v.put("message_id", context.messageId());
    return Rows.of(table, v);
  }

  /** The dedup key: 32 hex digits. */
  static String eventKey(String vehicleId, JsonNode state, JsonNode live) {
    StringBuilder c = new StringBuilder(TABLE).append('\n').append(vehicleId).append('\n');
    canonical(state, c);
    c.append('\n');
    canonical(live, c);
    byte[] bytes = c.toString().getBytes(StandardCharsets.UTF_8);
    return Murmur3.hash128Hex(bytes, 0, bytes.length, KEY_SEED);
  }

  /** JSON with object keys sorted and no whitespace; missing and null both read {@code null}. */
  static void canonical(JsonNode n, StringBuilder out) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      out.append("null");
    } else if (n.isObject()) {
      List<String> names = new ArrayList<>();
      n.fieldNames().forEachRemaining(names::add);
      names.sort(null);
      out.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(quote(names.get(i))).append(':');
        canonical(n.get(names.get(i)), out);
      }
      out.append('}');
    } else if (n.isArray()) {
      out.append('[');
      Iterator<JsonNode> it = n.elements();
      boolean first = true;
      while (it.hasNext()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        canonical(it.next(), out);
      }
      out.append(']');
    } else if (n.isNumber()) {
      out.append(n.decimalValue().stripTrailingZeros().toPlainString());
    } else {
      out.append(n.toString()); // strings (quoted, escaped) and booleans
    }
  }

  private static String quote(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code cloudConnection.lastSync}, else the newest reading's {@code timeStamp}, else fetch. */
  static Instant stateTime(JsonNode state, Instant fetchedAt) {
    Instant t = instant(state.path("cloudConnection").path("lastSync"));
    if (t == null) {
      Iterator<JsonNode> it = state.elements();
      while (it.hasNext()) {
        Instant ts = instant(it.next().path("timeStamp"));
        if (ts != null && (t == null || ts.isAfter(t))) {
          t = ts;
        }
      }
    }
    return (t == null ? fetchedAt : t).truncatedTo(ChronoUnit.MICROS);
  }

  private static Instant instant(JsonNode n) {
    if (!n.isTextual()) {
      return null;
    }
    try {
      return Instant.parse(n.asText());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static String model(JsonNode vehicle) {
    String model = text(vehicle.path("model"));
    String year = text(vehicle.path("modelYear"));
    if (model == null) {
      return null;
    }
    return year == null ? model : model + " " + year;
  }

  private static Double number(JsonNode state, String property) {
    return toDouble(state.path(property).path("value"));
  }

  private static Double toDouble(JsonNode n) {
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isTextual()) {
      try {
        double d = Double.parseDouble(n.asText());
        return Double.isFinite(d) ? d : null;
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String text(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return null;
    }
    return n.isValueNode() ? n.asText() : null;
  }
}
