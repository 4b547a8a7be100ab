package io.deezwatts.gcp;

import java.util.function.Supplier;

/**
 * A value made on first use and kept: clients are created once per function instance, and not
 * during class loading, so a cold start pays only for what the first request needs.
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
}
