package io.deezwatts.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs of a benchmark's command line. */
final class Args {
  private Args() {}

  /**
   * @throws IllegalArgumentException for an argument that is not {@code --name value}
   */
  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }
}
