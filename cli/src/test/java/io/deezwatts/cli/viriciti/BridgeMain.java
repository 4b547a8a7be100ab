package io.deezwatts.cli.viriciti;

import picocli.CommandLine;

/**
 * {@code deezwatts viriciti ...} on its own, for running the bridge in a child JVM (the SIGTERM
 * test) until {@code io.deezwatts.cli.Main} registers {@link ViricitiCommand}.
 */
public final class BridgeMain {
  private BridgeMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ViricitiCommand()).execute(args));
  }
}
