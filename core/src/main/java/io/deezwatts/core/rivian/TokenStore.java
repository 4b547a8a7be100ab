package io.deezwatts.core.rivian;

import java.io.IOException;
import java.util.Optional;

/**
 * Where the Rivian session lives between runs: written once by {@code deezwatts rivian login}, read
 * by every poll. Implementations: {@link FileTokenStore} locally, Secret Manager on Google Cloud
 * (in the functions module).
 */
public interface TokenStore {
  /**
   * The stored session.
   *
   * @return empty when nothing is stored yet
   * @throws Unavailable when the store cannot be reached for now (a later run may succeed)
   * @throws IOException when the store refuses or holds something unreadable
   */
  Optional<RivianSession> load() throws IOException;

  /**
   * Replaces the stored session.
   *
   * @throws IOException when it cannot be written; the previous session is then left as it was
   */
  void save(RivianSession session) throws IOException;

  /** Where the store is, for messages (a path or a secret name); never its content. */
  String describe();

  /**
   * The store could not be reached for now (its service unavailable, throttled or too slow): a
   * later run may succeed, unlike a refusal or a stored value that is not a session.
   */
  final class Unavailable extends IOException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
