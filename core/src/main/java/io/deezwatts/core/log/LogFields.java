package io.deezwatts.core.log;

import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.IngestOutcome;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Named fields of one log line, such as a bulk's feed, counts and duration. They travel as the
 * {@link LogRecord}'s parameter, so a structured handler (Cloud Logging's JSON on Google Cloud)
 * writes them as fields, and they are spelled out as {@code key=value} in the message, so a text
 * log (locally, Azure's {@code ExecutionContext} logger) carries them too. Values are never
 * secrets: callers pass counts, identifiers and reasons only.
 */
public final class LogFields {
  private final Map<String, Object> fields;

  private LogFields(Map<String, Object> fields) {
    this.fields = Collections.unmodifiableMap(fields);
  }

  /** The fields in order; null values are left out. */
  public Map<String, Object> fields() {
    return fields;
  }

  /**
   * Logs one line: {@code event} and then every field as {@code key=value}.
   *
   * @param fields names and values, in pairs ({@code "feed", "data-streams", "events", 53})
   */
  public static void log(Logger logger, Level level, String event, Object... fields) {
    log(logger, level, event, null, fields);
  }

  /** As {@link #log(Logger, Level, String, Object...)}, with the exception that caused it. */
  public static void log(
      Logger logger, Level level, String event, Throwable thrown, Object... fields) {
    if (!logger.isLoggable(level)) {
      return;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < fields.length; i += 2) {
      if (fields[i + 1] != null) {
        map.put((String) fields[i], fields[i + 1]);
      }
    }
    LogFields attached = new LogFields(map);
    LogRecord r = new LogRecord(level, event + attached.text());
    r.setLoggerName(logger.getName());
    r.setParameters(new Object[] {attached});
    r.setThrown(thrown);
    logger.log(r);
  }

  /**
   * As {@link #log(Logger, Level, String, Throwable, Object...)}, with the fields as a map (in its
   * order).
   */
  public static void log(
      Logger logger, Level level, String event, Throwable thrown, Map<String, Object> fields) {
    Object[] pairs = new Object[fields.size() * 2];
    int i = 0;
    for (Map.Entry<String, Object> f : fields.entrySet()) {
      pairs[i++] = f.getKey();
      pairs[i++] = f.getValue();
    }
    log(logger, level, event, thrown, pairs);
  }

  /**
   * The line every adapter writes for a bulk it stored or rejected: feed, source, request or
   * message id, events, stored, quarantined and the time it took.
   */
  public static void bulk(
      Logger logger, String feed, IngestContext context, IngestOutcome outcome, long durationMs) {
    log(
        logger,
        outcome.accepted() ? Level.INFO : Level.WARNING,
        outcome.accepted() ? "bulk stored" : "bulk rejected and quarantined raw",
        with(
            origin(outcome.accepted() ? "stored" : "rejected", feed, context),
            "events",
            outcome.events(),
            "stored",
            outcome.written().rowsStored(),
            "quarantined",
            outcome.written().quarantined(),
            "duration_ms",
            durationMs,
            "reason",
            outcome.error()));
  }

  /** The line for a bulk that could not be stored: nothing of it may be acknowledged. */
  public static void notStored(
      Logger logger,
      String feed,
      IngestContext context,
      boolean retryable,
      String reason,
      long durationMs) {
    log(
        logger,
        Level.WARNING,
        "bulk not stored",
        with(
            origin(retryable ? "failed_transient" : "failed", feed, context),
            "duration_ms",
            durationMs,
            "reason",
            reason));
  }

  /** The fields every bulk line starts with: its outcome, feed and where it came from. */
  private static Object[] origin(String outcome, String feed, IngestContext context) {
    return new Object[] {
      "outcome",
      outcome,
      "feed",
      feed,
      "source",
      context.source().wireName(),
      "request_id",
      context.requestId(),
      "message_id",
      context.messageId()
    };
  }

  private static Object[] with(Object[] first, Object... more) {
    Object[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }

  private String text() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      sb.append(' ').append(e.getKey()).append('=');
      String v = String.valueOf(e.getValue());
      if (v.isEmpty() || v.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
        sb.append('"')
            .append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"))
            .append('"');
      } else {
        sb.append(v);
      }
    }
    return sb.toString();
  }
}
