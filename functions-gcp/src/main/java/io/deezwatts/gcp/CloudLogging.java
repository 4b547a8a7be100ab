package io.deezwatts.gcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.deezwatts.core.log.LogFields;
import io.deezwatts.core.log.RequestTrace;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logs as Cloud Logging reads them from a function's standard output: one JSON object per line with
 * {@code severity}, {@code message}, {@code time}, {@code logging.googleapis.com/labels} and, while
 * a request with {@code X-Cloud-Trace-Context} or {@code traceparent} is handled, {@code
 * logging.googleapis.com/trace}; the fields of a {@link LogFields} line (feed, counts, duration,
 * reason) become fields of the entry's {@code jsonPayload}, so they can be queried and charted.
 * Installed only on Google Cloud ({@code K_SERVICE} is set); elsewhere logs stay readable text.
 */
final class CloudLogging extends Formatter {
  private static final JsonFactory JSON = new JsonFactory();
  private static volatile boolean installed;

  private final String project;
  private final String service;

  CloudLogging(String project, String service) {
    this.project = project;
    this.service = service;
  }

  /**
   * Replaces the root logger's handlers with one writing this format to standard output, once, when
   * {@code K_SERVICE} says the code runs on Google Cloud. The trace needs {@code
   * GOOGLE_CLOUD_PROJECT} (terraform sets it).
   */
  static synchronized void installIfOnGoogleCloud(Map<String, String> env) {
    String service = env.get("K_SERVICE");
    if (installed || service == null || service.isBlank()) {
      return;
    }
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    StreamHandler out =
        new StreamHandler(System.out, new CloudLogging(env.get("GOOGLE_CLOUD_PROJECT"), service)) {
          @Override
          public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush(); // one entry per line, at once: the instance may be frozen after a response
          }
        };
    out.setLevel(Level.ALL);
    root.addHandler(out);
    installed = true;
  }

  @Override
  public String format(LogRecord record) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("severity", severity(record.getLevel()));
      g.writeStringField("message", message(record));
      g.writeStringField("time", Instant.ofEpochMilli(record.getMillis()).toString());
      g.writeObjectFieldStart("logging.googleapis.com/labels");
      g.writeStringField("app", "deezwatts");
      if (service != null) {
        g.writeStringField("function", service);
      }
      g.writeStringField("logger", String.valueOf(record.getLoggerName()));
      g.writeEndObject();
      String trace = RequestTrace.current();
      if (trace != null && project != null && !project.isBlank()) {
        g.writeStringField(
            "logging.googleapis.com/trace", "projects/" + project + "/traces/" + trace);
      }
      Object[] params = record.getParameters();
      if (params != null && params.length > 0 && params[0] instanceof LogFields fields) {
        for (Map.Entry<String, Object> f : fields.fields().entrySet()) {
          if (f.getValue() instanceof Number n) {
            g.writeFieldName(f.getKey());
            g.writeNumber(n.longValue());
          } else {
            g.writeStringField(f.getKey(), String.valueOf(f.getValue()));
          }
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.append('\n').toString();
  }

  private String message(LogRecord record) {
    String text =
        record.getParameters() != null
                && record.getParameters().length > 0
                && record.getParameters()[0] instanceof LogFields
            ? record.getMessage()
            : formatMessage(record);
    Throwable thrown = record.getThrown();
    if (thrown == null) {
      return text;
    }
    StringWriter trace = new StringWriter();
    thrown.printStackTrace(new PrintWriter(trace));
    return text + "\n" + trace;
  }

  static String severity(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (v >= Level.WARNING.intValue()) {
      return "WARNING";
    }
    if (v >= Level.INFO.intValue()) {
      return "INFO";
    }
    return "DEBUG";
  }
}
