package io.deezwatts.core.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for background work that must never keep the process alive. */
public final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * A factory of daemon threads named {@code prefix-1}, {@code prefix-2}, ... in creation order, so
   * a thread dump tells the pools apart. Never fails.
   */
  public static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
