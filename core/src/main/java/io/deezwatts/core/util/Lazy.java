package io.deezwatts.core.util;

import java.util.function.Supplier;

/**
 * A value made on first use and kept: the function adapters create their sink and clients once per
 * instance, and not during class loading, so a cold start pays only for what the first request
 * needs. A failed creation is not kept: the next call tries again.
 */
public final class Lazy<T> implements Supplier<T> {
  private final Supplier<T> factory;
  private volatile T value;

  public Lazy(Supplier<T> factory) {
    this.factory = factory;
  }

  /**
   * The value, made now if not yet made.
   *
   * @throws RuntimeException whatever the factory throws; nothing is kept then
   */
  @Override
  public T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = factory.get();
          value = v;
        }
      }
    }
    return v;
  }

  /** Whether the value has been made (so that closing it does not make it first). */
  public boolean isCreated() {
    return value != null;
  }
}
