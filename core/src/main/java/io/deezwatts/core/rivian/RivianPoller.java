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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One poll: reads the stored session, lists the account's vehicles, fetches each one's state (and
 * live charging session while Rivian still serves it) and stores one {@code rivian_vehicle_states}
 * row per vehicle through the sink, all in one batch. Never logs in: an expired session is an error
 * for a person to fix with {@code deezwatts rivian login}.
 */
public final class RivianPoller {
  /** The feed name recorded with Rivian batches. */
  public static final String FEED = "rivian";

  private final RivianClient client;
  private final TokenStore tokens;
  private final Sink sink;
  private final TableSpec table;
  private final Clock clock;

  public RivianPoller(
      RivianClient client, TokenStore tokens, Sink sink, Catalog catalog, Clock clock) {
    this.client = client;
    this.tokens = tokens;
    this.sink = sink;
    this.table = catalog.table(VehicleSnapshots.TABLE);
    this.clock = clock;
  }

  /**
   * What one poll did.
   *
   * @param vehicles vehicles on the account (one row each)
   * @param written what the sink stored (rows whose state did not change since an earlier poll
   *     count as duplicates skipped where the sink knows)
   * @param warnings things skipped, such as a charging query Rivian's schema rejects (at most one
   *     warning per kind per poll)
   */
  public record PollResult(int vehicles, WriteResult written, List<String> warnings) {
    public PollResult {
      warnings = List.copyOf(warnings);
    }
  }

  /**
   * Polls once and stores the snapshots.
   *
   * @param deadline passed to the sink
   * @throws RivianException.SessionExpired when no session is stored or Rivian no longer accepts it
   *     (nothing stored; run {@code deezwatts rivian login} again); {@link
   *     RivianException.RateLimited}, {@link RivianException.SessionManagerError} or {@link
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
    boolean chargingServed = true;
    for (JsonNode vehicle : vehicles) {
      String id = vehicle.path("id").asText(null);
      if (id == null) {
        warnings.add("a vehicle without an id in getUserInfo was skipped");
        continue;
      }
      JsonNode state = client.vehicleState(session, id);
      Instant fetchedAt = clock.instant();
      JsonNode live = null;
      if (chargingServed) {
        try {
          live = client.liveSession(session, id);
        } catch (RivianException.SchemaRejected e) {
          chargingServed = false; // asked no more this poll: one warning, not one per vehicle
          warnings.add(e.getMessage() + "; live charging data skipped, the rest stored");
        }
      }
      rows.add(VehicleSnapshots.row(table, vehicle, state, live, fetchedAt, context));
    }
    WriteResult written =
        rows.isEmpty()
            ? new WriteResult(0, 0, 0, 0)
            : sink.write(new SinkBatch(FEED, context, rows, List.of()), deadline);
    return new PollResult(rows.size(), written, warnings);
  }
}
