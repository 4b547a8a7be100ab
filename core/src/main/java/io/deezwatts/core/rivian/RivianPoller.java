package io.deezwatts.core.rivian;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.SinkException;
import io.deezwatts.core.sink.WriteResult;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One poll: reads the stored session, lists the account's vehicles, fetches each one's state (and
 * live charging session while Rivian still serves it) and stores one {@code rivian_vehicle_states}
 * row per vehicle through the sink, all in one batch. Never logs in: an expired session is an error
 * for a person to fix with {@code deezwatts rivian login}.
 *
 * <p>A vehicle Rivian rate-limits does not sink the poll: its call is asked again after the wait
 * Rivian names ({@code Retry-After}, else {@link #RATE_LIMIT_WAIT}), up to {@link
 * #RATE_LIMIT_ATTEMPTS} times while the poll's deadline leaves {@link #STORE_RESERVE} to store;
 * after that it is left for the next poll and reported in {@link PollResult#rateLimited()}, and the
 * vehicles fetched are stored.
 */
public final class RivianPoller {
  /** The feed name recorded with Rivian batches. */
  public static final String FEED = "rivian";

  /** The wait before asking again after a {@code RATE_LIMIT} that names none. */
  public static final Duration RATE_LIMIT_WAIT = Duration.ofSeconds(5);

  /** How many times one call is made before its vehicle is left for the next poll. */
  public static final int RATE_LIMIT_ATTEMPTS = 3;

  /** What a retry must leave of the poll's deadline, to store what was fetched. */
  public static final Duration STORE_RESERVE = Duration.ofSeconds(10);

  private final RivianClient client;
  private final TokenStore tokens;
  private final Sink sink;
  private final TableSpec table;
  private final Clock clock;
  private final PollSchedule.Sleeper sleeper;

  public RivianPoller(
      RivianClient client, TokenStore tokens, Sink sink, Catalog catalog, Clock clock) {
    this(client, tokens, sink, catalog, clock, d -> Thread.sleep(d.toMillis()));
  }

  /**
   * A poller that waits out rate limits with {@code sleeper} (tests pass one that records the waits
   * instead of sleeping).
   */
  public RivianPoller(
      RivianClient client,
      TokenStore tokens,
      Sink sink,
      Catalog catalog,
      Clock clock,
      PollSchedule.Sleeper sleeper) {
    this.client = client;
    this.tokens = tokens;
    this.sink = sink;
    this.table = catalog.table(VehicleSnapshots.TABLE);
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * What one poll did.
   *
   * @param vehicles vehicles fetched (one row each)
   * @param written what the sink stored (rows whose state did not change since an earlier poll
   *     count as duplicates skipped where the sink knows)
   * @param warnings things skipped, such as a charging query Rivian's schema rejects (at most one
   *     warning per kind per poll)
   * @param rateLimited ids of the vehicles Rivian kept rate-limiting: not stored, left for the next
   *     poll
   */
  public record PollResult(
      int vehicles, WriteResult written, List<String> warnings, List<String> rateLimited) {
    public PollResult {
      warnings = List.copyOf(warnings);
      rateLimited = List.copyOf(rateLimited);
    }

    public PollResult(int vehicles, WriteResult written, List<String> warnings) {
      this(vehicles, written, warnings, List.of());
    }

    /** Some vehicles were left for the next poll; the others were stored. */
    public boolean partial() {
      return !rateLimited.isEmpty();
    }

    /** What a partial poll left out, for logs and the command line; empty when not partial. */
    public String partialNote() {
      return partial()
          ? "partial: Rivian kept rate-limiting "
              + String.join(", ", rateLimited)
              + "; left for the next poll, the other vehicles stored"
          : "";
    }
  }

  /**
   * Polls once and stores the snapshots.
   *
   * @param deadline passed to the sink
   * @throws RivianException.SessionExpired when no session is stored or Rivian no longer accepts it
   *     (nothing stored; run {@code deezwatts rivian login} again); {@link
   *     RivianException.RateLimited} when Rivian rate-limits the vehicle list or every vehicle
   *     (nothing stored), {@link RivianException.SessionManagerError} or {@link
   *     RivianException.Unavailable} when a retry later may succeed (nothing stored); other {@link
   *     RivianException}s when Rivian answered something unexpected
   * @throws IOException when the token store cannot be read
   * @throws SinkException when the rows could not be stored
   */
  public PollResult poll(Instant deadline) throws RivianException, IOException, SinkException {
    RivianSession session =
        tokens.load().orElseThrow(() -> RivianException.SessionExpired.missing(tokens.describe()));
    Instant receivedAt = clock.instant();
    JsonNode user = client.userInfo(session);
    JsonNode vehicles = user.path("data").path("currentUser").path("vehicles");
    IngestContext context =
        new IngestContext(receivedAt, IngestContext.Source.RIVIAN, null, null, Map.of());
    List<Row> rows = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<String> rateLimited = new ArrayList<>();
    RivianException.RateLimited lastLimit = null;
    boolean chargingServed = true;
    for (JsonNode vehicle : vehicles) {
      String id = vehicle.path("id").asText(null);
      if (id == null) {
        warnings.add("a vehicle without an id in getUserInfo was skipped");
        continue;
      }
      try {
        JsonNode state = patiently(() -> client.vehicleState(session, id), deadline);
        Instant fetchedAt = clock.instant();
        JsonNode live = null;
        if (chargingServed) {
          try {
            live = patiently(() -> client.liveSession(session, id), deadline);
          } catch (RivianException.SchemaRejected e) {
            chargingServed = false; // asked no more this poll: one warning, not one per vehicle
            warnings.add(e.getMessage() + "; live charging data skipped, the rest stored");
          }
        }
        rows.add(VehicleSnapshots.row(table, vehicle, state, live, fetchedAt, context));
      } catch (RivianException.RateLimited e) {
        rateLimited.add(id);
        lastLimit = e;
      }
    }
    if (rows.isEmpty() && lastLimit != null) {
      throw lastLimit; // nothing fetched: the poll failed, and its caller backs off
    }
    WriteResult written =
        rows.isEmpty()
            ? new WriteResult(0, 0, 0, 0)
            : sink.write(new SinkBatch(FEED, context, rows, List.of()), deadline);
    return new PollResult(rows.size(), written, warnings, rateLimited);
  }

  /** One Rivian call. */
  private interface Call {
    JsonNode run() throws RivianException;
  }

  /**
   * Makes {@code call}, asking again after each {@code RATE_LIMIT} while attempts remain and the
   * wait still leaves {@link #STORE_RESERVE} before {@code deadline}.
   *
   * @throws RivianException.RateLimited when Rivian still rate-limits it (or the wait is cut short
   *     by an interrupt)
   */
  private JsonNode patiently(Call call, Instant deadline) throws RivianException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (RivianException.RateLimited e) {
        Duration wait = e.retryAfter().orElse(RATE_LIMIT_WAIT);
        if (attempt >= RATE_LIMIT_ATTEMPTS
            || clock.instant().plus(wait).plus(STORE_RESERVE).isAfter(deadline)) {
          throw e;
        }
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
