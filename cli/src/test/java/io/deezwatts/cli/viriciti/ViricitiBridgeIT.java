package io.deezwatts.cli.viriciti;

import static io.deezwatts.cli.viriciti.BridgeFixture.API_KEY;
import static io.deezwatts.cli.viriciti.BridgeFixture.WAIT;
import static io.deezwatts.cli.viriciti.BridgeFixture.count;
import static io.deezwatts.cli.viriciti.BridgeFixture.specMessages;
import static io.deezwatts.cli.viriciti.BridgeFixture.vehicles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.sink.duckdb.DuckDbSink;
import io.deezwatts.testing.viriciti.LocalLiveServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge against {@link LocalLiveServer}, a real WebSocket server on a local port speaking
 * ViriCiti's protocol, storing into a real DuckDB file. Every bridge runs on {@link ManualTimers}:
 * batches are flushed, write retries end and pings go out only when the test moves the clock, so
 * the tests wait on events, never on wall time.
 */
class ViricitiBridgeIT {
  @TempDir Path dir;

  private LocalLiveServer server;
  private DuckDbSink duck;
  private BridgeFixture.Logs logs;
  private ViricitiBridge bridge;
  private final List<String> aclPrinted = new CopyOnWriteArrayList<>();
  private final ManualTimers timers = new ManualTimers();

  @BeforeEach
  void setUp() throws Exception {
    server = new LocalLiveServer();
    duck = BridgeFixture.duckDb(dir);
    logs = new BridgeFixture.Logs();
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      if (bridge != null) {
        bridge.close();
      }
      assertFalse(
          logs.all().contains(API_KEY) || logs.all().contains("test-key-7c1f%26secret"),
          "the API key must never be logged:\n" + logs.all());
    } finally {
      logs.close();
      server.close();
      duck.close();
    }
  }

  /** A bridge whose clock and timers the test moves ({@link #timers}). */
  private ViricitiBridge start(ViricitiBridge.Settings s, io.deezwatts.core.sink.Sink sink) {
    bridge = new ViricitiBridge(s, sink, aclPrinted::add, timers);
    bridge.start();
    return bridge;
  }

  /**
   * Once {@code messages} were received, moves the clock past the flush interval, so that what is
   * held is due, and waits until all of them are stored.
   */
  private void flushAndAwaitStored(ViricitiBridge.Settings s, int messages) throws Exception {
    await(messages + " messages received", st -> st.messagesReceived() == messages);
    timers.advance(s.flushInterval);
    await(messages + " messages stored", st -> st.messagesStored() == messages);
  }

  private void await(String what, Predicate<BridgeStatistics.Stats> condition) throws Exception {
    assertTrue(
        bridge.awaitStats(condition, WAIT),
        what + "; stats: " + bridge.stats() + "\n" + logs.all());
  }

  private long rows(String table) {
    return count(duck, "SELECT count(*) FROM " + table);
  }

  @Test
  void storesEveryDomainChecksTheEchoLogsErrorsAndShowsTheAcl() throws Exception {
    Subscription sub = Subscription.parse(BridgeFixture.resource("subscription.json"));
    ViricitiBridge.Settings s = BridgeFixture.settings(server, sub);
    s.showAcl = true;
    start(s, duck);

    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    assertTrue(
        peer.requestTarget.startsWith("/api/v2/live?apiKey=test-key-7c1f%26secret"),
        peer.requestTarget);
    assertTrue(peer.requestTarget.endsWith("&initialState=true"), peer.requestTarget);
    assertTrue(sub.matchesEcho(peer.nextReceived(WAIT)), "the first message is the subscription");
    assertEquals("show acl", peer.nextReceived(WAIT));
    await(
        "the echo is confirmed and the acl answered",
        st -> st.echoesConfirmed() == 1 && st.aclAnswers() == 1);
    assertEquals(1, aclPrinted.size());
    assertTrue(aclPrinted.get(0).contains("\"type\":\"acl\""), aclPrinted.get(0));

    List<String> data = specMessages();
    peer.sendAll(data);
    peer.send("{\"type\":\"error\",\"payload\":{\"message\":\"not authorized for vehicle_9\"}}");
    peer.sendFragmented(BridgeFixture.vehicle(1000), 3);
    int expected = data.size() + 1;
    await("the server's error is seen", st -> st.serverErrors() == 1);
    flushAndAwaitStored(s, expected);
    assertTrue(logs.has(Level.WARNING, "not authorized for vehicle_9"), logs.all());

    bridge.close();
    assertEquals(2, rows("viriciti_vehicle_data"));
    assertEquals(5, rows("viriciti_chargestation_data"));
    assertEquals(1, rows("viriciti_incidents"));
    assertEquals(0, rows("quarantine"));
    assertEquals(
        1,
        count(
            duck,
            "SELECT count(*) FROM viriciti_incidents WHERE vid = 'vehicle_1' AND source = 'viriciti'"));
    assertEquals(1000, peer.closeCode, "a clean stop sends a normal close frame");
  }

  @Test
  void warnsWhenTheEchoDiffersFromTheSubscription() throws Exception {
    server.echo = sent -> "{\"vehicles\":{\"vehicle_1\":[\"soc\"]}}";
    start(
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json"))),
        duck);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    assertFalse(
        peer.requestTarget.contains("initialState"), "only chargestations want initialState");
    await("the mismatch is seen", st -> st.echoMismatches() == 1);
    assertTrue(logs.has(Level.WARNING, "echoed a different subscription"), logs.all());
    assertEquals(0, bridge.stats().echoesConfirmed());
  }

  @Test
  void warnsWhenTheSubscriptionIsNeverEchoed() throws Exception {
    server.echo = null;
    ViricitiBridge.Settings s =
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json")));
    start(s, duck);
    server.nextConnection(WAIT).nextReceived(WAIT);
    timers.tick(); // within the echo timeout: nothing to say yet
    assertEquals(0, bridge.stats().echoTimeouts());
    timers.advance(s.echoTimeout.plusMillis(1));
    timers.tick();
    timers.tick(); // said once only
    await("the missing echo is noticed once", st -> st.echoTimeouts() == 1);
    assertTrue(logs.has(Level.WARNING, "has not echoed the subscription"), logs.all());
    assertEquals(0, bridge.stats().echoesConfirmed());
  }

  @Test
  void reconnectsAfterAbruptDisconnectsAndCloseFramesResubscribesAndKeepsGoing() throws Exception {
    Subscription sub = Subscription.parse(BridgeFixture.resource("subscription.json"));
    ViricitiBridge.Settings s = BridgeFixture.settings(server, sub);
    start(s, duck);
    String initialState = specMessages().get(4); // a charger's power, replayed on every connect

    LocalLiveServer.Peer first = server.nextConnection(WAIT);
    assertTrue(sub.matchesEcho(first.nextReceived(WAIT)));
    first.send(initialState);
    first.sendAll(vehicles(0, 15));
    first.roundTrip(WAIT);
    first.abort(); // TCP reset, no close frame

    LocalLiveServer.Peer second = server.nextConnection(WAIT);
    assertTrue(sub.matchesEcho(second.nextReceived(WAIT)), "re-subscribes after a reconnect");
    assertTrue(second.requestTarget.contains("initialState=true"));
    second.send(initialState);
    second.sendAll(vehicles(15, 30));
    second.roundTrip(WAIT);
    second.sendClose(1001); // the server goes away politely

    LocalLiveServer.Peer third = server.nextConnection(WAIT);
    assertTrue(sub.matchesEcho(third.nextReceived(WAIT)), "re-subscribes after a close frame");
    third.send(initialState);
    third.sendAll(vehicles(30, 40));
    await(
        "three connections, each echoed", st -> st.connections() == 3 && st.echoesConfirmed() == 3);
    flushAndAwaitStored(s, 43);

    bridge.close();
    assertEquals(40, rows("viriciti_vehicle_data"));
    assertEquals(
        1, rows("viriciti_chargestation_data"), "the replayed initial state is stored once");
  }

  @Test
  void retriesARefusedHandshakeWithBackoff() throws Exception {
    server.rejectNext.set(3);
    Subscription sub = Subscription.parse(BridgeFixture.resource("vehicles-only.json"));
    ViricitiBridge.Settings s = BridgeFixture.settings(server, sub);
    start(s, duck);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    assertEquals(3, server.rejected.get());
    assertEquals(3, timers.delays.size(), "a reconnect after each refusal: " + timers.delays);
    assertTrue(
        timers.delays.stream().allMatch(d -> d.compareTo(Duration.ofMillis(100)) <= 0),
        "within the maximum backoff: " + timers.delays);
    assertTrue(sub.matchesEcho(peer.nextReceived(WAIT)));
    peer.sendAll(vehicles(0, 3));
    flushAndAwaitStored(s, 3);
    assertEquals(1, bridge.stats().connections(), "connected once, then data flows");
    assertEquals(
        3,
        logs.records.stream().filter(r -> r.getMessage().startsWith("reconnecting in")).count(),
        logs.all());
    assertTrue(logs.has(Level.WARNING, "failed"), logs.all());
  }

  @Test
  void dropsASilentSocketAndReconnects() throws Exception {
    Subscription sub = Subscription.parse(BridgeFixture.resource("vehicles-only.json"));
    ViricitiBridge.Settings s = BridgeFixture.settings(server, sub);
    s.readTimeout = Duration.ofMillis(600);
    start(s, duck);

    LocalLiveServer.Peer first = server.nextConnection(WAIT);
    first.nextReceived(WAIT);
    first.sendAll(vehicles(0, 5));
    first.roundTrip(WAIT);
    timers.tick();
    assertTrue(first.awaitPingsReceived(1, WAIT), "the bridge pings the server");
    first.silent = true; // TCP stays open; nothing more comes, pings go unanswered
    assertEquals(0, bridge.stats().silentSockets(), "not silent within the read timeout");
    // Past the read timeout with nothing heard (a pong still in flight may reset it once).
    for (int i = 0; i < 3 && bridge.stats().silentSockets() == 0; i++) {
      timers.advance(s.readTimeout.plusMillis(1));
      timers.tick();
    }

    LocalLiveServer.Peer second = server.nextConnection(WAIT);
    assertTrue(sub.matchesEcho(second.nextReceived(WAIT)));
    second.sendAll(vehicles(5, 10));
    flushAndAwaitStored(s, 10);
    assertTrue(bridge.stats().silentSockets() >= 1, "a silent socket was dropped");
    assertTrue(logs.has(Level.WARNING, "the socket is silent"), logs.all());
    assertTrue(first.awaitClosed(WAIT), "the silent connection is closed");
    bridge.close();
    assertEquals(10, rows("viriciti_vehicle_data"));
  }

  @Test
  void aSinkOutageLongerThanTheFlushIntervalLosesNothing() throws Exception {
    BridgeFixture.FlakySink flaky = new BridgeFixture.FlakySink(duck);
    ViricitiBridge.Settings s =
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json")));
    flaky.down.set(true);
    start(s, flaky);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    peer.nextReceived(WAIT);

    peer.sendAll(vehicles(0, 30));
    await("the first write fails", st -> st.writeFailures() >= 1);
    long firstFailure = timers.nanoTime();
    for (int retry = 1; retry <= 3; retry++) {
      int failures = retry + 1;
      timers.advance(s.writeRetryMax); // longer than any retry wait: the writer tries again
      await("retry " + retry + " fails too", st -> st.writeFailures() >= failures);
    }
    peer.sendAll(vehicles(30, 60)); // the socket keeps reading during the outage
    peer.roundTrip(WAIT);
    await("everything received is held", st -> st.messagesReceived() == 60 && st.held() == 60);
    long outage = timers.nanoTime() - firstFailure;
    assertTrue(outage > 2 * s.flushInterval.toNanos(), "the outage outlasts two flush intervals");
    assertEquals(0, bridge.stats().messagesStored());

    flaky.down.set(false);
    timers.advance(s.writeRetryMax);
    flushAndAwaitStored(s, 60);
    await("nothing is held after the outage", st -> st.held() == 0);
    assertTrue(logs.has(Level.WARNING, "(transient)"), logs.all());
    bridge.close();
    assertEquals(60, rows("viriciti_vehicle_data"));
  }

  @Test
  void aFullBufferPausesReadsInsteadOfDropping() throws Exception {
    BridgeFixture.FlakySink flaky = new BridgeFixture.FlakySink(duck);
    ViricitiBridge.Settings s =
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json")));
    s.batchSize = 5;
    s.bufferCapacity = 20;
    flaky.down.set(true);
    start(s, flaky);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    peer.nextReceived(WAIT);

    peer.sendAll(vehicles(0, 200));
    await("reads pause when the buffer is full", st -> st.paused() && st.pauses() == 1);
    assertTrue(logs.has(Level.WARNING, "pausing reads"), logs.all());
    long received = bridge.stats().messagesReceived();
    assertTrue(
        received >= 20 && received <= 22, "reads stopped at the buffer's capacity: " + received);

    // The writer reads the clock for its retry before it counts a failure: once counted, moving
    // the clock ends that wait. Moved earlier, the retry would wait on a clock nobody moves.
    await("the first write failed", st -> st.writeFailures() >= 1);
    flaky.down.set(false);
    timers.advance(s.writeRetryMax); // the writer's retry wait ends
    flushAndAwaitStored(s, 200);
    await("reads resumed", st -> !st.paused());
    assertTrue(logs.has(Level.INFO, "resuming reads"), logs.all());
    bridge.close();
    assertEquals(200, rows("viriciti_vehicle_data"));
  }

  @Test
  void closeStoresWhatItHolds() throws Exception {
    ViricitiBridge.Settings s =
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json")));
    s.batchSize = 1000;
    s.flushInterval = Duration.ofMinutes(10);
    start(s, duck);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    peer.nextReceived(WAIT);
    peer.sendAll(vehicles(0, 25));
    peer.roundTrip(WAIT);
    await("held, not yet written", st -> st.messagesReceived() == 25);
    assertEquals(0, bridge.stats().messagesStored());

    bridge.close();
    assertEquals(25, bridge.stats().messagesStored());
    assertEquals(25, rows("viriciti_vehicle_data"));
  }

  @Test
  void quarantinesAMessageThatIsNotJsonAndStoresTheRestPrettyOrNot() throws Exception {
    ViricitiBridge.Settings s =
        BridgeFixture.settings(
            server, Subscription.parse(BridgeFixture.resource("vehicles-only.json")));
    start(s, duck);
    LocalLiveServer.Peer peer = server.nextConnection(WAIT);
    peer.nextReceived(WAIT);
    peer.sendAll(vehicles(0, 3));
    peer.send("{\"type\":\"vehicles\",\"payload\":{\"time\":1,");
    peer.sendAll(vehicles(3, 6));
    peer.send(
        "{\n  \"type\": \"vehicles\",\n  \"payload\": {\"time\": 1552665820742, \"value\": 1,"
            + " \"label\": \"odo\", \"vid\": \"vehicle_2\"} // pretty, with a comment\n}");
    flushAndAwaitStored(s, 8);
    bridge.close();
    assertEquals(7, rows("viriciti_vehicle_data"));
    assertEquals(1, rows("quarantine"));
  }
}
