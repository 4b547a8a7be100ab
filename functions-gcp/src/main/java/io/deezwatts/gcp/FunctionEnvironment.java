package io.deezwatts.gcp;

import java.util.HashMap;
import java.util.Map;

/**
 * The settings a function instance reads: the process environment, where each {@code DEEZWATTS_*}
 * variable may be overridden by a system property of the same name. In the cloud there are no such
 * properties; {@code deezwatts serve} and the tests use them, as a process cannot change its own
 * environment.
 */
final class FunctionEnvironment {
  private FunctionEnvironment() {}

  static Map<String, String> current() {
    Map<String, String> env = new HashMap<>(System.getenv());
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith("DEEZWATTS_") || name.equals("GOOGLE_APPLICATION_CREDENTIALS")) {
        env.put(name, System.getProperty(name));
      }
    }
    return Map.copyOf(env);
  }
}
