package io.deezwatts.azure;

/**
 * A timer run failed in a way that needs a person (an expired session, a refusal, a bad setting):
 * thrown so that the invocation fails, shows in the Function App's failures and alerts. Its message
 * is the outcome's, naming the setting to fix when there is one; its cause is what failed.
 */
public final class ScheduledRunFailed extends Exception {
  private static final long serialVersionUID = 1L;

  ScheduledRunFailed(String message, Throwable cause) {
    super(message, cause);
  }
}
