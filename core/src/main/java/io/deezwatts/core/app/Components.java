package io.deezwatts.core.app;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.cc.CcSyncEndpoint;
import io.deezwatts.core.cc.StreamOnboarding;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.push.PushEndpoint;
import io.deezwatts.core.push.PushSettings;
import io.deezwatts.core.queue.QueueEndpoint;
import io.deezwatts.core.rivian.FileTokenStore;
import io.deezwatts.core.rivian.RivianPollEndpoint;
import io.deezwatts.core.rivian.TokenStore;
import io.deezwatts.core.sink.Sink;
import io.deezwatts.core.sink.Sinks;
import io.deezwatts.core.util.Lazy;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The composition root every deployment shares (the Google Cloud functions, the Azure Function App,
 * {@code deezwatts serve} through the former): built from the settings, it makes the sink, the
 * {@link IngestService}, the {@link PushEndpoint}, the {@link QueueEndpoint}, the {@link
 * RivianPollEndpoint} and the {@link CcSyncEndpoint} on first use and shares them, one of each per
 * instance. The platform gives only what differs (where the Rivian session is kept); the adapters
 * only translate.
 *
 * <p>Nothing is opened while building: a cold start pays for what its first request needs. What
 * fails while getting ready is thrown by {@link #ingest()} and {@link #push()} (the adapters
 * classify it with {@link io.deezwatts.core.ingest.StartupFailure}); the queue and scheduled
 * endpoints report it as their outcome instead. A failed creation is not kept: the next call tries
 * again.
 */
public final class Components {
  private final Map<String, String> env;
  private final Lazy<PushSettings> settings;
  private final Lazy<Sink> sink;
  private final Lazy<IngestService> ingest;
  private final Lazy<Function<IngestService, PushEndpoint>> pushConfiguration;
  private final Lazy<PushEndpoint> push;
  private final QueueEndpoint queue;
  private final RivianPollEndpoint rivianPoll;
  private final CcSyncEndpoint ccSync;

  private Components(Builder b) {
    this.env = b.env;
    Map<String, String> env = b.env;
    this.settings = new Lazy<>(() -> PushSettings.fromEnvironment(env));
    Supplier<Sink> sinkFactory = b.sink == null ? () -> Sinks.fromEnvironment(env) : b.sink;
    this.sink = new Lazy<>(sinkFactory);
    // Onboarding (off unless DEEZWATTS_CC_AUTO_STREAM_TOPICS is set) runs after a bulk is stored.
    this.ingest =
        new Lazy<>(() -> new IngestService(sink.get(), StreamOnboarding.fromEnvironment(env)));
    this.pushConfiguration = new Lazy<>(() -> PushEndpoint.configured(env));
    this.push = new Lazy<>(() -> pushConfiguration.get().apply(ingest.get()));
    this.queue = new QueueEndpoint(ingest::get, settings::get, Catalog::standard, b.clock);
    Function<Map<String, String>, TokenStore> tokens = b.tokenStore;
    this.rivianPoll = RivianPollEndpoint.configured(env, () -> tokens.apply(env), sink, b.clock);
    this.ccSync = CcSyncEndpoint.configured(env);
  }

  /** A root for {@code env}, with the defaults: the file token store, the sink it names. */
  public static Components of(Map<String, String> env) {
    return builder(env).build();
  }

  /** A builder for {@code env}, whose platform parts may then be given. */
  public static Builder builder(Map<String, String> env) {
    return new Builder(env);
  }

  /** The settings this root was built from. */
  public Map<String, String> env() {
    return env;
  }

  /**
   * The push settings ({@code DEEZWATTS_FEED}, {@code DEEZWATTS_DEADLINE_SECONDS}).
   *
   * @throws io.deezwatts.core.ingest.SettingException naming a malformed setting
   */
  public PushSettings settings() {
    return settings.get();
  }

  /**
   * Reads every setting the push endpoint needs, opening nothing: an HTTP adapter calls it as it
   * starts, so that a misconfigured function fails to start, naming the setting.
   *
   * @throws io.deezwatts.core.ingest.SettingException when {@code DEEZWATTS_HTTP_TOKEN} is unset or
   *     a push setting is malformed
   * @throws IllegalArgumentException naming a malformed signature setting
   */
  public void checkPushSettings() {
    settings();
    pushConfiguration.get();
  }

  /**
   * The sink, opened on first use.
   *
   * @throws io.deezwatts.core.ingest.SettingException naming {@code DEEZWATTS_SINK} when it is
   *     malformed (no retry helps)
   * @throws RuntimeException when it cannot be opened for now (a retry may succeed)
   */
  public Sink sink() {
    return sink.get();
  }

  /**
   * The ingest service over {@link #sink()}, with Connected Cars onboarding when configured.
   *
   * @throws RuntimeException as {@link #sink()}
   */
  public IngestService ingest() {
    return ingest.get();
  }

  /**
   * The push endpoint over {@link #ingest()}.
   *
   * @throws io.deezwatts.core.ingest.SettingException when {@code DEEZWATTS_HTTP_TOKEN} is unset
   * @throws RuntimeException as {@link #sink()}
   */
  public PushEndpoint push() {
    return push.get();
  }

  /**
   * The queue endpoint (Pub/Sub, Event Hubs) over {@link #ingest()}; never throws: a failure to get
   * ready is its outcome.
   */
  public QueueEndpoint queue() {
    return queue;
  }

  /** The scheduled Rivian poll, storing into {@link #sink()}; never throws. */
  public RivianPollEndpoint rivianPoll() {
    return rivianPoll;
  }

  /** The scheduled Connected Cars reconcile; never throws. */
  public CcSyncEndpoint ccSync() {
    return ccSync;
  }

  /** Builds a root; what is not given comes from the settings. */
  public static final class Builder {
    private final Map<String, String> env;
    private Function<Map<String, String>, TokenStore> tokenStore = FileTokenStore::fromEnvironment;
    private Supplier<Sink> sink;
    private Clock clock = Clock.systemUTC();

    private Builder(Map<String, String> env) {
      this.env = Map.copyOf(env);
    }

    /**
     * Where the Rivian session is kept (Secret Manager on Google Cloud, Key Vault on Azure), opened
     * on the first poll; by default the file {@code DEEZWATTS_RIVIAN_TOKEN_FILE}.
     */
    public Builder tokenStore(Function<Map<String, String>, TokenStore> tokenStore) {
      this.tokenStore = Objects.requireNonNull(tokenStore);
      return this;
    }

    /** The sink, made on first use; by default the one {@code DEEZWATTS_SINK} names. */
    public Builder sink(Supplier<Sink> sink) {
      this.sink = Objects.requireNonNull(sink);
      return this;
    }

    /** The clock of scheduled runs and of queue messages' receipt; by default UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public Components build() {
      return new Components(this);
    }
  }
}
