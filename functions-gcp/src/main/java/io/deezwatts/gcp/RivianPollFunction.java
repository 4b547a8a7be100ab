package io.deezwatts.gcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.NotFoundException;
import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.protobuf.ByteString;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.PollSchedule;
import io.deezwatts.core.rivian.RivianClient;
import io.deezwatts.core.rivian.RivianException;
import io.deezwatts.core.rivian.RivianPoller;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.ScheduledPolls;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.util.Lazy;
import java.io.IOException;
import java.io.Writer;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Polls Rivian once per request: the target of a Cloud Scheduler job ({@code POST}, every few
 * minutes). Reuses the session {@code deezwatts rivian login} saved, read from Secret Manager; it
 * never logs in itself, as MFA needs a person.
 *
 * <p>Answers: 200 with counts once the snapshots are stored ({@code "status":"partial"} with the
 * ids in {@code rateLimited} when Rivian kept rate-limiting some vehicles, which the next run
 * fetches; or, while backing off after {@code RATE_LIMIT}, {@code "status":"skipped"}); 429 when
 * requests come faster than the minimum interval of {@link PollSchedule#MINIMUM_INTERVAL} (less 10
 * s of scheduler jitter); 500 when the session has expired ("run `deezwatts rivian login` again")
 * or on a failure no retry fixes; 503 when Rivian or the sink failed in a way the next scheduled
 * run may not. Never a stack trace, never a token.
 *
 * <p>Configuration: {@code DEEZWATTS_RIVIAN_SECRET} ({@code projects/P/secrets/S}; unset: the file
 * {@code DEEZWATTS_RIVIAN_TOKEN_FILE}), {@code DEEZWATTS_RIVIAN_INTERVAL_SECONDS} (the scheduler's
 * interval; the function refuses to start when it is under the minimum), {@code DEEZWATTS_SINK},
 * {@code DEEZWATTS_RIVIAN_ENDPOINT}.
 */
public final class RivianPollFunction implements HttpFunction {
  /** The Secret Manager secret holding the session. */
  public static final String SECRET_VARIABLE = "DEEZWATTS_RIVIAN_SECRET";

  /** The schedule's interval in seconds, checked against the minimum. */
  public static final String INTERVAL_VARIABLE = ScheduledPolls.INTERVAL_VARIABLE;

  private static final System.Logger LOG = System.getLogger(RivianPollFunction.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(50);

  private final Lazy<RivianPoller> poller;
  private final ScheduledPolls runs;
  private final Clock clock;

  /** The constructor the Functions Framework calls; reads the environment. */
  public RivianPollFunction() {
    this(FunctionEnvironment.current(), Clock.systemUTC());
  }

  /**
   * A function for {@code env}.
   *
   * @throws IllegalArgumentException when the configured interval is under the minimum, or the
   *     Rivian endpoint is not an http(s) URL
   */
  RivianPollFunction(Map<String, String> env, Clock clock) {
    this.runs = ScheduledPolls.fromEnvironment(env);
    this.clock = clock;
    RivianClient client = RivianClient.fromEnvironment(env);
    String secret = env.get(SECRET_VARIABLE);
    TokenStore tokens =
        secret == null || secret.isBlank()
            ? FileTokenStore.fromEnvironment(env)
            : new SecretManagerTokenStore(secret.trim());
    this.poller =
        new Lazy<>(
            () ->
                new RivianPoller(
                    client, tokens, Sinks.fromEnvironment(env), Catalog.standard(), clock));
  }

  /**
   * Polls once.
   *
   * @throws IOException only when the response cannot be written
   */
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    Instant now = clock.instant();
    ObjectNode body = JSON.createObjectNode();
    int status;
    synchronized (this) {
      ScheduledPolls.Admission admission = runs.admit(now);
      if (admission == ScheduledPolls.Admission.TOO_SOON) {
        status = 429;
        body.put("status", "refused");
        body.put(
            "error",
            "polls come faster than the minimum of "
                + PollSchedule.MINIMUM_INTERVAL.toSeconds()
                + " s between Rivian polls; slow down the Cloud Scheduler job");
      } else if (admission == ScheduledPolls.Admission.BACKING_OFF) {
        status = 200;
        body.put("status", "skipped");
        body.put("reason", "backing off after a failure until " + runs.notBefore());
      } else {
        status = poll(now, body);
      }
    }
    response.setStatusCode(status);
    response.setContentType("application/json");
    try (Writer w = response.getWriter()) {
      w.write(body.toString());
    }
  }

  private int poll(Instant now, ObjectNode body) {
    try {
      RivianPoller.PollResult r = poller.get().poll(now.plus(DEADLINE));
      runs.succeeded();
      body.put("status", r.partial() ? "partial" : "stored");
      if (r.partial()) {
        LOG.log(Level.WARNING, r.partialNote());
        body.putPOJO("rateLimited", r.rateLimited());
      }
      body.put("vehicles", r.vehicles());
      body.put("stored", r.written().rowsStored());
      body.put("unchanged", r.written().duplicatesSkipped());
      r.warnings().forEach(w -> LOG.log(Level.WARNING, w));
      body.putPOJO("warnings", r.warnings());
      return 200;
    } catch (RivianException e) {
      LOG.log(Level.ERROR, e.getMessage());
      body.put("status", "failed");
      body.put("error", e.getMessage());
      if (e.retry() == RivianException.Retry.LATER) {
        backOff(now);
        return 503;
      }
      return 500;
    } catch (SinkException e) {
      LOG.log(Level.ERROR, "storing Rivian snapshots failed: " + e.getMessage());
      body.put("status", "failed");
      body.put("error", "storing failed: " + e.getMessage());
      if (e.isTransient()) {
        backOff(now);
        return 503;
      }
      return 500;
    } catch (IOException e) {
      LOG.log(Level.ERROR, "cannot read the Rivian session: " + e.getMessage());
      body.put("status", "failed");
      body.put("error", "cannot read the Rivian session: " + e.getMessage());
      return 500;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "Rivian poll failed: " + e);
      body.put("status", "failed");
      body.put("error", "Rivian poll failed: " + e.getMessage());
      return 500;
    }
  }

  private void backOff(Instant now) {
    // The scheduler comes back every interval; runs are skipped until the backoff has passed.
    runs.failedTransiently(now);
  }

  /**
   * The session in a Secret Manager secret: read from its latest version; a save adds a version.
   * Put it there once after {@code deezwatts rivian login}: {@code gcloud secrets versions add S
   * --data-file=data/rivian-session.json}.
   */
  static final class SecretManagerTokenStore implements TokenStore {
    private final String secret;

    SecretManagerTokenStore(String secret) {
      if (!secret.matches("projects/[^/]+/secrets/[^/]+")) {
        throw new IllegalArgumentException(
            SECRET_VARIABLE + " must look like projects/PROJECT/secrets/SECRET");
      }
      this.secret = secret;
    }

    /**
     * Reads the latest version.
     *
     * @return empty when the secret or its versions do not exist
     * @throws IOException when Secret Manager cannot be reached or refuses
     */
    @Override
    public Optional<RivianSession> load() throws IOException {
      try (SecretManagerServiceClient c = SecretManagerServiceClient.create()) {
        byte[] data =
            c.accessSecretVersion(secret + "/versions/latest").getPayload().getData().toByteArray();
        return Optional.of(SessionJson.read(data, secret));
      } catch (NotFoundException e) {
        return Optional.empty();
      } catch (ApiException e) {
        throw new IOException(
            "Secret Manager refused to read " + secret + ": " + e.getStatusCode().getCode(), e);
      }
    }

    /**
     * Adds a version holding the session.
     *
     * @throws IOException when Secret Manager cannot be reached or refuses
     */
    @Override
    public void save(RivianSession session) throws IOException {
      try (SecretManagerServiceClient c = SecretManagerServiceClient.create()) {
        c.addSecretVersion(
            secret,
            SecretPayload.newBuilder()
                .setData(ByteString.copyFrom(SessionJson.write(session)))
                .build());
      } catch (ApiException e) {
        throw new IOException(
            "Secret Manager refused to write " + secret + ": " + e.getStatusCode().getCode(), e);
      }
    }

    @Override
    public String describe() {
      return secret;
    }
  }
}
