package io.deezwatts.core.log;

import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** A logger that keeps what it is given, as Azure's ExecutionContext logger would pass it on. */
public final class RecordingLog {
  private RecordingLog() {}

  /** A logger adding {@code LEVEL message} to {@code lines} for each record, and nothing else. */
  public static Logger into(List<String> lines) {
    Logger log = Logger.getAnonymousLogger();
    log.setUseParentHandlers(false);
    log.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            lines.add(r.getLevel() + " " + r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
    return log;
  }
}
