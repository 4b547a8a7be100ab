package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.rivian.RivianException;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import io.deezwatts.testing.rivian.FakeRivian;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Rivian timer on Azure and its Key Vault session store, against local servers speaking the
 * real protocols: {@link FakeRivian} for Rivian's GraphQL gateway, {@link AzureStandIn} for the
 * managed identity endpoint and Key Vault, and a real DuckDB file as the sink.
 */
class RivianPollTest {
  private static final RivianSession SESSION =
      new RivianSession(
          "csrf-3f1c9a",
          "asess-7d2e41",
          "usess-0a9b8c",
          "access-a1b2c3",
          "refresh-d4e5f6",
          Instant.parse("2026-11-20T08:00:00Z"));

  @TempDir Path dir;
  private FakeRivian rivian;
  private AzureStandIn azure;
  private Map<String, String> env;

  @BeforeEach
  void setUp() throws IOException {
    rivian = new FakeRivian();
    azure = new AzureStandIn();
    env = new HashMap<>(azure.identityEnvironment());
    env.put("DEEZWATTS_RIVIAN_ENDPOINT", rivian.endpoint());
    env.put("DEEZWATTS_RIVIAN_KEYVAULT_SECRET", azure.base() + "/secrets/rivian-session");
    env.put("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "300");
    env.put("DEEZWATTS_SINK", "duckdb:" + dir.resolve("rivian.duckdb"));
  }

  @AfterEach
  void tearDown() {
    rivian.close();
    azure.close();
  }

  private void storeSession() {
    azure.putSecret(
        "rivian-session", new String(SessionJson.write(SESSION), StandardCharsets.UTF_8));
  }

  private RivianPoll timer(Clock clock) {
    return new RivianPoll(FunctionApp.components(env).clock(clock).build().rivianPoll());
  }

  @Test
  void theKeyVaultStoreReadsTheLatestVersionAndSavesANewOneWithTheManagedIdentity()
      throws IOException {
    KeyVaultTokenStore store = KeyVaultTokenStore.fromEnvironment(env);
    assertTrue(store.load().isEmpty(), "no secret yet");

    store.save(SESSION);

    assertEquals(SESSION, store.load().orElseThrow());
    assertEquals(1, azure.versions("rivian-session").size());
    List<String> log = azure.log();
    assertTrue(log.get(0).startsWith("identity "), log.toString());
    assertTrue(log.get(0).contains("resource=https%3A%2F%2Fvault.azure.net"), log.get(0));
    assertTrue(log.contains("PUT rivian-session api-version=7.4"), log.toString());
    assertEquals(
        1, log.stream().filter(l -> l.startsWith("identity ")).count(), "the token is cached");
  }

  @Test
  void terraformsPlaceholderReadsAsNoSessionSoThePollAsksForALogin() throws IOException {
    azure.putSecret("rivian-session", "{}");
    assertTrue(KeyVaultTokenStore.fromEnvironment(env).load().isEmpty());

    ScheduledRunFailed e =
        assertThrows(
            ScheduledRunFailed.class,
            () ->
                timer(Clock.systemUTC())
                    .run("{}", TestExecutionContext.firstAttempt("RivianPoll")));
    assertTrue(e.getMessage().contains("rivian login"), e.getMessage());
    assertTrue(
        e.getCause() instanceof RivianException.SessionExpired, String.valueOf(e.getCause()));
  }

  @Test
  void aRefusalNamesTheStatusAndKeyVaultsCodeButNeverTheSession() {
    storeSession();
    azure.failWith(403);
    IOException e =
        assertThrows(IOException.class, () -> KeyVaultTokenStore.fromEnvironment(env).load());
    assertTrue(e.getMessage().contains("HTTP 403 Forbidden"), e.getMessage());
    assertTrue(!e.getMessage().contains("usess-0a9b8c"));
    assertFalse(e instanceof TokenStore.Unavailable, "a refusal needs a person, not a retry");
  }

  @Test
  void keyVaultFailingOrThrottlingIsUnavailableForNowSoThePollBacksOff() throws Exception {
    storeSession();
    for (int status : new int[] {503, 429}) {
      azure.failWith(status);
      IOException e =
          assertThrows(IOException.class, () -> KeyVaultTokenStore.fromEnvironment(env).load());
      assertTrue(e instanceof TokenStore.Unavailable, status + ": " + e);
      assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
    }
  }

  @Test
  void aSecretUrlWithAVersionIsRefusedWithTheExpectedForm() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> KeyVaultTokenStore.secretUri("https://v.vault.azure.net/secrets/s/abc/def"));
    assertTrue(e.getMessage().contains("DEEZWATTS_RIVIAN_KEYVAULT_SECRET"));
  }

  @Test
  void aTimerRunStoresOneSnapshotPerVehicle() throws Exception {
    storeSession();
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", "vehicle-state-r1t.json")
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
    TestExecutionContext context = TestExecutionContext.firstAttempt("RivianPoll");

    timer(Clock.systemUTC()).run("{\"isPastDue\":false}", context);

    assertTrue(
        context.logged(Level.INFO).contains("2 vehicles, 2 snapshots stored"),
        context.logged(Level.INFO));
    try (var c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("rivian.duckdb"));
        var s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM rivian_vehicle_states")) {
      r.next();
      assertEquals(2, r.getLong(1));
    }
  }

  @Test
  void aVehicleRivianKeepsRateLimitingIsLoggedAsPartialAndTheOtherIsStored() throws Exception {
    storeSession();
    // Retry-After beyond the poll's deadline: left for the next poll without a wait.
    rivian
        .answer("getUserInfo", "user-info-two-vehicles.json")
        .answer("GetVehicleState", 429, "rate-limit.json", Map.of("Retry-After", "600"))
        .answer("GetVehicleState", "vehicle-state-r1s.json")
        .answer("getLiveSessionData", 400, "live-session-removed.json");
    TestExecutionContext context = TestExecutionContext.firstAttempt("RivianPoll");

    timer(Clock.systemUTC()).run("{}", context);

    assertTrue(
        context.logged(Level.WARNING).contains("partial: Rivian kept rate-limiting 01-226513452"),
        context.logged(Level.ALL));
    try (var c = DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("rivian.duckdb"));
        var s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT vehicle_id FROM rivian_vehicle_states")) {
      assertTrue(r.next());
      assertEquals("01-229874561", r.getString(1));
      assertFalse(r.next());
    }
  }

  @Test
  void aRateLimitBacksOffAndTheNextRunInsideTheBackoffAsksRivianNothing() throws Exception {
    storeSession();
    rivian.answer("getUserInfo", "rate-limit.json");
    MovableClock clock = new MovableClock(Instant.parse("2026-11-21T10:00:00Z"));
    RivianPoll timer = timer(clock);
    TestExecutionContext first = TestExecutionContext.firstAttempt("RivianPoll");

    timer.run("{}", first);
    int asked = rivian.requests().size();
    clock.now = clock.now.plusSeconds(300);
    TestExecutionContext second = TestExecutionContext.firstAttempt("RivianPoll");
    timer.run("{}", second);

    assertTrue(first.logged(Level.WARNING).contains("backing off until"), first.logged(Level.ALL));
    assertTrue(
        second.logged(Level.INFO).contains("skipped: backing off"), second.logged(Level.ALL));
    assertEquals(asked, rivian.requests().size());
  }

  @Test
  void anExpiredSessionFailsTheInvocation() {
    storeSession();
    rivian.answer("getUserInfo", "unauthenticated.json");
    ScheduledRunFailed e =
        assertThrows(
            ScheduledRunFailed.class,
            () ->
                timer(Clock.systemUTC())
                    .run("{}", TestExecutionContext.firstAttempt("RivianPoll")));
    assertTrue(e.getMessage().contains("rivian login"), e.getMessage());
    assertTrue(
        e.getCause() instanceof RivianException.SessionExpired, String.valueOf(e.getCause()));
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
