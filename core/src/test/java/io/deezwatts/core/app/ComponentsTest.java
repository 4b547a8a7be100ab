package io.deezwatts.core.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.cc.CcSyncOutcome;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.queue.QueueDelivery;
import io.deezwatts.core.queue.QueueMessage;
import io.deezwatts.core.queue.QueueOutcome;
import io.deezwatts.core.rivian.RivianPollOutcome;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.SinkBatch;
import io.deezwatts.core.sink.WriteResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The composition root: what it shares, what it reads when, and how a failure to get ready shows.
 * The sink is a small one of our own port that counts how often it is opened (no part here writes).
 */
class ComponentsTest {
  private static final Logger LOG = Logger.getLogger(ComponentsTest.class.getName());

  /** A sink that stores nothing; only its identity matters here. */
  private static final class NullSink implements Sink {
    @Override
    public WriteResult write(SinkBatch batch, Instant deadline) {
      throw new UnsupportedOperationException("not written in these tests");
    }

    @Override
    public String describe() {
      return "null";
    }

    @Override
    public void close() {}
  }

  @Test
  void opensOneSinkForEveryJobAndOnlyOnFirstUse() {
    AtomicInteger opened = new AtomicInteger();
    Components app =
        Components.builder(Map.of("DEEZWATTS_HTTP_TOKEN", "a-push-token"))
            .sink(
                () -> {
                  opened.incrementAndGet();
                  return new NullSink();
                })
            .build();
    assertEquals(0, opened.get(), "building opens nothing");

    assertSame(app.sink(), app.ingest().sink());
    assertSame(app.push(), app.push());
    assertSame(app.ingest(), app.ingest());
    assertEquals(1, opened.get());
  }

  @Test
  void aSinkThatCannotBeOpenedIsTriedAgainOnTheNextCall() {
    AtomicInteger attempts = new AtomicInteger();
    Components app =
        Components.builder(Map.of("DEEZWATTS_HTTP_TOKEN", "a-push-token"))
            .sink(
                () -> {
                  if (attempts.incrementAndGet() == 1) {
                    throw new IllegalStateException("the file is locked (test)");
                  }
                  return new NullSink();
                })
            .build();

    IllegalStateException e = assertThrows(IllegalStateException.class, app::push);
    assertEquals(false, StartupFailure.of(e).configuration(), "a locked file is transient");
    app.push();
    assertEquals(2, attempts.get());
  }

  @Test
  void thePushSettingsAreCheckedWhenAnAdapterAsksNamingTheSetting() {
    Components app = Components.of(Map.of("DEEZWATTS_DEADLINE_SECONDS", "soon"));
    SettingException e = assertThrows(SettingException.class, app::checkPushSettings);
    assertEquals("DEEZWATTS_DEADLINE_SECONDS", e.setting());
    SettingException noToken =
        assertThrows(SettingException.class, Components.of(Map.of())::checkPushSettings);
    assertEquals("DEEZWATTS_HTTP_TOKEN", noToken.setting());
  }

  @Test
  void theScheduledJobsReportABadSettingAsTheirOutcomeNamingIt() {
    Components app =
        Components.of(
            Map.of(
                "DEEZWATTS_RIVIAN_INTERVAL_SECONDS", "30",
                "DEEZWATTS_CC_AUTO_STREAM_TOPICS", "7,seven"));

    RivianPollOutcome rivian = app.rivianPoll().run(LOG);
    CcSyncOutcome cc = app.ccSync().run(LOG);

    assertEquals(RivianPollOutcome.Status.NOT_CONFIGURED, rivian.status());
    assertEquals("DEEZWATTS_RIVIAN_INTERVAL_SECONDS", rivian.startup().setting());
    assertTrue(rivian.startup().logLine().contains("60 s"), rivian.startup().logLine());
    assertEquals(CcSyncOutcome.Status.NOT_CONFIGURED, cc.status());
    assertTrue(
        cc.startup().logLine().contains("DEEZWATTS_CC_AUTO_STREAM_TOPICS"), cc.startup().logLine());
  }

  @Test
  void theQueueEndpointIsBuiltOnceOpensNothingAndReportsASinkThatCannotOpenAsItsOutcome() {
    AtomicInteger attempts = new AtomicInteger();
    Components app =
        Components.builder(Map.of())
            .sink(
                () -> {
                  attempts.incrementAndGet();
                  throw new SettingException(
                      "DEEZWATTS_SINK", "no sink for 'nosuch:' (test)", null);
                })
            .build();

    assertSame(app.queue(), app.queue());
    assertEquals(0, attempts.get(), "building and asking for it opens nothing");
    QueueOutcome outcome =
        app.queue()
            .handle(
                List.of(new QueueMessage(new byte[] {'[', ']'}, Map.of(), "m-1", Map.of(), null)),
                QueueDelivery.redelivered(IngestContext.Source.PUBSUB),
                LOG);

    assertEquals(QueueOutcome.Decision.RETRY, outcome.decision());
    assertFalse(outcome.retry().isTransient(), "a bad setting fails for good");
    assertTrue(
        outcome.retry().getMessage().contains("DEEZWATTS_SINK"), outcome.retry().getMessage());
    assertEquals(1, attempts.get());
  }
}
