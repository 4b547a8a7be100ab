package io.deezwatts.core.rivian;

/** What {@link RivianClient#login} leads to: a session, or a one-time code to ask for. */
public sealed interface LoginStep {
  /** The account has no MFA: the session is ready. */
  record LoggedIn(RivianSession session) implements LoginStep {}

  /**
   * The account has MFA on: Rivian sent a one-time code (SMS or e-mail); pass it to {@link
   * RivianClient#loginWithOtp}. Holds secrets: {@link #toString()} hides them.
   */
  record OtpRequired(String email, String otpToken, String csrfToken, String appSessionToken)
      implements LoginStep {
    @Override
    public String toString() {
      return "OtpRequired[tokens redacted]";
    }
  }
}
