package io.deezwatts.core.rivian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.rivian.RivianPollOutcome.Status;
import io.deezwatts.testing.rivian.FakeRivian;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduled poll's decisions over time, which the adapter contract cannot reach with a real
 * clock: the runs are given their instants here. Against {@link FakeRivian}, storing into {@link
 * RivianPollerTest.RecordingSink}.
 */
class RivianPollEndpointTest {
  private static final Logger LOG = Logger.getLogger(RivianPollEndpointTest.class.getName());
  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final Instant DEADLINE = Instant.parse("2100-01-01T00:00:00Z");

  @TempDir Path dir;
  private FakeRivian rivian;
  private FileTokenStore store;
  private RivianPollerTest.RecordingSink sink;

  @BeforeEach
  void setUp() throws IOException {
    rivian = new FakeRivian();
    store = new FileTokenStore(dir.resolve("session.json"));
    store.save(RivianClientTest.session());
    sink = new RivianPollerTest.RecordingSink();
  }

  @AfterEach
  void tearDown() {
    rivian.close();
  }

  private RivianPoller poller() {
    return poller(store);
  }

  private RivianPoller poller(TokenStore tokens) {
    return new RivianPoller(
        new RivianClient(rivian.endpoint(), Duration.ofSeconds(5), Clock.systemUTC()),
        tokens,
        sink,
        Catalog.standard(),
        Clock.systemUTC());
  }

  private RivianPollEndpoint endpoint() {
    return new RivianPollEndpoint(
        () -> new ScheduledPolls(Duration.ofMinutes(5)), this::poller, Clock.systemUTC());
  }

  private void queueTwoVehicles() {
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
  }

  @Test
  void aRateLimitBacksOffSkippingTheRunsInsideTheBackoffThenPollsAgain() {
    RivianPollEndpoint endpoint = endpoint();
    rivian.answer("getUserInfo", "rate-limit.json");

    RivianPollOutcome limited = endpoint.run(T0, DEADLINE, LOG);
    int asked = rivian.requests().size();
    RivianPollOutcome skipped = endpoint.run(T0.plusSeconds(300), DEADLINE, LOG);
    int afterSkip = rivian.requests().size();
    queueTwoVehicles();
    RivianPollOutcome stored = endpoint.run(limited.notBefore(), DEADLINE, LOG);

    assertEquals(Status.RETRY_LATER, limited.status());
    // Twice the interval, ending half an interval early: 10 - 2.5 minutes.
    assertEquals(T0.plus(Duration.ofSeconds(450)), limited.notBefore());
    assertEquals(Status.SKIPPED, skipped.status());
    assertEquals(limited.notBefore(), skipped.notBefore());
    assertEquals(asked, afterSkip, "the skipped run asked Rivian nothing");
    assertEquals(Status.STORED, stored.status());
    assertEquals(2, stored.stored());
    assertNull(stored.notBefore());
  }

  /** A session store that cannot be read, failing with {@code failure}. */
  private static TokenStore unreadable(IOException failure) {
    return new TokenStore() {
      @Override
      public java.util.Optional<RivianSession> load() throws IOException {
        throw failure;
      }

      @Override
      public void save(RivianSession session) throws IOException {
        throw failure;
      }

      @Override
      public String describe() {
        return "an unreadable store (test)";
      }
    };
  }

  @Test
  void aSessionStoreUnreachableForNowBacksOffWhileARefusalNeedsAPerson() {
    TokenStore later =
        unreadable(
            new TokenStore.Unavailable("Secret Manager refused to read s: UNAVAILABLE", null));
    RivianPollOutcome retry =
        new RivianPollEndpoint(
                () -> new ScheduledPolls(Duration.ofMinutes(5)),
                () -> poller(later),
                Clock.systemUTC())
            .run(T0, DEADLINE, LOG);
    TokenStore refused = unreadable(new IOException("Secret Manager refused to read s: DENIED"));
    RivianPollOutcome failed =
        new RivianPollEndpoint(
                () -> new ScheduledPolls(Duration.ofMinutes(5)),
                () -> poller(refused),
                Clock.systemUTC())
            .run(T0, DEADLINE, LOG);

    assertEquals(Status.RETRY_LATER, retry.status(), retry.message());
    assertTrue(retry.message().contains("UNAVAILABLE"), retry.message());
    assertTrue(retry.notBefore().isAfter(T0), "backs off: " + retry.notBefore());
    assertEquals(Status.FAILED, failed.status(), failed.message());
    assertTrue(failed.message().contains("DENIED"), failed.message());
    assertEquals(0, rivian.requests().size(), "Rivian is not asked without a session");
  }

  @Test
  void runsFasterThanTheMinimumAreRefusedWithoutAskingRivian() {
    RivianPollEndpoint endpoint = endpoint();
    queueTwoVehicles();

    assertEquals(Status.STORED, endpoint.run(T0, DEADLINE, LOG).status());
    int asked = rivian.requests().size();
    RivianPollOutcome tooSoon = endpoint.run(T0.plusSeconds(30), DEADLINE, LOG);

    assertEquals(Status.TOO_SOON, tooSoon.status());
    assertTrue(tooSoon.message().contains("60 s"), tooSoon.message());
    assertEquals(asked, rivian.requests().size());
  }

  @Test
  void aPollerThatCannotGetReadyIsTriedAgainAndDoesNotCountAsAPoll() {
    AtomicInteger attempts = new AtomicInteger();
    RivianPollEndpoint endpoint =
        new RivianPollEndpoint(
            () -> new ScheduledPolls(Duration.ofMinutes(5)),
            () -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("the DuckDB file is locked (test)");
              }
              return poller();
            },
            Clock.systemUTC());
    queueTwoVehicles();

    RivianPollOutcome notReady = endpoint.run(T0, DEADLINE, LOG);
    RivianPollOutcome stored = endpoint.run(T0.plusSeconds(10), DEADLINE, LOG);

    assertEquals(Status.NOT_READY, notReady.status());
    assertEquals(false, notReady.startup().configuration());
    assertEquals(Status.STORED, stored.status(), "not refused as too soon");
  }
}
