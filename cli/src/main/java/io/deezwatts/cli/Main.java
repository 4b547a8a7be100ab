package io.deezwatts.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code deezwatts} command. */
@Command(
    name = "deezwatts",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Land connected-vehicle data in a warehouse.",
    subcommands = {
      ServeCommand.class,
      DecodeCommand.class,
      IngestCommand.class,
      RequeueCommand.class,
      io.deezwatts.cli.replay.ReplayCommand.class,
      SqlCommand.class,
      io.deezwatts.cli.rivian.RivianCommand.class,
      io.deezwatts.cli.viriciti.ViricitiCommand.class,
      io.deezwatts.cli.cc.CcCommand.class,
      SchemaCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests run it without exiting the JVM. */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setParameterExceptionHandler(ExitStatus::usage)
        .setExecutionExceptionHandler(ExitStatus::handle);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"deezwatts " + (v == null ? "(development build)" : v)};
    }
  }
}
