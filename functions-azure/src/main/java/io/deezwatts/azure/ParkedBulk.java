package io.deezwatts.azure;

import java.util.Objects;

/**
 * A bulk that could not be stored, on its way to the dead-letter hub.
 *
 * @param body the bulk exactly as it arrived
 * @param feed the feed it was read as
 * @param error why storing failed (the sink's message; never a secret)
 * @param transientFailure whether the failure was transient (the retries ran out) or permanent
 * @param attempts how many times the function ran for it, the first run included
 * @param origin where in the source hub it came from
 */
public record ParkedBulk(
    byte[] body,
    String feed,
    String error,
    boolean transientFailure,
    int attempts,
    EventHubOrigin origin) {

  public ParkedBulk {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(origin, "origin");
  }
}
