package io.deezwatts.core.cc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.testing.cc.FakeConnectedCars;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StreamReconciler} against {@link FakeConnectedCars}'s state. */
class StreamReconcilerTest {
  @TempDir Path dir;
  FakeConnectedCars cc;
  Map<String, String> env;

  @BeforeEach
  void setUp() {
    cc = new FakeConnectedCars();
    env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "87,88");
  }

  @AfterEach
  void tearDown() {
    cc.close();
  }

  @Test
  void aDryRunReportsTheMissingStreamsAndAddsNothing() throws Exception {
    cc.consentRange(1, 5).topics(87, 88, 99);
    cc.stream(1, 87);
    cc.stream(2, 88);
    cc.stream(3, 87);
    cc.stream(4, 99); // another topic: neither counted nor touched

    StreamReconciler reconciler = StreamReconciler.fromSettings(env);
    StreamReconciler.Result r = reconciler.reconcile(reconciler.configuredTopics(), false);

    assertFalse(r.applied());
    assertEquals(5, r.consentedVehicles());
    assertEquals(3, r.existingStreams());
    assertEquals(
        List.of(
            new NewStream(1, 88),
            new NewStream(2, 87),
            new NewStream(3, 88),
            new NewStream(4, 87),
            new NewStream(4, 88),
            new NewStream(5, 87),
            new NewStream(5, 88)),
        r.missing());
    assertTrue(r.added().isEmpty());
    assertEquals(4, cc.streams().size());
    assertFalse(cc.operations().contains("addVehicleDataStreams"));
  }

  @Test
  void applyAddsExactlyTheMissingStreamsAndASecondRunNothing() throws Exception {
    cc.consentRange(1, 5).topics(87, 88, 99);
    cc.stream(1, 87);
    cc.stream(2, 88);
    cc.stream(3, 87);
    cc.stream(4, 99);
    Set<List<Long>> before = cc.streamPairs();
    List<String> progress = new ArrayList<>();

    StreamReconciler reconciler = StreamReconciler.fromSettings(env);
    StreamReconciler.Result r = reconciler.reconcile(List.of(87L, 88L), true, progress::add);

    assertEquals(7, r.added().size());
    assertTrue(r.failed().isEmpty());
    Set<List<Long>> expected = new HashSet<>(before);
    for (long v = 1; v <= 5; v++) {
      expected.add(List.of(v, 87L));
      expected.add(List.of(v, 88L));
    }
    assertEquals(expected, cc.streamPairs());
    assertEquals(11, cc.streams().size(), "no duplicates: every pair once");
    assertEquals("added 7 of 7 streams", progress.get(progress.size() - 1));

    StreamReconciler.Result again = reconciler.reconcile(List.of(87L, 88L), true);
    assertTrue(again.missing().isEmpty());
    assertEquals(10, again.existingStreams());
    assertEquals(1, cc.operations().stream().filter("addVehicleDataStreams"::equals).count());
  }

  @Test
  void manyMissingStreamsGoInChunksOfAHundred() throws Exception {
    cc.consentRange(1, 250).topics(87);

    StreamReconciler.Result r = StreamReconciler.fromSettings(env).reconcile(List.of(87L), true);

    assertEquals(250, r.added().size());
    assertEquals(250, cc.streams().size());
    assertEquals(3, cc.operations().stream().filter("addVehicleDataStreams"::equals).count());
    assertEquals(
        3,
        cc.operations().stream().filter("consentedIntegrationVehicles"::equals).count(),
        "three pages of vehicles");
  }

  @Test
  void aVehicleRefusedSinceTheListingIsIsolatedAndTheRestAdded() throws Exception {
    cc.consentRange(1, 8).topics(87).refuse(6);

    StreamReconciler.Result r = StreamReconciler.fromSettings(env).reconcile(List.of(87L), true);

    assertEquals(7, r.added().size());
    assertEquals(1, r.failed().size());
    assertEquals(new NewStream(6, 87), r.failed().get(0).stream());
    assertTrue(r.failed().get(0).reason().contains("vehicle 6"), r.failed().get(0).reason());
    assertEquals(7, cc.streams().size());
  }

  @Test
  void aTopicWithoutAccessStopsTheRunWithPermissionDenied() throws Exception {
    cc.consentRange(1, 30).topics(87);

    CcException e =
        assertThrows(
            CcException.PermissionDenied.class,
            () -> StreamReconciler.fromSettings(env).reconcile(List.of(55L), true));

    assertTrue(e.serverMessage().contains("integration topic 55"), e.serverMessage());
    assertTrue(cc.streams().isEmpty());
    long adds = cc.operations().stream().filter("addVehicleDataStreams"::equals).count();
    assertTrue(adds < 60, "gives up after " + StreamReconciler.MAX_REFUSED + " refusals: " + adds);
  }

  @Test
  void noTopicIsAUsageError() {
    env.remove("DEEZWATTS_CC_AUTO_STREAM_TOPICS");
    StreamReconciler reconciler = StreamReconciler.fromSettings(env);
    assertTrue(reconciler.configuredTopics().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> reconciler.reconcile(List.of(), true));
  }
}
