package io.deezwatts.cli;

import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * A command group whose subcommands read their settings from an environment: the process's, or the
 * map a test gives. Run without a subcommand, it is a usage error naming them.
 */
public abstract class EnvCommand implements Runnable {
  @CommandLine.Spec protected CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  protected EnvCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public Map<String, String> env() {
    return env;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "a command is required: " + subcommands(spec));
  }

  /** "a, b or c": the subcommands of {@code spec}, help left out. */
  public static String subcommands(CommandLine.Model.CommandSpec spec) {
    var names = spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
    int n = names.size();
    return n <= 1
        ? String.join("", names)
        : String.join(", ", names.subList(0, n - 1)) + " or " + names.get(n - 1);
  }

  /**
   * Something built from the settings, where a missing or malformed setting (an {@link
   * IllegalArgumentException} or {@link IllegalStateException}) is a usage error: exit {@link
   * ExitStatus#USAGE}.
   */
  public static <T> T configured(CommandLine cmd, Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
  }

  /** The nearest enclosing command of {@code type} of the subcommand {@code cmd}. */
  public static <T> T enclosing(CommandLine cmd, Class<T> type) {
    for (CommandLine c = cmd; c != null; c = c.getParent()) {
      if (type.isInstance(c.getCommand())) {
        return type.cast(c.getCommand());
      }
    }
    throw new IllegalStateException(cmd.getCommandName() + " is not a subcommand of " + type);
  }
}
