package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.app.Components;
import java.io.IOException;
import java.io.Writer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The composition root of the functions in one process: the Functions Framework makes one object
 * per function class, and each reaches the one {@link Components} its settings build, so the sink
 * and clients are opened once however many functions the process serves ({@code deezwatts serve}
 * hosts two). The Google Cloud part is where the Rivian session is kept ({@link
 * SecretManagerTokenStore}).
 */
final class GcpApp {
  // Keyed by the settings: one root in the cloud; tests and serve may run several configurations.
  private static final Map<Map<String, String>, Components> SHARED = new ConcurrentHashMap<>();

  private GcpApp() {}

  /** The root of the current settings ({@link FunctionEnvironment}), made once per process. */
  static Components current() {
    Map<String, String> env = FunctionEnvironment.current();
    CloudLogging.installIfOnGoogleCloud(env);
    return SHARED.computeIfAbsent(env, GcpApp::build);
  }

  /** A root for {@code env} with the Google Cloud parts. */
  static Components build(Map<String, String> env) {
    return Components.builder(env).tokenStore(SecretManagerTokenStore::fromEnvironment).build();
  }

  /** Writes a JSON answer: the status and the fields as the body. */
  static void answer(HttpResponse response, int status, Map<String, Object> fields)
      throws IOException {
    answer(response, status, Json.MAPPER.writeValueAsString(fields));
  }

  /** Writes a JSON answer; a 405 names the one method allowed. */
  static void answer(HttpResponse response, int status, String json) throws IOException {
    response.setStatusCode(status);
    response.setContentType("application/json");
    if (status == 405) {
      response.appendHeader("Allow", "POST");
    }
    try (Writer w = response.getWriter()) {
      w.write(json);
    }
  }

  /**
   * Made on the first answer built from fields (the scheduled functions): the push function's
   * answers are ready-made JSON, and an ObjectMapper at class load costs its cold start about 0.1
   * s.
   */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }
}
