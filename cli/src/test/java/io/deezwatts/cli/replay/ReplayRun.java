package io.deezwatts.cli.replay;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code deezwatts replay} in-process with a given environment (and Event Hubs connector), its
 * output and errors captured by picocli, with the exit statuses {@code Main} gives.
 */
record ReplayRun(int exit, String out, String err) {
  static ReplayRun of(
      Map<String, String> env, ReplayCommand.EventHubsConnector eventHubs, String... args) {
    return with(
        env,
        replay -> {
          if (eventHubs != null) {
            replay.eventHubs = eventHubs;
          }
        },
        args);
  }

  /** A run with the command's test seams set by {@code setup}. */
  static ReplayRun with(
      Map<String, String> env, java.util.function.Consumer<ReplayCommand> setup, String... args) {
    ReplayCommand replay = new ReplayCommand();
    replay.env = env;
    setup.accept(replay);
    CommandLine cmd = new CommandLine(replay);
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("deezwatts: " + ex.getMessage());
          return 2;
        });
    cmd.setExecutionExceptionHandler(
        (ex, c, parseResult) -> {
          c.getErr().println("deezwatts: " + ex.getMessage());
          return 1;
        });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new ReplayRun(exit, out.toString(), err.toString());
  }

  static ReplayRun of(Map<String, String> env, String... args) {
    return of(env, null, args);
  }
}
