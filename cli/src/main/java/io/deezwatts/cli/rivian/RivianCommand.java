package io.deezwatts.cli.rivian;

import io.deezwatts.cli.EnvCommand;
import io.deezwatts.cli.ExitStatus;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.LoginStep;
import io.deezwatts.core.rivian.PollSchedule;
import io.deezwatts.core.rivian.RivianClient;
import io.deezwatts.core.rivian.RivianException;
import io.deezwatts.core.rivian.RivianPoller;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deezwatts rivian}: log in to Rivian once ({@code login}), then land vehicle state
 * snapshots ({@code poll}). Tokens are kept in the file {@code DEEZWATTS_RIVIAN_TOKEN_FILE}
 * (default {@code ./data/rivian-session.json}, mode 0600); passwords and tokens are never printed.
 */
@Command(
    name = "rivian",
    mixinStandardHelpOptions = true,
    description = {
      "Poll Rivian vehicles into rivian_vehicle_states.",
      "Log in once with 'rivian login'; 'rivian poll' reuses the stored session."
    },
    subcommands = {RivianCommand.Login.class, RivianCommand.Poll.class})
public final class RivianCommand extends EnvCommand {
  /** The command the {@code deezwatts} command line registers; reads the process environment. */
  public RivianCommand() {
    this(System.getenv());
  }

  /** A command reading {@code env} instead of the process environment (tests). */
  public RivianCommand(Map<String, String> env) {
    super(env);
  }

  /** {@code deezwatts rivian login}. */
  @Command(
      name = "login",
      mixinStandardHelpOptions = true,
      description = {
        "Log in to Rivian with RIVIAN_USERNAME and RIVIAN_PASSWORD from the environment and save"
            + " the session to DEEZWATTS_RIVIAN_TOKEN_FILE (default "
            + FileTokenStore.DEFAULT_FILE
            + ", mode 0600).",
        "When MFA is on, asks for the one-time code Rivian sends, on the terminal.",
        "Exit status: 0 logged in, 1 Rivian refused or failed, 2 usage error."
      })
  static final class Login implements Callable<Integer> {
    @CommandLine.ParentCommand RivianCommand parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--otp",
        paramLabel = "CODE",
        description =
            "The one-time code, when MFA is on and no terminal is at hand; '-' reads it from the"
                + " first line of standard input once Rivian has sent it.")
    String otp;

    @Override
    public Integer call() {
      Map<String, String> env = parent.env();
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String email = env.get("RIVIAN_USERNAME");
      String password = env.get("RIVIAN_PASSWORD");
      if (email == null || email.isBlank() || password == null || password.isEmpty()) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "set RIVIAN_USERNAME and RIVIAN_PASSWORD in the environment (never on the command"
                + " line)");
      }
      RivianClient client = configured(spec.commandLine(), () -> RivianClient.fromEnvironment(env));
      FileTokenStore store = FileTokenStore.fromEnvironment(env);
      try {
        LoginStep step = client.login(email.trim(), password);
        RivianSession session;
        if (step instanceof LoginStep.LoggedIn in) {
          session = in.session();
        } else {
          session = answerOtp(client, (LoginStep.OtpRequired) step, err);
          if (session == null) {
            return ExitStatus.FAILED;
          }
        }
        store.save(session);
        out.println("logged in to Rivian; session saved to " + store.describe());
        out.flush();
        return 0;
      } catch (RivianException e) {
        return ExitStatus.failed(spec.commandLine(), "rivian login failed", e);
      } catch (IOException e) {
        return ExitStatus.failed(
            spec.commandLine(), "cannot save the session to " + store.describe(), e);
      }
    }

    /** Asks for the code (three tries on a terminal); null when no session came of it. */
    private RivianSession answerOtp(
        RivianClient client, LoginStep.OtpRequired challenge, PrintWriter err)
        throws RivianException {
      Console console = System.console();
      if (otp != null) {
        String code = otp;
        if ("-".equals(otp)) {
          err.println("MFA is on: reading the one-time code Rivian sent from standard input");
          err.flush();
          code = firstLineOfStdin();
        }
        if (code == null || code.isBlank()) {
          err.println("deezwatts: rivian login failed: no one-time code given");
          return null;
        }
        return client.loginWithOtp(challenge, code.trim());
      }
      if (console == null) {
        err.println(
            "deezwatts: rivian login failed: MFA is on and there is no terminal to ask for the"
                + " one-time code; run it on a terminal or pass --otp -");
        return null;
      }
      for (int attempt = 1; ; attempt++) {
        String code = console.readLine("One-time code Rivian sent you: ");
        if (code == null || code.isBlank()) {
          err.println("deezwatts: rivian login failed: no one-time code given");
          return null;
        }
        try {
          return client.loginWithOtp(challenge, code.trim());
        } catch (RivianException.InvalidOtp e) {
          if (attempt == 3) {
            throw e;
          }
          err.println(e.getMessage());
          err.flush();
        }
      }
    }

    private static String firstLineOfStdin() {
      try {
        return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            .readLine();
      } catch (IOException e) {
        return null;
      }
    }
  }

  /** {@code deezwatts rivian poll}. */
  @Command(
      name = "poll",
      mixinStandardHelpOptions = true,
      description = {
        "Poll every vehicle on the account and store one rivian_vehicle_states row each, on a"
            + " timer (or --once). Reuses the session 'rivian login' saved; never logs in itself.",
        "Exit status: 0 stored, 3 partial (--once: Rivian kept rate-limiting some vehicles, left"
            + " for the next poll; the others stored), 1 failed (an expired session: run"
            + " 'deezwatts rivian login' again), 2 usage error."
      })
  static final class Poll implements Callable<Integer> {
    @CommandLine.ParentCommand RivianCommand parent;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--once", description = "Poll once and exit.")
    boolean once;

    @Option(
        names = "--interval",
        paramLabel = "SECONDS",
        description = "Seconds between polls (default ${DEFAULT-VALUE}, at least 60).",
        defaultValue = "300")
    long intervalSeconds;

    @CommandLine.Mixin io.deezwatts.cli.SinkOption sinkOption;

    /** How long storing one poll may take. */
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @Override
    public Integer call() {
      Map<String, String> env = parent.env();
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Duration interval = Duration.ofSeconds(intervalSeconds);
      CommandLine cmd = spec.commandLine();
      RivianClient client =
          configured(
              cmd,
              () -> {
                PollSchedule.checkInterval(interval);
                return RivianClient.fromEnvironment(env);
              });
      Sink sink = configured(cmd, () -> Sinks.open(sinkOption.resolve(env), env));
      try (sink) {
        RivianPoller poller =
            new RivianPoller(
                client,
                FileTokenStore.fromEnvironment(env),
                sink,
                Catalog.standard(),
                Clock.systemUTC());
        PollSchedule.Listener listener =
            new PollSchedule.Listener() {
              @Override
              public void polled(RivianPoller.PollResult r) {
                r.warnings().forEach(w -> err.println("deezwatts: warning: " + w));
                if (r.partial()) {
                  err.println("deezwatts: " + r.partialNote());
                }
                out.println(summary(r, sink.describe()));
                out.flush();
                err.flush();
              }

              @Override
              public void backingOff(Exception failure, Duration wait) {
                err.println(
                    "deezwatts: "
                        + failure.getMessage()
                        + "; next poll in "
                        + wait.toSeconds()
                        + " s");
                err.flush();
              }
            };
        if (once) {
          RivianPoller.PollResult r = poller.poll(Instant.now().plus(DEADLINE));
          listener.polled(r);
          return r.partial() ? ExitStatus.PARTIAL : ExitStatus.OK;
        }
        new PollSchedule(
                poller,
                interval,
                d -> Thread.sleep(d.toMillis()),
                listener,
                () -> Instant.now().plus(DEADLINE))
            .run(0);
        return 0;
      } catch (RivianException e) {
        return ExitStatus.failed(cmd, "rivian poll failed", e);
      } catch (SinkException e) {
        return ExitStatus.failed(cmd, e);
      } catch (IOException e) {
        return ExitStatus.failed(cmd, "cannot read the Rivian session", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return ExitStatus.FAILED;
      } finally {
        err.flush();
      }
    }

    static String summary(RivianPoller.PollResult r, String sink) {
      long dup = r.written().duplicatesSkipped();
      return "polled "
          + r.vehicles()
          + " vehicle"
          + (r.vehicles() == 1 ? "" : "s")
          + " into "
          + sink
          + ": "
          + r.written().rowsStored()
          + " stored, "
          + (dup < 0 ? "(dedup at query time)" : Long.toString(dup))
          + " unchanged";
    }
  }
}
