package io.deezwatts.core.cc;

import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.util.DaemonThreads;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Automatic onboarding: after a data-streams bulk is stored, requests streams of the configured
 * topics for the vehicles its admin events say have just become accessible.
 *
 * <ul>
 *   <li>{@code access_granted_to_vehicle}: the vehicle;
 *   <li>{@code vehicle_added_to_fleet}: the vehicle, when its fleet has granted access;
 *   <li>{@code access_granted_to_fleet}: the fleet's vehicles.
 * </ul>
 *
 * <p>Which of them have consent is asked of {@code consentedIntegrationVehicles} (so a vehicle
 * added to a fleet without access, or one that revoked consent since, is skipped rather than
 * failing the whole all-or-nothing add), then {@code addVehicleDataStreams} adds the streams; an
 * already active stream is not duplicated.
 *
 * <p>It runs on its own single daemon thread with a bounded queue, after the bulk is stored: it
 * never delays or fails an acknowledgement. A failure (Connected Cars down, the queue full) is
 * logged with the vehicles concerned, never with a token, and the daily reconcile ({@link
 * StreamReconciler}) adds what it missed. On Cloud Functions, CPU may be throttled once a response
 * is sent, so a request may also wait for the next invocation or the daily reconcile.
 */
public final class StreamOnboarding implements IngestService.StoredListener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(StreamOnboarding.class.getName());

  /** Bulks waiting for their streams; more are logged and left to the daily reconcile. */
  static final int QUEUE = 1000;

  private final CcClient client;
  private final List<Long> topics;
  private final ThreadPoolExecutor executor;
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  /**
   * Onboarding with {@code client} for {@code topics}.
   *
   * @throws IllegalArgumentException when no topic is given
   */
  public StreamOnboarding(CcClient client, List<Long> topics) {
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("onboarding needs at least one integration topic");
    }
    this.client = client;
    this.topics = List.copyOf(topics);
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            DaemonThreads.named("deezwatts-cc-onboarding"));
  }

  /**
   * The listener to give {@link IngestService} for these settings: onboarding when {@code
   * DEEZWATTS_CC_AUTO_STREAM_TOPICS} is set, else null (nothing happens, as before). When topics
   * are set but the other {@code DEEZWATTS_CC_*} settings are missing or malformed, the error is
   * logged and null returned: ingestion must run on regardless; the daily reconcile ({@link
   * CcSyncEndpoint}) reports the same error as {@code NOT_CONFIGURED}.
   */
  public static StreamOnboarding fromEnvironment(Map<String, String> env) {
    List<Long> topics;
    try {
      topics = CcSettings.topics(env);
      if (topics.isEmpty()) {
        return null;
      }
      return new StreamOnboarding(CcClient.fromEnvironment(env), topics);
    } catch (IllegalArgumentException e) {
      LOG.log(
          Level.ERROR,
          "Connected Cars stream onboarding is off: "
              + e.getMessage()
              + "; bulks are still stored");
      return null;
    }
  }

  /**
   * What onboarding has done so far.
   *
   * @param streamsRequested streams asked of {@code addVehicleDataStreams} that it accepted
   * @param failures onboarding requests that failed or were dropped (queue full)
   */
  public record Stats(long streamsRequested, long failures) {}

  public Stats stats() {
    return new Stats(requested.get(), failures.get());
  }

  /** Picks the admin events out of a stored bulk and queues their vehicles; returns at once. */
  @Override
  public void stored(DecodedBulk bulk) {
    if (!"data-streams".equals(bulk.feed())) {
      return;
    }
    Set<Long> vehicles = new LinkedHashSet<>();
    Set<Long> fleets = new LinkedHashSet<>();
    for (Row row : bulk.rows()) {
      if (!"admin_events".equals(row.table().name())) {
        continue;
      }
      switch (row.type()) {
        case "access_granted_to_vehicle", "vehicle_added_to_fleet" ->
            add(vehicles, row, "vehicle_id");
        case "access_granted_to_fleet" -> add(fleets, row, "fleet_id");
        default -> {
          // Removals need nothing: Connected Cars stops those streams itself.
        }
      }
    }
    if (vehicles.isEmpty() && fleets.isEmpty()) {
      return;
    }
    try {
      executor.execute(() -> onboard(vehicles, fleets));
    } catch (RejectedExecutionException e) {
      failures.incrementAndGet();
      LOG.log(
          Level.WARNING,
          "Connected Cars onboarding is behind; not requesting streams for vehicles {0} and"
              + " fleets {1} now; the daily reconcile will add them",
          vehicles,
          fleets);
    }
  }

  private static void add(Set<Long> ids, Row row, String column) {
    if (row.get(column) instanceof Long id) {
      ids.add(id);
    }
  }

  private void onboard(Set<Long> vehicles, Set<Long> fleets) {
    try {
      Set<Long> consented = new LinkedHashSet<>();
      if (!vehicles.isEmpty()) {
        client.allConsentedVehicles(List.of(), vehicles).forEach(v -> consented.add(v.id()));
      }
      if (!fleets.isEmpty()) {
        client.allConsentedVehicles(fleets, List.of()).forEach(v -> consented.add(v.id()));
      }
      List<NewStream> streams = new ArrayList<>();
      for (long vehicle : consented) {
        for (long topic : topics) {
          streams.add(new NewStream(vehicle, topic));
        }
      }
      List<DataStream> added = new ArrayList<>();
      List<StreamReconciler.Failure> refused = new ArrayList<>();
      StreamReconciler.addAll(client, streams, added, refused, line -> {});
      requested.addAndGet(added.size());
      Set<Long> skipped = new LinkedHashSet<>(vehicles);
      skipped.removeAll(consented);
      LOG.log(
          Level.INFO,
          "Connected Cars onboarding: {0} streams on topics {1} for vehicles {2}{3}{4}",
          added.size(),
          topics,
          consented,
          skipped.isEmpty() ? "" : "; without consent, skipped: " + skipped,
          refused.isEmpty() ? "" : "; refused: " + refused);
      if (!refused.isEmpty()) {
        failures.incrementAndGet();
      }
    } catch (CcException e) {
      failures.incrementAndGet();
      LOG.log(
          Level.WARNING,
          "Connected Cars onboarding of vehicles {0} and fleets {1} failed ({2}): {3}; the daily"
              + " reconcile will add their streams",
          vehicles,
          fleets,
          e.retryable() ? "retryable" : "not retryable",
          e.getMessage());
    } catch (RuntimeException e) {
      // On an executor thread an escaping exception would vanish unseen: log it.
      failures.incrementAndGet();
      LOG.log(Level.ERROR, "Connected Cars onboarding failed unexpectedly", e);
    }
  }

  /**
   * Stops taking bulks and waits up to {@code wait} for queued requests to finish.
   *
   * @return true when all finished in time
   */
  public boolean close(Duration wait) {
    executor.shutdown();
    try {
      return executor.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Stops taking bulks and waits up to 30 s for queued requests. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
