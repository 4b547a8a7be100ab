package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deezwatts.contract.AdapterContract;
import io.deezwatts.contract.ContractAnswer;
import io.deezwatts.contract.ContractCase;
import io.deezwatts.core.rivian.FileTokenStore;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adapter contract ({@link AdapterContract}) on Google Cloud: each case's function served by
 * the real Functions Framework invoker and called over HTTP, the session in a file ({@link
 * SecretManagerTokenStore} is run against its stand-in in {@code SecretManagerTokenStoreIT} and
 * {@code RivianPollFunctionIT}).
 */
class GcpAdapterContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private InvokedFunction function;

  static List<ContractCase> cases() {
    return ContractCase.all();
  }

  @AfterEach
  void stop() throws Exception {
    if (function != null) {
      function.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsTheContractSays(ContractCase c) throws Exception {
    AdapterContract.run(c, new Gcp(), dir);
  }

  private final class Gcp implements AdapterContract.Platform {
    @Override
    public Map<String, String> keepSession(boolean session, Path dir) throws Exception {
      Path file = dir.resolve("rivian-session.json");
      if (session) {
        new FileTokenStore(file).save(AdapterContract.SESSION);
      }
      return Map.of(FileTokenStore.FILE_VARIABLE, file.toString());
    }

    @Override
    public AdapterContract.Deployment deploy(String job, Map<String, String> settings)
        throws Exception {
      if (job.equals("queue")) {
        function = InvokedFunction.cloudEvents(PubSubIngestFunction.class, settings);
        return publisher();
      }
      Class<?> target =
          switch (job) {
            case "push" -> HttpIngestFunction.class;
            case "rivian-poll" -> RivianPollFunction.class;
            case "cc-sync" -> CcSyncFunction.class;
            default -> throw new IllegalArgumentException(job);
          };
      function = InvokedFunction.http(target, settings);
      return new AdapterContract.Deployment() {
        @Override
        public ContractAnswer call(JsonNode request) throws Exception {
          HttpResponse<String> r =
              request.has("method")
                  ? function.send(
                      request.path("method").asText(),
                      request.path("path").asText("/"),
                      headers(request),
                      body(request))
                  : function.post();
          JsonNode fields = r.body().isEmpty() ? null : JSON.readTree(r.body());
          return new ContractAnswer(r.statusCode(), null, fields, r.body());
        }

        @Override
        public void close() throws Exception {
          function.close();
          function = null;
        }
      };
    }

    @Override
    public String logs() {
      return function == null ? "" : function.logs();
    }

    @Override
    public String queueDelivery() {
      return "redelivered";
    }
  }

  /** Publishes each step's message as Eventarc delivers it: a 2xx acknowledges it. */
  private AdapterContract.Deployment publisher() {
    return new AdapterContract.Deployment() {
      @Override
      public ContractAnswer call(JsonNode request) throws Exception {
        HttpResponse<String> r =
            function.publish(
                body(request),
                texts(request.path("attributes")),
                request.path("messageId").asText());
        return ContractAnswer.queue(r.statusCode() / 100 == 2 ? "ack" : "retry", r.body());
      }

      @Override
      public void close() throws Exception {
        function.close();
        function = null;
      }
    };
  }

  static Map<String, String> headers(JsonNode request) {
    return texts(request.path("headers"));
  }

  /** A JSON object's members as text. */
  static Map<String, String> texts(JsonNode object) {
    Map<String, String> texts = new HashMap<>();
    object.properties().forEach(h -> texts.put(h.getKey(), h.getValue().asText()));
    return texts;
  }

  static byte[] body(JsonNode request) throws Exception {
    if (request.has("bodyFile")) {
      return Files.readAllBytes(Path.of("..").resolve(request.path("bodyFile").asText()));
    }
    return request.has("body") ? request.path("body").asText().getBytes() : null;
  }
}
