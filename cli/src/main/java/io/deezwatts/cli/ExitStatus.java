package io.deezwatts.cli;

import io.deezwatts.core.cc.CcException;
import io.deezwatts.core.sink.SinkException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The command line's exit statuses, and how a failure becomes one: the one place that decides what
 * a failed command prints and returns. Commands return {@link #OK}, {@link #FAILED} or {@link
 * #PARTIAL} for a verdict they printed themselves, and throw for anything else: a usage or
 * configuration error is picocli's {@link CommandLine.ParameterException} ({@link #usage}, {@link
 * #USAGE}); any other exception, {@link Failed} for a message the command words itself, is printed
 * by {@link #handle} and is {@link #FAILED}. {@link Main} installs both handlers.
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

  /** {@link #OK} when the work succeeded, else {@link #FAILED}. */
  public static int of(boolean succeeded) {
    return succeeded ? OK : FAILED;
  }

  /**
   * A failure the command has worded: printed as {@code deezwatts: MESSAGE}, exit {@link #FAILED}.
   */
  public static final class Failed extends RuntimeException {
    public Failed(String message) {
      super(message);
    }

    public Failed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** picocli's parameter exception handler: prints the usage error and a hint; {@link #USAGE}. */
  static int usage(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    cmd.getErr().println("deezwatts: " + ex.getMessage());
    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    return USAGE;
  }

  /** picocli's execution exception handler: any failure a command threw; {@link #FAILED}. */
  static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    return failed(cmd, ex);
  }

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
