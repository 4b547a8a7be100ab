package io.deezwatts.azure;

import java.util.function.Supplier;

/**
 * A value created on first use and kept, so a function instance opens its sink and clients once. A
 * failed creation is not kept: the next invocation tries again.
 */
final class Lazy<T> implements Supplier<T> {
  private final Supplier<T> factory;
  private volatile T value;

  Lazy(Supplier<T> factory) {
    this.factory = factory;
  }

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

  /** Whether the value has been created. */
  boolean isCreated() {
    return value != null;
  }
}
