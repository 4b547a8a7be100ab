package io.deezwatts.cli.replay;

import com.azure.core.amqp.exception.AmqpErrorContext;
import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventDataBatch;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A fake of the Event Hubs producer: no Event Hubs emulator can run here, so this stands in for the
 * service. The batches are the SDK's real {@link EventDataBatch} objects (made through its
 * package-private constructor), so {@code tryAdd} measures events exactly as it does against a real
 * hub; only sending is faked (it records what was sent).
 */
final class FakeEventHubs implements EventHubsProducer {
  /** What a Standard-tier hub's link reports as its largest message. */
  static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private final List<EventDataBatch> sent = new ArrayList<>();
  private final AtomicInteger sends = new AtomicInteger();
  private final IntFunction<AmqpException> sendFailure;
  private final AmqpException createFailure;
  volatile boolean closed;

  /** A hub that accepts everything. */
  FakeEventHubs() {
    this(n -> null, null);
  }

  /**
   * @param sendFailure for the n-th send (from 1), the exception to throw, or null to accept
   * @param createFailure thrown by every {@link #createBatch}, or null
   */
  FakeEventHubs(IntFunction<AmqpException> sendFailure, AmqpException createFailure) {
    this.sendFailure = sendFailure;
    this.createFailure = createFailure;
  }

  static EventDataBatch batch(int maxBytes) {
    try {
      Class<?> instrumentation =
          Class.forName("com.azure.messaging.eventhubs.EventHubsProducerInstrumentation");
      Field noop = instrumentation.getDeclaredField("NOOP_INSTANCE");
      noop.setAccessible(true);
      Constructor<EventDataBatch> c =
          EventDataBatch.class.getDeclaredConstructor(
              int.class,
              String.class,
              String.class,
              com.azure.core.amqp.implementation.ErrorContextProvider.class,
              instrumentation);
      c.setAccessible(true);
      com.azure.core.amqp.implementation.ErrorContextProvider context =
          () -> new AmqpErrorContext("ns1.servicebus.windows.net");
      return c.newInstance(maxBytes, null, null, context, noop.get(null));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the SDK's EventDataBatch changed; update this fake", e);
    }
  }

  @SuppressWarnings("unchecked")
  static List<EventData> events(EventDataBatch batch) {
    try {
      Method m = EventDataBatch.class.getDeclaredMethod("getEvents");
      m.setAccessible(true);
      return (List<EventData>) m.invoke(batch);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the SDK's EventDataBatch changed; update this fake", e);
    }
  }

  @Override
  public EventDataBatch createBatch() {
    if (createFailure != null) {
      throw createFailure;
    }
    return batch(MAX_MESSAGE_BYTES);
  }

  @Override
  public void send(EventDataBatch batch) {
    AmqpException e = sendFailure.apply(sends.incrementAndGet());
    if (e != null) {
      throw e;
    }
    synchronized (sent) {
      sent.add(batch);
    }
  }

  /** The batches accepted. */
  List<EventDataBatch> sent() {
    synchronized (sent) {
      return List.copyOf(sent);
    }
  }

  /** The events accepted, over all batches. */
  List<EventData> sentEvents() {
    List<EventData> all = new ArrayList<>();
    sent().forEach(b -> all.addAll(events(b)));
    return all;
  }

  @Override
  public String describe() {
    return "ns1.servicebus.windows.net/hub1";
  }

  @Override
  public void close() {
    closed = true;
  }
}
