package io.deezwatts.cli;

import io.deezwatts.core.cc.CcException;
import io.deezwatts.core.sink.SinkException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The command line's exit statuses, and how a failure becomes one: the one place that decides what
 * a failed command prints and returns. Usage and configuration errors are picocli's {@link
 * CommandLine.ParameterException}s, answered with {@link #USAGE} by {@link Main}.
 */
public final class ExitStatus {
  /** Done. */
  public static final int OK = 0;

  /** The work failed: a vendor refused or failed, storing failed, a file could not be read. */
  public static final int FAILED = 1;

  /** A usage or configuration error; nothing was done. */
  public static final int USAGE = 2;

  /** Part of the work was done and the rest is left for a later run. */
  public static final int PARTIAL = 3;

  private ExitStatus() {}

  /** Prints {@code e} as a failure ({@code deezwatts: MESSAGE}) and returns {@link #FAILED}. */
  public static int failed(CommandLine cmd, Exception e) {
    return failed(cmd, null, e);
  }

  /**
   * Prints {@code e} as a failure of {@code what} ({@code deezwatts: WHAT: MESSAGE}) and returns
   * {@link #FAILED}.
   */
  public static int failed(CommandLine cmd, String what, Exception e) {
    PrintWriter err = cmd.getErr();
    err.println("deezwatts: " + (what == null ? "" : what + ": ") + message(e));
    err.flush();
    return FAILED;
  }

  /** The line a failure prints: its message, with whether a retry may help where that is known. */
  static String message(Exception e) {
    if (e instanceof CcException cc) {
      return cc.getMessage() + (cc.retryable() ? " (temporary: try again later)" : "");
    }
    if (e instanceof SinkException s) {
      return "storing failed ("
          + (s.isTransient() ? "transient" : "permanent")
          + "): "
          + s.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /**
   * A subcommand whose checked failures all end in {@link ExitStatus#failed}; usage errors and
   * runtime exceptions go on to {@link Main}'s handlers.
   */
  public abstract static class Call implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec protected CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() {
      CommandLine cmd = spec.commandLine();
      try {
        return run(cmd);
      } catch (RuntimeException e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return FAILED;
      } catch (Exception e) {
        return failed(cmd, e);
      }
    }

    /** Does the work; returns the exit status. */
    protected abstract int run(CommandLine cmd) throws Exception;
  }
}
