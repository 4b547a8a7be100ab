package io.deezwatts.azure;

import io.deezwatts.core.app.Components;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.util.Lazy;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the functions of one Function App instance share: the composition root ({@link Components},
 * with the session in Key Vault) and Azure's own dead-letter hub, each part created on first use
 * and then reused. The Java worker may create a function object per invocation, so the function
 * classes reach these through {@link #shared()} rather than owning them.
 */
final class FunctionApp {
  private static final Lazy<FunctionApp> SHARED =
      new Lazy<>(() -> new FunctionApp(System.getenv()));

  private final Components components;
  private final Lazy<DeadLetterHub> deadLetter;

  /** The app as the process environment configures it. */
  static FunctionApp shared() {
    return SHARED.get();
  }

  /**
   * Reads nothing yet: a malformed setting fails the first invocation that needs it, which answers
   * 500 or parks its bulks naming the setting. Failing here instead would fail the function class's
   * construction, and an Event Hubs trigger would then checkpoint past its retries with nothing
   * parked.
   */
  FunctionApp(Map<String, String> env) {
    this(components(env).build(), () -> EventHubDeadLetter.fromEnvironment(env));
  }

  /** For tests: a given root and dead-letter hub. */
  FunctionApp(Components components, Supplier<DeadLetterHub> deadLetter) {
    this.components = components;
    this.deadLetter = new Lazy<>(deadLetter);
  }

  /** A root builder for {@code env} with the Azure parts (the session in Key Vault). */
  static Components.Builder components(Map<String, String> env) {
    return Components.builder(env).tokenStore(KeyVaultTokenStore::fromEnvironment);
  }

  /** The composition root. */
  Components components() {
    return components;
  }

  PushSettings settings() {
    return components.settings();
  }

  /**
   * The ingest service, opening the sink on first use.
   *
   * @throws RuntimeException when the sink cannot be opened; the next call tries again
   */
  IngestService ingest() {
    return components.ingest();
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
    return components.push();
  }
}
