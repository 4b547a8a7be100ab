package io.deezwatts.cli.viriciti;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubscriptionTest {
  @Test
  void readsTheSpecsCombinedExampleWithComments() {
    Subscription s = Subscription.parse(BridgeFixture.resource("subscription.json"));
    assertTrue(s.wantsInitialState());
    assertTrue(
        s.json().startsWith("{\"vehicles\":{\"vehicle_1\":[\"soc\",\"voltage\",\"current\"]"),
        s.json());
    assertFalse(s.json().contains("//"));
  }

  @Test
  void initialStateOnlyForChargestations() {
    assertFalse(Subscription.parse("{\"vehicles\":{\"v\":[\"soc\"]}}").wantsInitialState());
    assertFalse(Subscription.parse("{\"incidents\":{}}").wantsInitialState());
    assertTrue(Subscription.parse("{\"chargestations\":{\"c\":[\"soc\"]}}").wantsInitialState());
  }

  @Test
  void theEchoMatchesRegardlessOfOrderAndSpacingButNotOfContent() {
    Subscription s = Subscription.parse("{\"vehicles\":{\"a\":[\"soc\"],\"b\":[\"odo\"]}}");
    assertTrue(s.matchesEcho("{ \"vehicles\" : { \"b\": [\"odo\"], \"a\": [\"soc\"] } }"));
    assertFalse(s.matchesEcho("{\"vehicles\":{\"a\":[\"soc\"]}}"));
    assertFalse(s.matchesEcho("{\"vehicles\":{\"a\":[\"odo\"],\"b\":[\"soc\"]}}"));
    assertFalse(s.matchesEcho("not json"));
  }

  @Test
  void rejectsWhatIsNotASubscription() {
    String[] bad = {
      "",
      "[]",
      "{}",
      "not json",
      "{\"trucks\":{}}",
      "{\"vehicles\":[]}",
      "{\"vehicles\":{\"v\":\"soc\"}}",
      "{\"vehicles\":{\"v\":[1]}}",
      "{\"incidents\":{\"filter\":{}}}",
      "{\"incidents\":{\"query\":{\"vids\":[\"a\"]}}}",
      "{\"incidents\":{\"query\":{\"vehicles\":\"a\"}}}"
    };
    for (String b : bad) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Subscription.parse(b), b);
      assertFalse(e.getMessage().isBlank());
    }
  }

  @Test
  void incidentsQueryAsTheSpecPrintsIt() {
    Subscription s =
        Subscription.parse(
            "{\"incidents\":{\"query\":{\"vehicles\":[\"v1\"],\"incidents\":[\"incident_02\"]}}}");
    assertEquals(
        "{\"incidents\":{\"query\":{\"vehicles\":[\"v1\"],\"incidents\":[\"incident_02\"]}}}",
        s.json());
  }
}
