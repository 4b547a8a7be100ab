package io.deezwatts.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;

class DaemonThreadsTest {
  @Test
  void threadsAreDaemonsNumberedPerFactory() {
    ThreadFactory f = DaemonThreads.named("pool");
    Thread a = f.newThread(() -> {});
    Thread b = f.newThread(() -> {});
    assertTrue(a.isDaemon() && b.isDaemon());
    assertEquals("pool-1", a.getName());
    assertEquals("pool-2", b.getName());
    assertEquals("other-1", DaemonThreads.named("other").newThread(() -> {}).getName());
  }
}
