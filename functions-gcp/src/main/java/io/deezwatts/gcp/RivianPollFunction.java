package io.deezwatts.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.deezwatts.core.app.Components;
import io.deezwatts.core.rivian.PollSchedule;
import io.deezwatts.core.rivian.RivianPollEndpoint;
import io.deezwatts.core.rivian.RivianPollOutcome;
import io.deezwatts.core.rivian.ScheduledPolls;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * Polls Rivian once per request: the target of a Cloud Scheduler job ({@code POST}, every few
 * minutes). A thin adapter over {@link RivianPollEndpoint}, as the Azure timer is: it reuses the
 * session {@code deezwatts rivian login} saved, read from Secret Manager ({@link
 * SecretManagerTokenStore}); it never logs in itself, as MFA needs a person.
 *
 * <p>Answers, with the outcome's fields as a JSON body: 200 once the snapshots are stored ({@code
 * "status":"partial"} with the ids in {@code rateLimited} when Rivian kept rate-limiting some
 * vehicles, which the next run fetches; {@code "skipped"} while backing off after a failure); 429
 * when requests come faster than the minimum interval of {@link PollSchedule#MINIMUM_INTERVAL}
 * (less 10 s of scheduler jitter); 503 when Rivian or the sink failed in a way the next scheduled
 * run may not, or the sink cannot be opened for now; 500 when the session has expired ("run
 * `deezwatts rivian login` again"), a setting is malformed (the log names it) or on a failure no
 * retry fixes. Never a stack trace, never a token.
 *
 * <p>Configuration: {@code DEEZWATTS_RIVIAN_SECRET} ({@code projects/P/secrets/S}; unset: the file
 * {@code DEEZWATTS_RIVIAN_TOKEN_FILE}), {@code DEEZWATTS_RIVIAN_INTERVAL_SECONDS} (the scheduler's
 * interval, at least the minimum), {@code DEEZWATTS_SINK}, {@code DEEZWATTS_RIVIAN_ENDPOINT}.
 */
public final class RivianPollFunction implements HttpFunction {
  /** The Secret Manager secret holding the session. */
  public static final String SECRET_VARIABLE = SecretManagerTokenStore.SECRET_VARIABLE;

  /** The schedule's interval in seconds, checked against the minimum. */
  public static final String INTERVAL_VARIABLE = ScheduledPolls.INTERVAL_VARIABLE;

  private static final Logger LOG = Logger.getLogger(RivianPollFunction.class.getName());

  private final RivianPollEndpoint endpoint;

  /** The constructor the Functions Framework calls; reads the settings on the first request. */
  public RivianPollFunction() {
    this(GcpApp.current());
  }

  RivianPollFunction(Components app) {
    this.endpoint = app.rivianPoll();
  }

  /**
   * Polls once.
   *
   * @throws IOException only when the response cannot be written
   */
  @Override
  public void service(HttpRequest request, HttpResponse response) throws IOException {
    RivianPollOutcome outcome = endpoint.run(LOG);
    GcpApp.answer(response, status(outcome.status()), outcome.fields());
  }

  /** The HTTP status of an outcome: what Cloud Scheduler records and retries by. */
  static int status(RivianPollOutcome.Status status) {
    return switch (status) {
      case STORED, PARTIAL, SKIPPED -> 200;
      case TOO_SOON -> 429;
      case RETRY_LATER, NOT_READY -> 503;
      case SESSION_EXPIRED, FAILED, NOT_CONFIGURED -> 500;
    };
  }
}
