package io.deezwatts.core.rivian;

import java.time.Instant;
import java.util.Objects;

/**
 * The tokens of a logged-in Rivian session, as a token store keeps them. Secret: {@link
 * #toString()} never shows the tokens.
 *
 * @param csrfToken from {@code createCsrfToken}, sent as {@code Csrf-Token}
 * @param appSessionToken from {@code createCsrfToken}, sent as {@code A-Sess}
 * @param userSessionToken from {@code Login}/{@code LoginWithOTP}, sent as {@code U-Sess}
 * @param accessToken from the login response (kept; the GraphQL calls here do not need it)
 * @param refreshToken from the login response (kept; Rivian publishes no refresh flow)
 * @param createdAt when the login completed
 */
public record RivianSession(
    String csrfToken,
    String appSessionToken,
    String userSessionToken,
    String accessToken,
    String refreshToken,
    Instant createdAt) {

  public RivianSession {
    Objects.requireNonNull(csrfToken, "csrfToken");
    Objects.requireNonNull(appSessionToken, "appSessionToken");
    Objects.requireNonNull(userSessionToken, "userSessionToken");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  @Override
  public String toString() {
    return "RivianSession[created " + createdAt + ", tokens redacted]";
  }
}
