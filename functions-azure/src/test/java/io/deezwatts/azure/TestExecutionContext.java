package io.deezwatts.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.RetryContext;
import com.microsoft.azure.functions.RpcException;
import io.deezwatts.core.log.LogFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A small real {@link ExecutionContext}, as the Java worker gives a function: a logger (whose
 * records the test can read) and the retry policy's attempt count.
 */
final class TestExecutionContext implements ExecutionContext {
  private final String functionName;
  private final Logger logger;
  private final List<LogRecord> records = new ArrayList<>();
  private final RetryContext retry;

  private TestExecutionContext(String functionName, RetryContext retry) {
    this.functionName = functionName;
    this.retry = retry;
    this.logger = Logger.getAnonymousLogger();
    logger.setUseParentHandlers(false);
    logger.setLevel(Level.ALL);
    logger.addHandler(
        new Handler() {
          @Override
          public synchronized void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        });
  }

  /** A first attempt (the retry count is 0). */
  static TestExecutionContext firstAttempt(String functionName) {
    return attempt(functionName, 0, EventHubIngest.MAX_RETRIES);
  }

  /** The attempt after {@code retryCount} retries of at most {@code maxRetries}. */
  static TestExecutionContext attempt(String functionName, int retryCount, int maxRetries) {
    return new TestExecutionContext(
        functionName,
        new RetryContext() {
          @Override
          public int getRetrycount() {
            return retryCount;
          }

          @Override
          public int getMaxretrycount() {
            return maxRetries;
          }

          @Override
          public RpcException getException() {
            return null;
          }
        });
  }

  /** What the function logged at {@code level} or above, one record a line. */
  synchronized String logged(Level level) {
    return records.stream()
        .filter(r -> r.getLevel().intValue() >= level.intValue())
        .map(r -> r.getMessage() + (r.getThrown() == null ? "" : " / " + r.getThrown()))
        .collect(Collectors.joining("\n"));
  }

  /**
   * The fields of the last line logged with {@code key} among its {@link LogFields}, such as a
   * scheduled run's outcome line; empty when there is none.
   */
  synchronized Map<String, Object> lastFields(String key) {
    for (int i = records.size() - 1; i >= 0; i--) {
      Object[] p = records.get(i).getParameters();
      if (p != null && p.length > 0 && p[0] instanceof LogFields f && f.fields().containsKey(key)) {
        return f.fields();
      }
    }
    return Map.of();
  }

  @Override
  public Logger getLogger() {
    return logger;
  }

  @Override
  public String getInvocationId() {
    return UUID.randomUUID().toString();
  }

  @Override
  public String getFunctionName() {
    return functionName;
  }

  @Override
  public RetryContext getRetryContext() {
    return retry;
  }
}
