package io.deezwatts.core.push;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.sink.Sinks;
import java.time.Duration;
import java.util.Map;

/**
 * The settings the function adapters read from the environment, in one place so both clouds read
 * them alike. See the README's configuration table.
 *
 * @param sinkUri where bulks are stored ({@code DEEZWATTS_SINK})
 * @param defaultFeed the feed for a push to the root path or a message without a {@code feed}
 *     attribute ({@code DEEZWATTS_FEED}, default {@code data-streams})
 * @param deadline how long storing a bulk may take, retries included ({@code
 *     DEEZWATTS_DEADLINE_SECONDS}, default 50, under the functions' 60 s timeout)
 */
public record PushSettings(String sinkUri, String defaultFeed, Duration deadline) {
  public static final String HTTP_TOKEN = "DEEZWATTS_HTTP_TOKEN";
  public static final String FEED = "DEEZWATTS_FEED";
  public static final String DEADLINE_SECONDS = "DEEZWATTS_DEADLINE_SECONDS";
  public static final String SIGNATURE_KEYS = "DEEZWATTS_SIGNATURE_PUBLIC_KEYS";
  public static final String SIGNATURE_TOLERANCE_SECONDS = "DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS";

  /**
   * Reads the settings.
   *
   * @throws SettingException naming the variable when a value is malformed or names no feed: a
   *     configuration error no retry fixes, found before a bulk is read
   */
  public static PushSettings fromEnvironment(Map<String, String> env) {
    String feed = env.getOrDefault(FEED, "data-streams").trim();
    Catalog catalog = Catalog.standard();
    if (!catalog.hasFeed(feed)) {
      throw new SettingException(
          FEED,
          FEED
              + " names no feed: '"
              + feed
              + "'; use one of "
              + String.join(", ", catalog.feeds().stream().map(Feed::name).sorted().toList()),
          null);
    }
    long seconds;
    try {
      seconds = Long.parseLong(env.getOrDefault(DEADLINE_SECONDS, "50").trim());
    } catch (NumberFormatException e) {
      throw new SettingException(
          DEADLINE_SECONDS, DEADLINE_SECONDS + " must be a whole number of seconds", e);
    }
    if (seconds < 1) {
      throw new SettingException(DEADLINE_SECONDS, DEADLINE_SECONDS + " must be at least 1", null);
    }
    return new PushSettings(Sinks.uriFrom(env), feed, Duration.ofSeconds(seconds));
  }

  /**
   * The HTTP push secret.
   *
   * @throws SettingException when it is unset: a deployed push endpoint refuses to start without
   *     one
   */
  public static String httpToken(Map<String, String> env) {
    String token = env.get(HTTP_TOKEN);
    if (token == null || token.isBlank()) {
      throw new SettingException(
          HTTP_TOKEN,
          HTTP_TOKEN + " is not set: the push endpoint refuses to start without a secret",
          null);
    }
    return token;
  }
}
