package io.deezwatts.cli.serve;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT (Ctrl-C) into a stop request that the command carries out itself,
 * instead of the JVM's immediate shutdown. The JVM runs its shutdown hooks all at once (the DuckDB
 * sink's exit checkpoint among them) while requests may still be storing; stopping the servers
 * first, and only then exiting, lets every bulk in flight finish and get its answer before any hook
 * runs. A second signal while stopping exits at once, through the normal shutdown hooks.
 *
 * <p>{@code sun.misc.Signal} (module {@code jdk.unsupported}) is the only way the JDK offers to
 * handle a signal; where it is refused (say {@code -Xrs}), {@link #install} says so and the caller
 * falls back to a shutdown hook.
 */
public final class StopSignals {
  private StopSignals() {}

  /**
   * Calls {@code stop} once on the first SIGTERM or SIGINT.
   *
   * @return false when the handlers could not be installed; the JVM then exits on those signals
   */
  public static boolean install(Runnable stop) {
    AtomicBoolean stopping = new AtomicBoolean();
    try {
      for (String name : new String[] {"TERM", "INT"}) {
        Signal.handle(
            new Signal(name),
            signal -> {
              if (stopping.compareAndSet(false, true)) {
                stop.run();
              } else {
                System.exit(128 + signal.getNumber());
              }
            });
      }
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      return false;
    }
  }
}
