package io.deezwatts.core.cc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes sure every vehicle that has consented to the integration has a data stream for each given
 * topic: lists the consented vehicles and the existing streams of those topics, and adds the
 * missing ones. The one entry point that {@code deezwatts cc sync} and both clouds' daily timers
 * call:
 *
 * <pre>{@code
 * Map<String, String> settings = ...; // the environment / app settings, DEEZWATTS_CC_*
 * StreamReconciler reconciler = StreamReconciler.fromSettings(settings);
 * StreamReconciler.Result r = reconciler.reconcile(reconciler.configuredTopics(), true);
 * }</pre>
 *
 * <p>Safe to run at any time and as often as wanted: adding a stream that is already active returns
 * the existing one, so a run that races onboarding or another run creates no duplicates. Streams
 * are added {@value #CHUNK} per call. Adding is all-or-nothing per call when the service account
 * lacks access to one vehicle (one may revoke consent between the listing and the adding), so a
 * refused call is split until the refused streams are isolated; they are reported in {@link
 * Result#failed()} and the rest is added.
 */
public final class StreamReconciler {
  /** Streams per {@code addVehicleDataStreams} call. */
  public static final int CHUNK = 100;

  /** Refused streams after which a run stops: the topic itself is likely not accessible. */
  static final int MAX_REFUSED = 20;

  private final CcClient client;

  public StreamReconciler(CcClient client) {
    this.client = client;
  }

  /**
   * A reconciler configured by {@code DEEZWATTS_CC_SERVICE_ACCOUNT}, {@code
   * DEEZWATTS_CC_NAMESPACE}, and optionally {@code DEEZWATTS_CC_API_ENDPOINT}, {@code
   * DEEZWATTS_CC_AUTH_ENDPOINT} and {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS} (see {@link
   * CcSettings}). Reads the service account file; makes no request.
   *
   * @param settings the environment or a function's app settings
   * @throws IllegalArgumentException naming a missing or malformed setting (retrying cannot help)
   */
  public static StreamReconciler fromSettings(Map<String, String> settings) {
    return new StreamReconciler(CcClient.fromEnvironment(settings));
  }

  /** The topics in {@code DEEZWATTS_CC_AUTO_STREAM_TOPICS}; empty when unset. */
  public List<Long> configuredTopics() {
    return client.settings().autoStreamTopics();
  }

  /**
   * A stream that could not be added.
   *
   * @param stream the stream
   * @param reason the server's message
   */
  public record Failure(NewStream stream, String reason) {}

  /**
   * What a run found and did.
   *
   * @param topics the topics reconciled
   * @param consentedVehicles the vehicles that have consented to the integration
   * @param existingStreams the streams of those topics that existed before the run
   * @param missing the streams that were missing (consented vehicle × topic without a stream)
   * @param added the streams added (empty for a dry run)
   * @param failed the missing streams the server refused to add
   * @param applied false for a dry run
   */
  public record Result(
      List<Long> topics,
      int consentedVehicles,
      int existingStreams,
      List<NewStream> missing,
      List<DataStream> added,
      List<Failure> failed,
      boolean applied) {
    public Result {
      topics = List.copyOf(topics);
      missing = List.copyOf(missing);
      added = List.copyOf(added);
      failed = List.copyOf(failed);
    }
  }

  /**
   * Reconciles without reporting progress; see {@link #reconcile(Collection, boolean, Consumer)}.
   *
   * @throws IllegalArgumentException when no topic is given
   * @throws CcException as there
   */
  public Result reconcile(Collection<Long> topics, boolean apply) throws CcException {
    return reconcile(topics, apply, line -> {});
  }

  /**
   * Compares the consented vehicles with the existing streams of {@code topics} and, when {@code
   * apply}, adds the missing streams.
   *
   * @param topics integration topic ids (at least one)
   * @param apply false for a dry run that only reports what is missing
   * @param progress receives a line per step (counts, each chunk added); never secrets
   * @return what was found and done; {@link Result#failed()} lists the streams refused one by one
   * @throws IllegalArgumentException when no topic is given
   * @throws CcException when listing fails, or adding fails other than by a refusal of single
   *     streams (streams added before the failure stay added; a rerun adds the rest): {@link
   *     CcException#retryable()} says whether the next scheduled run may succeed; {@link
   *     CcException.PermissionDenied} also when more than {@value #MAX_REFUSED} streams are refused
   */
  public Result reconcile(Collection<Long> topics, boolean apply, Consumer<String> progress)
      throws CcException {
    List<Long> wanted = List.copyOf(new LinkedHashSet<>(topics));
    if (wanted.isEmpty()) {
      throw new IllegalArgumentException(
          "no topic to reconcile: give integration topic ids (DEEZWATTS_CC_AUTO_STREAM_TOPICS)");
    }
    List<Vehicle> vehicles = client.allConsentedVehicles(List.of(), List.of());
    progress.accept(vehicles.size() + " consented vehicles");
    List<DataStream> existing = client.allDataStreams(wanted, List.of());
    progress.accept(existing.size() + " existing streams on topics " + wanted);
    Set<List<Long>> have = new HashSet<>();
    for (DataStream s : existing) {
      have.add(List.of(s.vehicleId(), s.integrationTopicId()));
    }
    Set<Long> vehicleIds = new LinkedHashSet<>();
    vehicles.forEach(v -> vehicleIds.add(v.id()));
    List<NewStream> missing = new ArrayList<>();
    for (long vehicle : vehicleIds) {
      for (long topic : wanted) {
        if (!have.contains(List.of(vehicle, topic))) {
          missing.add(new NewStream(vehicle, topic));
        }
      }
    }
    missing.sort(
        Comparator.comparingLong(NewStream::vehicleId)
            .thenComparingLong(NewStream::integrationTopicId));
    progress.accept(missing.size() + " missing streams");
    List<DataStream> added = new ArrayList<>();
    List<Failure> failed = new ArrayList<>();
    if (apply) {
      addAll(client, missing, added, failed, progress);
    }
    return new Result(wanted, vehicleIds.size(), existing.size(), missing, added, failed, apply);
  }

  /**
   * Adds {@code streams} {@value #CHUNK} per call, isolating refused streams by splitting a refused
   * call.
   */
  static void addAll(
      CcClient client,
      List<NewStream> streams,
      List<DataStream> added,
      List<Failure> failed,
      Consumer<String> progress)
      throws CcException {
    for (int from = 0; from < streams.size(); from += CHUNK) {
      List<NewStream> chunk = streams.subList(from, Math.min(streams.size(), from + CHUNK));
      add(client, chunk, added, failed);
      progress.accept(
          "added "
              + added.size()
              + " of "
              + streams.size()
              + " streams"
              + (failed.isEmpty() ? "" : ", " + failed.size() + " refused"));
    }
  }

  private static void add(
      CcClient client, List<NewStream> batch, List<DataStream> added, List<Failure> failed)
      throws CcException {
    try {
      added.addAll(client.addDataStreams(batch));
    } catch (CcException.PermissionDenied e) {
      if (batch.size() == 1) {
        failed.add(new Failure(batch.get(0), e.serverMessage()));
        if (failed.size() > MAX_REFUSED) {
          throw e;
        }
        return;
      }
      int mid = batch.size() / 2;
      add(client, batch.subList(0, mid), added, failed);
      add(client, batch.subList(mid, batch.size()), added, failed);
    }
  }
}
