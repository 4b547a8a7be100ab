package io.deezwatts.core.ingest;

import io.deezwatts.core.log.LogFields;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Why a function instance could not get ready (read its settings, open its sink), classified once
 * for every adapter. A configuration failure ({@link SettingException}, or any {@link
 * IllegalArgumentException}: a malformed value) is permanent: the HTTP adapters answer 500 so that
 * the sender stops retrying, and the Event Hubs adapter parks its bulks at once. Anything else (a
 * locked file, an unreachable service) is transient: 503, or the retry policy.
 *
 * @param configuration true when only a change of configuration can fix it
 * @param setting the setting to fix, or null when the failure does not name one
 * @param message what went wrong, safe to log (settings never carry secrets in their messages)
 */
public record StartupFailure(boolean configuration, String setting, String message) {

  /** Classifies what getting ready threw. */
  public static StartupFailure of(RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SettingException s) {
      return new StartupFailure(true, s.setting(), message);
    }
    if (e instanceof IllegalArgumentException) {
      return new StartupFailure(true, null, message);
    }
    return new StartupFailure(false, null, e.getClass().getSimpleName() + ": " + message);
  }

  /**
   * Logs {@link #logLine()} as a severe line with {@code outcome=not_ready}, the setting and {@code
   * fields} (names and values in pairs), to the adapter's logger.
   */
  public void log(Logger log, Object... fields) {
    Object[] all = new Object[fields.length + 4];
    all[0] = "outcome";
    all[1] = "not_ready";
    all[2] = "setting";
    all[3] = setting;
    System.arraycopy(fields, 0, all, 4, fields.length);
    LogFields.log(log, Level.SEVERE, logLine(), all);
  }

  /** One log line naming the setting and whether a retry can help. */
  public String logLine() {
    if (configuration) {
      return "misconfigured"
          + (setting == null ? "" : ": fix the setting " + setting)
          + " (no retry can help): "
          + message;
    }
    return "cannot open the sink (transient; a retry may succeed): " + message;
  }
}
