package io.deezwatts.cli.viriciti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LiveUrlTest {
  @Test
  void defaultsToViricitiWithTheKeyAndInitialStateWhenAsked() {
    assertEquals(
        "wss://sdk.viriciti.com/api/v2/live?apiKey=k1",
        LiveUrl.build(null, "k1", false).toString());
    assertEquals(
        "wss://sdk.viriciti.com/api/v2/live?apiKey=k1&initialState=true",
        LiveUrl.build("", "k1", true).toString());
  }

  @Test
  void anOverrideKeepsItsOwnQueryAndTheKeyIsEncoded() {
    assertEquals(
        "ws://localhost:9/live?x=1&apiKey=a%26b%3Dc",
        LiveUrl.build("ws://localhost:9/live?x=1", "a&b=c", false).toString());
  }

  @Test
  void rejectsNonWebSocketUrlsAndAMissingKey() {
    assertThrows(
        IllegalArgumentException.class, () -> LiveUrl.build("https://example.com", "k", false));
    assertThrows(IllegalArgumentException.class, () -> LiveUrl.build(null, " ", false));
  }

  @Test
  void redactsTheKeyInUrlsAndInAnyText() {
    String key = "s3cr3t&x";
    String url = LiveUrl.build("ws://h/live", key, true).toString();
    String redacted = LiveUrl.redact("failed: " + url + " (key " + key + ")", key);
    assertEquals("failed: ws://h/live?apiKey=***&initialState=true (key ***)", redacted);
    assertFalse(LiveUrl.redact("GET /live?APIKEY=other HTTP/1.1", key).contains("other"));
  }
}
