package io.deezwatts.cli.viriciti;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code deezwatts viriciti}: ViriCiti's live WebSocket. */
@Command(
    name = "viriciti",
    mixinStandardHelpOptions = true,
    description = "ViriCiti's live WebSocket feed.",
    subcommands = {BridgeCommand.class})
public final class ViricitiCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Runs without a subcommand: a usage error.
   *
   * @throws CommandLine.ParameterException always, which the CLI reports with exit status 2
   */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: bridge");
  }
}
