package io.deezwatts.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.cc.CcException;
import io.deezwatts.testing.cc.FakeConnectedCars;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily Connected Cars timer against {@link FakeConnectedCars}, a local server playing the auth
 * API and the GraphQL API with their real wire formats.
 */
class CcSyncTest {
  @TempDir Path dir;
  private FakeConnectedCars cc;
  private Map<String, String> env;

  @BeforeEach
  void setUp() {
    cc = new FakeConnectedCars();
    env = new HashMap<>(cc.env(cc.writeServiceAccount(dir)));
  }

  @AfterEach
  void tearDown() {
    cc.close();
  }

  private CcSync timer() {
    return new CcSync(FunctionApp.components(env).build().ccSync());
  }

  @Test
  void addsExactlyTheMissingStreamsOfTheConfiguredTopics() throws Exception {
    cc.consent(1, null).consent(2, null).consent(3, 40L).topics(7, 8);
    cc.stream(1, 7);
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "7,8");
    TestExecutionContext context = TestExecutionContext.firstAttempt("CcSync");

    timer().run("{}", context);

    assertEquals(
        Set.of(
            List.of(1L, 7L),
            List.of(2L, 7L),
            List.of(3L, 7L),
            List.of(1L, 8L),
            List.of(2L, 8L),
            List.of(3L, 8L)),
        cc.streamPairs());
    assertTrue(
        context.logged(Level.INFO).contains("3 consented vehicles, 1 streams existed, 5 added"),
        context.logged(Level.INFO));
  }

  @Test
  void withoutTopicsItDoesNothing() throws Exception {
    cc.consent(1, null).topics(7);
    TestExecutionContext context = TestExecutionContext.firstAttempt("CcSync");

    timer().run("{}", context);

    assertTrue(cc.requests().isEmpty());
    assertTrue(cc.streamPairs().isEmpty());
    assertTrue(context.logged(Level.INFO).contains("nothing to do"));
  }

  @Test
  void anUnreachableApiFailsTheInvocationAsRetryable() {
    cc.consent(1, null).topics(7);
    env.put("DEEZWATTS_CC_AUTO_STREAM_TOPICS", "7");
    cc.down(true);

    ScheduledRunFailed e =
        assertThrows(
            ScheduledRunFailed.class,
            () -> timer().run("{}", TestExecutionContext.firstAttempt("CcSync")));
    assertTrue(((CcException) e.getCause()).retryable(), e.getMessage());
  }
}
