package io.deezwatts.gcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.rivian.RivianSession;
import io.deezwatts.core.rivian.SessionJson;
import io.deezwatts.core.rivian.TokenStore;
import io.deezwatts.testing.secretmanager.SecretManagerStandIn;
import io.grpc.Status;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretManagerTokenStore} through the real Secret Manager client (gax over gRPC) against
 * {@link SecretManagerStandIn}, reached as the settings reach it: {@code DEEZWATTS_RIVIAN_SECRET}
 * and the plaintext endpoint {@code DEEZWATTS_SECRETMANAGER_ENDPOINT}. Only the credentials (none)
 * and the channel (plaintext, loopback) differ from the cloud.
 */
class SecretManagerTokenStoreIT {
  private static final String SECRET = "projects/deezwatts-test/secrets/rivian-session";
  private static final RivianSession SESSION =
      new RivianSession(
          "csrf-tok-7f3a",
          "asess-tok-91bc",
          "usess-tok-44de",
          "access-tok-0a1b",
          "refresh-tok-c2d3",
          Instant.parse("2026-11-30T08:15:30.123Z"));
  private static final List<String> TOKENS =
      List.of(
          SESSION.csrfToken(),
          SESSION.appSessionToken(),
          SESSION.userSessionToken(),
          SESSION.accessToken(),
          SESSION.refreshToken());

  private SecretManagerStandIn secretManager;
  private Map<String, String> env;
  private final List<LogRecord> logged = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (logged) {
            logged.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final Logger root = Logger.getLogger("");
  private final Logger deezwatts = Logger.getLogger("io.deezwatts");
  private Level deezwattsLevel;

  @BeforeEach
  void setUp() {
    secretManager = new SecretManagerStandIn();
    env = new HashMap<>(secretManager.environment());
    env.put(SecretManagerTokenStore.SECRET_VARIABLE, SECRET);
    // Everything that reaches the root logger (what Cloud Logging gets), deezwatts' at any level.
    capture.setLevel(Level.ALL);
    root.addHandler(capture);
    deezwattsLevel = deezwatts.getLevel();
    deezwatts.setLevel(Level.ALL);
  }

  @AfterEach
  void tearDown() {
    root.removeHandler(capture);
    deezwatts.setLevel(deezwattsLevel);
    secretManager.close();
  }

  @Test
  void aSavedSessionIsANewVersionAndLoadsBackWhole() throws Exception {
    secretManager.createSecret(SECRET);
    TokenStore store = SecretManagerTokenStore.fromEnvironment(env);
    assertInstanceOf(SecretManagerTokenStore.class, store);
    assertEquals(SECRET, store.describe());

    store.save(SESSION);

    List<byte[]> versions = secretManager.versions(SECRET);
    assertEquals(1, versions.size());
    assertEquals(SESSION, SessionJson.read(versions.get(0), "version 1"));
    assertEquals(Optional.of(SESSION), store.load());

    RivianSession next =
        new RivianSession(
            "csrf-2",
            "asess-2",
            "usess-2",
            null,
            null,
            SESSION.createdAt().plus(1, ChronoUnit.DAYS));
    store.save(next);

    assertEquals(2, secretManager.versions(SECRET).size(), "a save adds a version");
    assertEquals(Optional.of(next), store.load(), "load reads the latest version");
    assertEquals(2, secretManager.adds());
    assertEquals(2, secretManager.accesses());
  }

  @Test
  void aSessionPutThereWithGcloudLoads() throws Exception {
    // What `gcloud secrets versions add S --data-file=data/rivian-session.json` stores.
    secretManager.addVersion(SECRET, SessionJson.write(SESSION));

    assertEquals(Optional.of(SESSION), SecretManagerTokenStore.fromEnvironment(env).load());
  }

  @Test
  void aMissingSecretOrOneWithoutVersionsLoadsNothing() throws Exception {
    TokenStore store = SecretManagerTokenStore.fromEnvironment(env);

    assertEquals(Optional.empty(), store.load(), "no secret: the first run, before any login");
    secretManager.createSecret(SECRET);
    assertEquals(Optional.empty(), store.load(), "a secret without versions");
    assertEquals(2, secretManager.accesses());
  }

  @Test
  void savingToAMissingSecretFailsNamingItAndCreatesNothing() {
    TokenStore store = SecretManagerTokenStore.fromEnvironment(env);

    IOException e = assertThrows(IOException.class, () -> store.save(SESSION));

    assertEquals("Secret Manager refused to write " + SECRET + ": NOT_FOUND", e.getMessage());
    assertTrue(secretManager.versions(SECRET).isEmpty());
    assertNoToken(e);
  }

  @Test
  void anUnavailableServiceIsRetriedByTheClientThenFailsNamingTheSecret() throws Exception {
    secretManager.addVersion(SECRET, SessionJson.write(SESSION));
    secretManager.failNext(2, Status.Code.UNAVAILABLE);

    // The client's own retry policy (the one the cloud uses) rides out a short outage.
    assertEquals(Optional.of(SESSION), SecretManagerTokenStore.fromEnvironment(env).load());
    assertEquals(3, secretManager.accesses());

    secretManager.failWith(Status.Code.UNAVAILABLE);
    TokenStore store = new SecretManagerTokenStore(SECRET, quickRetries());
    IOException e = assertThrows(IOException.class, store::load);

    assertEquals("Secret Manager refused to read " + SECRET + ": UNAVAILABLE", e.getMessage());
    assertTrue(e instanceof TokenStore.Unavailable, "a later run may succeed: " + e);
    assertTrue(secretManager.accesses() > 4, "retried: " + secretManager.accesses());
    assertNoToken(e);
  }

  @Test
  void aRefusalIsNotRetriedAndNamesTheSecretAndTheCode() {
    secretManager.addVersion(SECRET, SessionJson.write(SESSION));
    secretManager.failWith(Status.Code.PERMISSION_DENIED);
    TokenStore store = SecretManagerTokenStore.fromEnvironment(env);

    IOException read = assertThrows(IOException.class, store::load);
    IOException write = assertThrows(IOException.class, () -> store.save(SESSION));

    assertEquals(
        "Secret Manager refused to read " + SECRET + ": PERMISSION_DENIED", read.getMessage());
    assertEquals(
        "Secret Manager refused to write " + SECRET + ": PERMISSION_DENIED", write.getMessage());
    assertFalse(read instanceof TokenStore.Unavailable, "a refusal needs a person: " + read);
    assertEquals(1, secretManager.accesses());
    assertEquals(1, secretManager.adds());
    assertEquals(1, secretManager.versions(SECRET).size(), "nothing written");
    assertNoToken(read);
    assertNoToken(write);
  }

  @Test
  void aVersionThatIsNotASessionFailsNamingTheSecretNotItsContent() {
    secretManager.addVersion(
        SECRET,
        ("{\"userSessionToken\":\"" + SESSION.userSessionToken()).getBytes(StandardCharsets.UTF_8));

    IOException e =
        assertThrows(IOException.class, SecretManagerTokenStore.fromEnvironment(env)::load);

    assertEquals(SECRET + " does not hold a Rivian session (not JSON)", e.getMessage());
    assertNoToken(e);
  }

  @Test
  void noTokenIsEverLogged() throws Exception {
    secretManager.createSecret(SECRET);
    TokenStore store = SecretManagerTokenStore.fromEnvironment(env);
    store.save(SESSION);
    store.load();
    secretManager.failWith(Status.Code.PERMISSION_DENIED);
    assertThrows(IOException.class, store::load);
    assertThrows(IOException.class, () -> store.save(SESSION));

    String all = logText();
    for (String token : TOKENS) {
      assertFalse(all.contains(token), "a token in the log:\n" + all);
    }
  }

  @Test
  void aMalformedEndpointNamesItsSetting() {
    env.put(SecretManagerTokenStore.ENDPOINT_VARIABLE, "http://localhost");

    SettingException e =
        assertThrows(SettingException.class, () -> SecretManagerTokenStore.fromEnvironment(env));

    assertEquals(SecretManagerTokenStore.ENDPOINT_VARIABLE, e.setting());
    assertEquals(
        SecretManagerStandIn.ENDPOINT_VARIABLE,
        SecretManagerTokenStore.ENDPOINT_VARIABLE,
        "the stand-in sets the variable the store reads");
  }

  /** The endpoint's settings with retries that give up after a second rather than a minute. */
  private SecretManagerServiceSettings quickRetries() throws IOException {
    SecretManagerServiceSettings.Builder b =
        SecretManagerEndpoint.plaintext("test", secretManager.endpoint()).toBuilder();
    b.accessSecretVersionSettings()
        .setRetrySettings(
            b.accessSecretVersionSettings().getRetrySettings().toBuilder()
                .setInitialRetryDelayDuration(Duration.ofMillis(20))
                .setMaxRetryDelayDuration(Duration.ofMillis(100))
                .setTotalTimeoutDuration(Duration.ofSeconds(1))
                .build());
    return b.build();
  }

  private void assertNoToken(Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    for (String token : TOKENS) {
      assertFalse(trace.toString().contains(token), "a token in the exception:\n" + trace);
    }
  }

  private String logText() {
    StringBuilder all = new StringBuilder();
    synchronized (logged) {
      for (LogRecord r : logged) {
        all.append(r.getLoggerName()).append(' ').append(r.getMessage());
        if (r.getParameters() != null) {
          for (Object p : r.getParameters()) {
            all.append(' ').append(p);
          }
        }
        if (r.getThrown() != null) {
          StringWriter trace = new StringWriter();
          r.getThrown().printStackTrace(new PrintWriter(trace));
          all.append(' ').append(trace);
        }
        all.append('\n');
      }
    }
    return all.toString();
  }
}
