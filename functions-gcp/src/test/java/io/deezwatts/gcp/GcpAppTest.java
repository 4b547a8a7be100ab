package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.deezwatts.core.app.Components;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The functions of one process share one composition root for one set of settings. */
class GcpAppTest {
  private static final String FEED = "DEEZWATTS_FEED";

  @AfterEach
  void clear() {
    System.clearProperty(FEED);
  }

  @Test
  void theSameSettingsGiveTheSameRootAndOtherSettingsAnother() {
    System.setProperty(FEED, "legacy-push");
    Components first = GcpApp.current();
    Components again = GcpApp.current();
    System.setProperty(FEED, "data-streams");
    Components other = GcpApp.current();

    assertSame(first, again);
    assertSame(first.rivianPoll(), again.rivianPoll(), "one Rivian schedule per process");
    assertNotSame(first, other);
  }
}
