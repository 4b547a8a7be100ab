package io.deezwatts.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpResponseMessage;
import io.deezwatts.contract.AdapterContract;
import io.deezwatts.contract.ContractAnswer;
import io.deezwatts.contract.ContractCase;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.sink.SinkException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The adapter contract ({@link AdapterContract}) on Azure: each case through the Function App's
 * classes as the Java worker calls them ({@link HttpIngest} with a request message, {@link
 * EventHubIngest} with a batch of one event and the one fake, the dead-letter hub ({@link
 * RecordingDeadLetter}: Event Hubs has no local emulator here), the timers with an {@link
 * TestExecutionContext}), the app built from the case's settings as in the cloud, and the session
 * in Key Vault ({@link AzureStandIn}, with the managed identity).
 */
class AzureAdapterContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private AzureStandIn azure;
  private final List<TestExecutionContext> invocations = new ArrayList<>();

  static List<ContractCase> cases() {
    return ContractCase.all();
  }

  @BeforeEach
  void start() throws java.io.IOException {
    azure = new AzureStandIn();
  }

  @AfterEach
  void stop() {
    azure.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersAsTheContractSays(ContractCase c) throws Exception {
    AdapterContract.run(c, new Azure(), dir);
  }

  private final class Azure implements AdapterContract.Platform {
    @Override
    public Map<String, String> keepSession(boolean session, Path dir) {
      if (session) {
        azure.putSecret(
            "rivian-session",
            new String(SessionJson.write(AdapterContract.SESSION), StandardCharsets.UTF_8));
      }
      Map<String, String> settings = new HashMap<>(azure.identityEnvironment());
      settings.put(KeyVaultTokenStore.SECRET_VARIABLE, azure.base() + "/secrets/rivian-session");
      return settings;
    }

    @Override
    public AdapterContract.Deployment deploy(String job, Map<String, String> settings) {
      if (job.equals("queue")) {
        // As FunctionApp(settings) builds it, with the one fake: the dead-letter hub.
        RecordingDeadLetter deadLetter = new RecordingDeadLetter();
        return hub(
            new EventHubIngest(
                new FunctionApp(FunctionApp.components(settings).build(), () -> deadLetter)),
            deadLetter);
      }
      FunctionApp app = new FunctionApp(settings);
      return switch (job) {
        case "push" -> push(new HttpIngest(app));
        case "rivian-poll" -> timer(new RivianPoll(app.components().rivianPoll())::run);
        case "cc-sync" -> timer(new CcSync(app.components().ccSync())::run);
        default -> throw new IllegalArgumentException(job);
      };
    }

    @Override
    public String logs() {
      return invocations.stream().map(i -> i.logged(Level.ALL)).collect(Collectors.joining("\n"));
    }

    @Override
    public String queueDelivery() {
      return "parkedAfter";
    }
  }

  /**
   * Delivers each step's message as the Java worker binds one event of partition 0 on the first
   * attempt: its properties are the step's attributes.
   */
  private AdapterContract.Deployment hub(EventHubIngest function, RecordingDeadLetter deadLetter) {
    return new AdapterContract.Deployment() {
      private long sequenceNumber;

      @Override
      @SuppressWarnings("unchecked")
      public ContractAnswer call(JsonNode request) throws Exception {
        byte[] body =
            request.has("bodyFile")
                ? Files.readAllBytes(Path.of("..").resolve(request.path("bodyFile").asText()))
                : request.path("body").asText().getBytes(StandardCharsets.UTF_8);
        Map<String, Object> properties = new HashMap<>();
        request
            .path("attributes")
            .properties()
            .forEach(a -> properties.put(a.getKey(), a.getValue().asText()));
        sequenceNumber++;
        Map<String, Object> system =
            Map.of(
                "MessageId",
                request.path("messageId").asText(),
                "SequenceNumber",
                (double) sequenceNumber, // the worker hands numbers over as doubles
                "Offset",
                Long.toString(4096 * sequenceNumber),
                "EnqueuedTimeUtc",
                "2026-11-21T10:15:30.123Z");
        TestExecutionContext context = TestExecutionContext.firstAttempt("EventHubIngest");
        invocations.add(context);
        int parked = deadLetter.parked().size();
        EventHubBatch batch =
            new EventHubBatch(
                new byte[][] {body},
                new Map[] {properties},
                new Map[] {system},
                Map.of("PartitionId", "0"),
                null);
        try {
          batch.deliverTo(function, context);
        } catch (SinkException e) {
          // The retry policy runs the batch again.
          return ContractAnswer.queue("retry", e.getClass().getName() + ": " + e.getMessage());
        } catch (DeadLetterHub.ParkingException e) {
          return ContractAnswer.queue("lost", e.getClass().getName() + ": " + e.getMessage());
        }
        return ContractAnswer.queue(deadLetter.parked().size() > parked ? "park" : "ack", "");
      }

      @Override
      public void close() {}
    };
  }

  private AdapterContract.Deployment push(HttpIngest function) {
    return new AdapterContract.Deployment() {
      @Override
      public ContractAnswer call(JsonNode request) throws Exception {
        TestHttpRequest.Builder b =
            TestHttpRequest.request(
                HttpMethod.value(request.path("method").asText().toUpperCase(Locale.ROOT)),
                "/api" + request.path("path").asText("/"));
        request
            .path("headers")
            .properties()
            .forEach(h -> b.header(h.getKey(), h.getValue().asText()));
        if (request.has("bodyFile")) {
          b.body(Files.readAllBytes(Path.of("..").resolve(request.path("bodyFile").asText())));
        } else if (request.has("body")) {
          b.body(request.path("body").asText());
        }
        TestExecutionContext context = TestExecutionContext.firstAttempt("HttpIngest");
        invocations.add(context);
        HttpResponseMessage r = function.run(b.build(), context);
        String body = (String) r.getBody();
        return new ContractAnswer(r.getStatusCode(), null, JSON.readTree(body), body);
      }

      @Override
      public void close() {}
    };
  }

  /** A timer function's run method. */
  @FunctionalInterface
  private interface Timer {
    void run(String timerInfo, com.microsoft.azure.functions.ExecutionContext context)
        throws Exception;
  }

  private AdapterContract.Deployment timer(Timer function) {
    return new AdapterContract.Deployment() {
      @Override
      public ContractAnswer call(JsonNode request) {
        TestExecutionContext context = TestExecutionContext.firstAttempt("timer");
        invocations.add(context);
        String result = "returns";
        String text = "";
        try {
          function.run("{\"isPastDue\":false}", context);
        } catch (Exception e) {
          // The worker records the invocation as failed, with this message.
          result = "fails";
          text = e.getClass().getName() + ": " + e.getMessage();
        }
        JsonNode fields = JSON.valueToTree(context.lastFields("outcome"));
        return new ContractAnswer(0, result, fields, text);
      }

      @Override
      public void close() {}
    };
  }
}
