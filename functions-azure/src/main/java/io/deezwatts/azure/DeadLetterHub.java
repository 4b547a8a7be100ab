package io.deezwatts.azure;

/**
 * Where {@link EventHubIngest} parks a bulk it could not store, before the Event Hubs trigger
 * checkpoints past it. In production a second event hub ({@link EventHubDeadLetter}).
 */
public interface DeadLetterHub extends AutoCloseable {

  /**
   * Publishes the bulk with the error and its origin as properties, and returns only once the hub
   * has accepted it.
   *
   * @throws ParkingException when the hub did not accept it; the caller must then fail the
   *     invocation, as the bulk is stored nowhere
   */
  void park(ParkedBulk bulk) throws ParkingException;

  @Override
  default void close() {}

  /** The dead-letter hub did not accept a bulk. */
  final class ParkingException extends Exception {
    private static final long serialVersionUID = 1L;

    public ParkingException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
