package io.deezwatts.core.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.ingest.SettingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushSettingsTest {
  @Test
  void defaultsToDataStreamsAndFiftySeconds() {
    PushSettings s = PushSettings.fromEnvironment(Map.of());
    assertEquals("data-streams", s.defaultFeed());
    assertEquals(Duration.ofSeconds(50), s.deadline());
  }

  @Test
  void takesAKnownFeed() {
    assertEquals(
        "legacy-push",
        PushSettings.fromEnvironment(Map.of("DEEZWATTS_FEED", " legacy-push ")).defaultFeed());
  }

  @Test
  void anUnknownFeedIsASettingErrorNamingTheKnownOnes() {
    SettingException e =
        assertThrows(
            SettingException.class,
            () -> PushSettings.fromEnvironment(Map.of("DEEZWATTS_FEED", "data-stream")));
    assertEquals("DEEZWATTS_FEED", e.setting());
    assertTrue(e.getMessage().contains("'data-stream'"), e.getMessage());
    assertTrue(e.getMessage().contains("data-streams, legacy-push, viriciti"), e.getMessage());
  }

  @Test
  void aDeadlineMustBeAWholeNumberOfSecondsOfAtLeastOne() {
    assertEquals(
        "DEEZWATTS_DEADLINE_SECONDS",
        assertThrows(
                SettingException.class,
                () -> PushSettings.fromEnvironment(Map.of("DEEZWATTS_DEADLINE_SECONDS", "soon")))
            .setting());
    assertThrows(
        SettingException.class,
        () -> PushSettings.fromEnvironment(Map.of("DEEZWATTS_DEADLINE_SECONDS", "0")));
  }
}
