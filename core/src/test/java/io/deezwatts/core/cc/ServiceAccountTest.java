package io.deezwatts.core.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.testing.cc.FakeConnectedCars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the service account file and the {@code DEEZWATTS_CC_*} settings. */
class ServiceAccountTest {
  static FakeConnectedCars cc;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    cc = new FakeConnectedCars();
  }

  @AfterAll
  static void stop() {
    cc.close();
  }

  @Test
  void pkcs1AndPkcs8KeysReadAsTheSameKey() {
    ServiceAccount one = ServiceAccount.parse(cc.serviceAccount(true), "test");
    ServiceAccount eight = ServiceAccount.parse(cc.serviceAccount(false), "test");

    assertEquals(FakeConnectedCars.ISSUER, one.issuer());
    assertEquals(cc.authUrl(), one.audience().toString());
    assertEquals(FakeConnectedCars.KEY_ID, one.keyId());
    assertEquals(cc.keys().getPrivate(), one.key());
    assertEquals(cc.keys().getPrivate(), eight.key());
  }

  @Test
  void theSettingTakesAPathOrTheContent() throws Exception {
    Path file = cc.writeServiceAccount(dir);
    ServiceAccount byPath = ServiceAccount.fromSetting("V", file.toString());
    ServiceAccount byContent = ServiceAccount.fromSetting("V", Files.readString(file));

    assertEquals(byPath.key(), byContent.key());
  }

  @Test
  void toStringAndErrorsNeverShowTheKey() {
    String content = cc.serviceAccount(true);
    String keyBody =
        content.substring(content.indexOf("KEY-----") + 9, content.indexOf("KEY-----") + 60);
    ServiceAccount account = ServiceAccount.parse(content, "test");
    assertFalse(account.toString().contains(keyBody));
    assertTrue(account.toString().contains(FakeConnectedCars.KEY_ID));

    String broken =
        content.replace(keyBody, keyBody.substring(0, 20) + "!!!!" + keyBody.substring(24));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ServiceAccount.parse(broken, "file.pem"));
    assertFalse(e.getMessage().contains(keyBody.substring(0, 20)), e.getMessage());
    assertTrue(e.getMessage().startsWith("file.pem: "), e.getMessage());
  }

  @Test
  void aFileWithoutTheInfoBlockOrALineIsNamed() {
    IllegalArgumentException noBlock =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ServiceAccount.parse(
                    "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "f"));
    assertTrue(noBlock.getMessage().contains("BEGIN CONNECTEDCARS INFO"), noBlock.getMessage());

    String noKid = cc.serviceAccount(true).replaceAll("kid: .*\n", "");
    IllegalArgumentException kid =
        assertThrows(IllegalArgumentException.class, () -> ServiceAccount.parse(noKid, "f"));
    assertTrue(kid.getMessage().contains("'kid:'"), kid.getMessage());
  }

  @Test
  void aMissingFileIsNamed() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ServiceAccount.fromSetting(
                    "DEEZWATTS_CC_SERVICE_ACCOUNT", dir.resolve("nope.pem").toString()));
    assertTrue(e.getMessage().contains("nope.pem"), e.getMessage());
  }

  @Test
  void settingsDefaultTheAuthEndpointToAudAndParseTopics() {
    Map<String, String> env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", " 87, 88 87 ");

    CcSettings s = CcSettings.fromEnvironment(env);

    assertEquals(cc.authUrl(), s.authEndpoint().toString());
    assertEquals(List.of(87L, 88L), s.autoStreamTopics());
    env.remove("DEEZWATTS_CC_API_ENDPOINT");
    assertEquals(
        CcSettings.DEFAULT_API_ENDPOINT, CcSettings.fromEnvironment(env).apiEndpoint().toString());
  }

  @Test
  void badSettingsAreNamed() {
    Map<String, String> env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87,car_ignition");
    IllegalArgumentException topic =
        assertThrows(IllegalArgumentException.class, () -> CcSettings.fromEnvironment(env));
    assertTrue(topic.getMessage().startsWith("DEEZWATTS_CC_AUTO_STREAM_TOPICS: 'car_ignition'"));

    env.remove("DEEZWATTS_CC_AUTO_STREAM_TOPICS");
    env.remove("DEEZWATTS_CC_NAMESPACE");
    IllegalArgumentException ns =
        assertThrows(IllegalArgumentException.class, () -> CcSettings.fromEnvironment(env));
    assertTrue(ns.getMessage().startsWith("DEEZWATTS_CC_NAMESPACE is not set"));

    env.put("DEEZWATTS_CC_NAMESPACE", "x");
    env.put("DEEZWATTS_CC_API_ENDPOINT", "ftp://example.com");
    IllegalArgumentException url =
        assertThrows(IllegalArgumentException.class, () -> CcSettings.fromEnvironment(env));
    assertTrue(url.getMessage().startsWith("DEEZWATTS_CC_API_ENDPOINT must be an http(s) URL"));
  }
}
