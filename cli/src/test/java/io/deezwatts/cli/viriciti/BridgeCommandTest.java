package io.deezwatts.cli.viriciti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Usage errors exit 2 before anything connects or opens a sink. */
class BridgeCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private Run run(Map<String, String> env, String... args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cmd =
        new CommandLine(
            new ViricitiCommand(),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                K k = defaults.create(cls);
                if (k instanceof BridgeCommand b) {
                  b.env = env;
                }
                return k;
              }
            });
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println(ex.getMessage());
          return 2;
        });
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err, true));
    cmd.setOut(new PrintWriter(new StringWriter(), true));
    return new Run(cmd.execute(args), err.toString());
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DEEZWATTS_VIRICITI_API_KEY", "k-secret");
    env.put("DEEZWATTS_VIRICITI_URL", "ws://127.0.0.1:9/live");
    env.put("DEEZWATTS_SINK", "duckdb:" + dir.resolve("never-opened.duckdb"));
    return env;
  }

  private Path file(String text) throws Exception {
    Path f = dir.resolve("sub.json");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void withoutTheKeyItIsAUsageError() throws Exception {
    Map<String, String> env = env();
    env.remove("DEEZWATTS_VIRICITI_API_KEY");
    Run r = run(env, "bridge", "--subscription", file("{\"vehicles\":{}}").toString());
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("DEEZWATTS_VIRICITI_API_KEY"), r.err);
  }

  @Test
  void aBadSubscriptionIsAUsageError() throws Exception {
    Run r = run(env(), "bridge", "--subscription", file("{\"trucks\":{}}").toString());
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("unknown domain 'trucks'"), r.err);
    Run missing = run(env(), "bridge", "--subscription", dir.resolve("nope.json").toString());
    assertEquals(2, missing.exit);
  }

  @Test
  void badSettingsAreUsageErrorsAndNeverShowTheKey() throws Exception {
    String sub = file("{\"vehicles\":{}}").toString();
    for (String[] extra :
        new String[][] {
          {"--batch-size", "0"},
          {"--batch-size", "100", "--buffer", "10"},
          {"--flush-seconds", "0"},
          {"--read-timeout-seconds", "-1"}
        }) {
      String[] args = new String[3 + extra.length];
      args[0] = "bridge";
      args[1] = "--subscription";
      args[2] = sub;
      System.arraycopy(extra, 0, args, 3, extra.length);
      Run r = run(env(), args);
      assertEquals(2, r.exit, String.join(" ", extra) + ": " + r.err);
    }
    Map<String, String> env = env();
    env.put("DEEZWATTS_VIRICITI_URL", "https://not-a-socket");
    Run r = run(env, "bridge", "--subscription", sub);
    assertEquals(2, r.exit);
    assertFalse(r.err.contains("k-secret"), r.err);
    assertFalse(
        Files.exists(dir.resolve("never-opened.duckdb")), "no sink is opened on a usage error");
  }
}
