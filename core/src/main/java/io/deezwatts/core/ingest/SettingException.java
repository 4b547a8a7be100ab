package io.deezwatts.core.ingest;

/**
 * A setting is missing or malformed: no retry can fix it, only a change of configuration. Thrown
 * while a function instance gets ready; {@link StartupFailure} classifies it for every adapter.
 */
public final class SettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the environment variable or app setting to fix, such as {@code DEEZWATTS_SINK}
   * @param message what is wrong with it; never its value when that may be a secret
   */
  public SettingException(String setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = setting;
  }

  /** The variable to fix. */
  public String setting() {
    return setting;
  }
}
