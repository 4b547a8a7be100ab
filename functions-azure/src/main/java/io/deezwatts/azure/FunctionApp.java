package io.deezwatts.azure;

import io.deezwatts.core.cc.StreamOnboarding;
import io.deezwatts.core.cc.StreamReconciler;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.util.Lazy;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the functions of one Function App instance share: the settings, one sink (behind one {@link
 * IngestService}), the push endpoint and the dead-letter hub, each created on first use and then
 * reused. The Java worker may create a function object per invocation, so the function classes
 * reach these through {@link #shared()} rather than owning them.
 */
final class FunctionApp {
  private static final Lazy<FunctionApp> SHARED =
      new Lazy<>(() -> new FunctionApp(System.getenv()));

  private final Map<String, String> env;
  private final PushSettings settings;
  private final Lazy<IngestService> ingest;
  private final Lazy<DeadLetterHub> deadLetter;
  private final Lazy<PushEndpoint> push;
  private final Lazy<RivianPoll.Runs> rivianRuns;
  private final Lazy<StreamReconciler> ccReconciler;

  /** The app as the process environment configures it. */
  static FunctionApp shared() {
    return SHARED.get();
  }

  /**
   * @throws IllegalArgumentException naming the setting when one is malformed
   */
  FunctionApp(Map<String, String> env) {
    this(
        env,
        () -> new IngestService(Sinks.fromEnvironment(env), StreamOnboarding.fromEnvironment(env)),
        () -> EventHubDeadLetter.fromEnvironment(env));
  }

  /** For tests: a given sink and dead-letter hub. */
  FunctionApp(
      Map<String, String> env, Supplier<IngestService> ingest, Supplier<DeadLetterHub> deadLetter) {
    this.env = Map.copyOf(env);
    this.settings = PushSettings.fromEnvironment(this.env);
    this.ingest = new Lazy<>(ingest);
    this.deadLetter = new Lazy<>(deadLetter);
    this.push = new Lazy<>(this::createPushEndpoint);
    this.rivianRuns =
        new Lazy<>(
            () ->
                new RivianPoll.Runs(
                    this.env,
                    () -> KeyVaultTokenStore.fromEnvironment(this.env),
                    Clock.systemUTC()));
    this.ccReconciler = new Lazy<>(() -> StreamReconciler.fromSettings(this.env));
  }

  /**
   * The Connected Cars reconciler (one client, so its token is cached between runs).
   *
   * @throws IllegalArgumentException naming a missing or malformed {@code DEEZWATTS_CC_*} setting
   */
  StreamReconciler ccReconciler() {
    return ccReconciler.get();
  }

  /**
   * The Rivian timer's state.
   *
   * @throws IllegalArgumentException when its settings are malformed
   */
  RivianPoll.Runs rivianRuns() {
    return rivianRuns.get();
  }

  Map<String, String> env() {
    return env;
  }

  PushSettings settings() {
    return settings;
  }

  /**
   * The ingest service, opening the sink on first use.
   *
   * @throws RuntimeException when the sink cannot be opened; the next call tries again
   */
  IngestService ingest() {
    return ingest.get();
  }

  /**
   * The dead-letter hub.
   *
   * @throws IllegalStateException when it is not configured
   */
  DeadLetterHub deadLetter() {
    return deadLetter.get();
  }

  /**
   * The push endpoint.
   *
   * @throws IllegalStateException when {@code DEEZWATTS_HTTP_TOKEN} is not set
   * @throws RuntimeException when the sink cannot be opened
   */
  PushEndpoint push() {
    return push.get();
  }

  private PushEndpoint createPushEndpoint() {
    return PushEndpoint.configured(env).apply(ingest());
  }
}
