package io.deezwatts.core.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CcClient} against {@link FakeConnectedCars}: real HTTP, real RS256, real paging. */
class CcClientTest {
  static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

  @TempDir Path dir;
  FakeConnectedCars cc;
  TestClock clock;
  CcClient client;

  @BeforeEach
  void setUp() {
    cc = new FakeConnectedCars();
    clock = new TestClock(START);
    client = client(cc.env(cc.writeServiceAccount(dir)));
  }

  @AfterEach
  void tearDown() {
    cc.close();
  }

  private CcClient client(Map<String, String> env) {
    return new CcClient(CcSettings.fromEnvironment(env), Duration.ofSeconds(10), clock);
  }

  @Test
  void theLoginJwtVerifiesWithThePublicKeyAndCarriesTheFilesClaims() throws Exception {
    cc.consent(51848, 1L);

    List<Vehicle> vehicles = client.allConsentedVehicles(List.of(), List.of());

    assertEquals(List.of(new Vehicle(51848, "VIN51848", "serial-51848", "cc", 1L)), vehicles);
    FakeConnectedCars.Login login = cc.logins().get(0);
    assertTrue(login.signatureValid(), "RS256 signature verifies with the public half");
    assertEquals("RS256", login.header().path("alg").asText());
    assertEquals("JWT", login.header().path("typ").asText());
    assertEquals(FakeConnectedCars.KEY_ID, login.header().path("kid").asText());
    JsonNode claims = login.claims();
    assertEquals(FakeConnectedCars.ISSUER, claims.path("iss").asText());
    assertEquals(cc.authUrl(), claims.path("aud").asText());
    assertEquals(START.getEpochSecond(), claims.path("iat").asLong());
    assertEquals(START.getEpochSecond() + 3600, claims.path("exp").asLong());
    assertEquals(FakeConnectedCars.NAMESPACE, login.namespace());
    FakeConnectedCars.Request graphql = cc.requests().get(0);
    assertEquals("Bearer tok-1", graphql.authorization());
    assertEquals(FakeConnectedCars.NAMESPACE, graphql.namespace());
  }

  @Test
  void aPkcs8KeyFileWorksToo() throws Exception {
    client =
        client(
            Map.of(
                "DEEZWATTS_CC_SERVICE_ACCOUNT", cc.serviceAccount(false),
                "DEEZWATTS_CC_NAMESPACE", FakeConnectedCars.NAMESPACE,
                "DEEZWATTS_CC_API_ENDPOINT", cc.graphqlUrl()));

    assertEquals(List.of(), client.allDataStreams(List.of(87L), List.of()));
    assertTrue(cc.logins().get(0).signatureValid());
  }

  @Test
  void theTokenIsReusedAndReplacedFiveMinutesBeforeItExpires() throws Exception {
    cc.tokenLifetime(3600);
    client.allDataStreams(List.of(), List.of());
    clock.advance(Duration.ofMinutes(54));
    client.allDataStreams(List.of(), List.of());
    assertEquals(1, cc.logins().size(), "still 6 minutes to go: the cached token is used");

    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    client.allDataStreams(List.of(), List.of());

    assertEquals(2, cc.logins().size(), "under 5 minutes left: a new token first");
    assertEquals(
        START.plus(Duration.ofMinutes(55)).plusSeconds(1).getEpochSecond(),
        cc.logins().get(1).claims().path("iat").asLong());
    List<String> auth =
        cc.requests().stream().map(FakeConnectedCars.Request::authorization).toList();
    assertEquals(List.of("Bearer tok-1", "Bearer tok-1", "Bearer tok-2"), auth);
  }

  @Test
  void a401GetsOneNewTokenAndOneRetry() throws Exception {
    client.allDataStreams(List.of(), List.of());
    cc.revokeTokens();

    client.allDataStreams(List.of(), List.of());

    assertEquals(2, cc.logins().size());
    List<String> auth =
        cc.requests().stream().map(FakeConnectedCars.Request::authorization).toList();
    assertEquals(List.of("Bearer tok-1", "Bearer tok-1", "Bearer tok-2"), auth);
  }

  @Test
  void a401ThatPersistsIsUnauthenticatedAfterOneRetryAndNamesNoToken() throws Exception {
    client.allDataStreams(List.of(), List.of());
    cc.failNext("vehicleDataStreams", 401, FakeConnectedCars.error("jwt expired", null))
        .failNext("vehicleDataStreams", 401, FakeConnectedCars.error("jwt expired", null));

    CcException e =
        assertThrows(
            CcException.Unauthenticated.class, () -> client.allDataStreams(List.of(), List.of()));

    assertEquals(3, cc.requests().size(), "one first call, one retry, no more");
    assertEquals(2, cc.logins().size());
    assertFalse(e.retryable());
    assertTrue(e.getMessage().contains("jwt expired"), e.getMessage());
    assertFalse(e.getMessage().contains("tok-"), "no token in messages");
  }

  @Test
  void aServiceAccountWithTheWrongKeyIsUnauthenticatedWithTheServersMessage() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    client =
        client(
            Map.of(
                "DEEZWATTS_CC_SERVICE_ACCOUNT", cc.serviceAccount(g.generateKeyPair(), true),
                "DEEZWATTS_CC_NAMESPACE", FakeConnectedCars.NAMESPACE,
                "DEEZWATTS_CC_API_ENDPOINT", cc.graphqlUrl()));

    CcException e =
        assertThrows(
            CcException.Unauthenticated.class,
            () -> client.allConsentedVehicles(List.of(), List.of()));

    assertFalse(cc.logins().get(0).signatureValid());
    assertEquals("login", e.operation());
    assertEquals("Invalid service account token: signature or claims", e.serverMessage());
    assertFalse(e.getMessage().contains("eyJ"), "no JWT in messages");
    assertTrue(cc.requests().isEmpty(), "no GraphQL call without a token");
  }

  @Test
  void pagingFollowsEndCursorAcrossThreePages() throws Exception {
    cc.consentRange(1, 250);

    List<Vehicle> all = client.allConsentedVehicles(List.of(), List.of());

    assertEquals(250, all.size());
    assertEquals(1, all.get(0).id());
    assertEquals(250, all.get(249).id());
    List<FakeConnectedCars.Request> pages = cc.requests();
    assertEquals(3, pages.size());
    assertFalse(pages.get(0).query().contains("after:"));
    assertTrue(pages.get(1).query().contains("after:\"bz05OQ==\""), pages.get(1).query());
    assertTrue(pages.get(2).query().contains("after:\"bz0xOTk=\""), pages.get(2).query());
    assertTrue(pages.get(0).query().contains("first:100"));
  }

  @Test
  void filtersAreSentAsTheDocumentWritesThem() throws Exception {
    cc.consent(1, 10L).consent(2, 20L).consent(3, 20L);

    Page<Vehicle> page = client.consentedVehicles(List.of(20L), List.of(3L, 4L), 2, null);

    assertEquals(List.of(3L), page.items().stream().map(Vehicle::id).toList());
    assertFalse(page.hasNextPage());
    String query = cc.requests().get(0).query();
    assertTrue(
        query.contains("consentedIntegrationVehicles(fleetIds:[20], vehicleIds:[3,4], first:2)"),
        query);
  }

  @Test
  void duplicateInputIsTypedAndCreatesNothing() throws Exception {
    cc.consent(1, null).topics(87);

    CcException e =
        assertThrows(
            CcException.DuplicateInput.class,
            () -> client.addDataStreams(List.of(new NewStream(1, 87), new NewStream(1, 87))));

    assertEquals(
        "Duplicate input: vehicleId 1 and integrationTopicId 87 appear more than once",
        e.serverMessage());
    assertFalse(e.retryable());
    assertTrue(cc.streams().isEmpty());
  }

  @Test
  void aPermissionErrorIsTypedAndAllOrNothing() throws Exception {
    cc.consent(1, null).topics(87);

    CcException e =
        assertThrows(
            CcException.PermissionDenied.class,
            () -> client.addDataStreams(List.of(new NewStream(1, 87), new NewStream(9, 87))));

    assertTrue(e.serverMessage().contains("no access to vehicle 9"), e.serverMessage());
    assertFalse(e.retryable());
    assertTrue(cc.streams().isEmpty(), "vehicle 1's stream was not created either");
  }

  @Test
  void aPermissionErrorWithoutACodeIsRecognisedByItsMessage() throws Exception {
    cc.failNext(
        "deleteVehicleDataStreams",
        200,
        FakeConnectedCars.error(
            "You do not have permission to delete these streams", "INTERNAL_SERVER_ERROR"));

    assertThrows(CcException.PermissionDenied.class, () -> client.deleteDataStreams(List.of(5L)));
  }

  @Test
  void addingAnActiveStreamAgainReturnsTheExistingOne() throws Exception {
    cc.consent(1, null).consent(2, null).topics(87);
    FakeConnectedCars.DataStream held = cc.stream(1, 87);
    DataStream existing =
        new DataStream(held.id(), held.vehicleId(), held.integrationTopicId(), held.referenceUrl());

    List<DataStream> added =
        client.addDataStreams(List.of(new NewStream(1, 87), new NewStream(2, 87, "ref \"2\"")));

    assertEquals(existing, added.get(0));
    assertEquals(2, added.get(1).vehicleId());
    assertEquals("ref \"2\"", added.get(1).referenceUrl(), "string literals are escaped");
    assertEquals(2, cc.streams().size());
  }

  @Test
  void deleteUpdateDeleteAllAndRevoke() throws Exception {
    cc.consent(1, null).consent(2, 5L).consent(3, 5L).topics(87, 88);
    FakeConnectedCars.DataStream a = cc.stream(1, 87);
    cc.stream(1, 88);
    cc.stream(2, 87);
    cc.stream(3, 88);

    DataStream updated = client.updateDataStream(a.id(), "https://example.com/v/1");
    assertEquals("https://example.com/v/1", updated.referenceUrl());
    assertTrue(client.deleteDataStreams(List.of(a.id())));
    assertEquals(Set.of(List.of(1L, 88L), List.of(2L, 87L), List.of(3L, 88L)), cc.streamPairs());
    assertTrue(client.deleteAllDataStreams(List.of(1L)));
    assertEquals(Set.of(List.of(2L, 87L), List.of(3L, 88L)), cc.streamPairs());
    assertTrue(client.revokeAccess(787, 5L, null));
    assertTrue(cc.streams().isEmpty());
    assertTrue(
        cc.requests()
            .get(3)
            .query()
            .contains("revokeIntegrationAccess(input: { integrationId: 787, fleetId: 5}"),
        cc.requests().get(3).query());
    assertThrows(IllegalArgumentException.class, () -> client.revokeAccess(787, 5L, 1L));
    assertThrows(IllegalArgumentException.class, () -> client.deleteAllDataStreams(List.of()));
  }

  @Test
  void anUnavailableServerIsRetryable() throws Exception {
    cc.down(true);

    CcException e =
        assertThrows(
            CcException.Unavailable.class, () -> client.allDataStreams(List.of(), List.of()));

    assertTrue(e.retryable());
    assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
    assertNull(e.serverMessage());
  }

  @Test
  void anUnreachableServerIsRetryable() throws Exception {
    cc.close();

    CcException e =
        assertThrows(
            CcException.Unavailable.class, () -> client.allDataStreams(List.of(), List.of()));

    assertTrue(e.retryable());
    assertEquals("login", e.operation(), "the token comes first");
  }

  @Test
  void aRepeatedCursorStopsPagingWithAnError() throws Exception {
    String page =
        "{\"data\":{\"vehicleDataStreams\":{\"items\":[],\"pageInfo\":{\"hasNextPage\":true,"
            + "\"endCursor\":\"same\"}}}}";
    cc.failNext("vehicleDataStreams", 200, page).failNext("vehicleDataStreams", 200, page);

    CcException e =
        assertThrows(CcException.Failed.class, () -> client.allDataStreams(List.of(), List.of()));

    assertTrue(e.getMessage().contains("repeated"), e.getMessage());
    assertEquals(2, cc.requests().size());
  }
}
