package io.deezwatts.core.log;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The trace id of the request the current thread is handling, from {@code X-Cloud-Trace-Context}
 * ({@code TRACE/SPAN;o=1}) or W3C {@code traceparent} ({@code 00-TRACE-SPAN-01}), so that every
 * line logged while handling it can be joined to the request in Cloud Logging.
 */
public final class RequestTrace {
  private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private RequestTrace() {}

  /** The 32-hex-digit trace id the headers carry, or null. */
  public static String parse(String cloudTraceContext, String traceparent) {
    if (cloudTraceContext != null) {
      String id = cloudTraceContext.split("[/;]", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (HEX32.matcher(id).matches()) {
        return id;
      }
    }
    if (traceparent != null) {
      String[] parts = traceparent.trim().toLowerCase(Locale.ROOT).split("-");
      if (parts.length >= 3 && HEX32.matcher(parts[1]).matches()) {
        return parts[1];
      }
    }
    return null;
  }

  /** The current thread's trace id, or null. */
  public static String current() {
    return CURRENT.get();
  }

  /** Sets the current thread's trace id (null clears it). */
  public static void set(String traceId) {
    if (traceId == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(traceId);
    }
  }
}
