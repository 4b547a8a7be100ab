package io.deezwatts.azure;

import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the dead-letter event hub. Event Hubs has no local emulator that runs on these
 * machines (Microsoft's needs Docker), so this is the one faked thing in the Azure tests: it keeps
 * what {@link EventHubDeadLetter#toEvent} would publish, or refuses like a hub that is down.
 */
final class RecordingDeadLetter implements DeadLetterHub {
  private final List<ParkedBulk> parked = new ArrayList<>();
  private boolean down;

  synchronized RecordingDeadLetter down() {
    this.down = true;
    return this;
  }

  synchronized List<ParkedBulk> parked() {
    return List.copyOf(parked);
  }

  @Override
  public synchronized void park(ParkedBulk bulk) throws ParkingException {
    if (down) {
      throw new ParkingException("the dead-letter hub is unreachable (test)", null);
    }
    parked.add(bulk);
  }
}
