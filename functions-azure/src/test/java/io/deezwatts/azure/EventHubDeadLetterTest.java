package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.messaging.eventhubs.EventData;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a parked bulk looks like on the dead-letter hub: a real {@link EventData}. */
class EventHubDeadLetterTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

  @Test
  void aParkedBulkCarriesTheBulkAsBodyAndTheErrorAndOriginAsProperties() {
    byte[] body = "[{\"type\":\"odometer\"}]".getBytes(StandardCharsets.UTF_8);
    ParkedBulk bulk =
        new ParkedBulk(
            body,
            "data-streams",
            "BigQuery: backendError",
            true,
            6,
            new EventHubOrigin("3", "4294969856", "1201", "2026-11-21T10:15:00.112Z", null));

    EventData event = EventHubDeadLetter.toEvent(bulk, CLOCK);

    assertArrayEquals(body, event.getBody());
    assertEquals("3/1201", event.getMessageId());
    Map<String, Object> p = event.getProperties();
    assertEquals("data-streams", p.get("feed"));
    assertEquals("BigQuery: backendError", p.get("deezwatts_error"));
    assertEquals("transient", p.get("deezwatts_error_kind"));
    assertEquals(6, p.get("deezwatts_attempts"));
    assertEquals("2026-11-21T12:00:00Z", p.get("deezwatts_parked_at"));
    assertEquals("3", p.get("source_partition_id"));
    assertEquals("4294969856", p.get("source_offset"));
    assertEquals("1201", p.get("source_sequence_number"));
    assertEquals("2026-11-21T10:15:00.112Z", p.get("source_enqueued_time"));
  }

  @Test
  void withoutAConnectionOrAHubTheSettingIsNamed() {
    IllegalStateException none =
        assertThrows(
            IllegalStateException.class, () -> EventHubDeadLetter.fromEnvironment(Map.of()));
    assertTrue(none.getMessage().contains("DEEZWATTS_DEADLETTER_CONNECTION"));
    IllegalStateException noHub =
        assertThrows(
            IllegalStateException.class,
            () ->
                EventHubDeadLetter.fromEnvironment(
                    Map.of(
                        "DEEZWATTS_DEADLETTER_CONNECTION",
                        "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=k")));
    assertTrue(noHub.getMessage().contains("DEEZWATTS_DEADLETTER_HUB"));
  }
}
