package io.deezwatts.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code serve}'s option checks, which fail before anything is opened or bound. */
class ServeCommandTest {
  @Test
  void outOfRangeOptionsAreUsageErrors() {
    CliRun port = CliRun.of("serve", "--port", "65535");
    assertEquals(2, port.exit());
    assertTrue(port.err().contains("--port must be 1 to 65534"), port.err());

    CliRun timeout = CliRun.of("serve", "--stop-timeout", "-1");
    assertEquals(2, timeout.exit());
    assertTrue(timeout.err().contains("--stop-timeout must be 0 to 3600 seconds"), timeout.err());
  }
}
