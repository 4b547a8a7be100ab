package io.deezwatts.core.cc;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How to reach Connected Cars' GraphQL API, read from {@code DEEZWATTS_CC_*} settings (the process
 * environment, a function's app settings).
 *
 * @param account the service account (from {@link #SERVICE_ACCOUNT}: the file's content or path)
 * @param namespace the organization namespace sent as {@code x-organization-namespace}
 * @param apiEndpoint the GraphQL URL ({@link #API_ENDPOINT}, default {@link #DEFAULT_API_ENDPOINT})
 * @param authEndpoint the URL tokens come from ({@link #AUTH_ENDPOINT}, default the file's {@code
 *     aud})
 * @param autoStreamTopics the integration topics that consenting vehicles get streams for ({@link
 *     #AUTO_STREAM_TOPICS}); empty when unset
 */
public record CcSettings(
    ServiceAccount account,
    String namespace,
    URI apiEndpoint,
    URI authEndpoint,
    List<Long> autoStreamTopics) {
  public static final String SERVICE_ACCOUNT = "DEEZWATTS_CC_SERVICE_ACCOUNT";
  public static final String NAMESPACE = "DEEZWATTS_CC_NAMESPACE";
  public static final String API_ENDPOINT = "DEEZWATTS_CC_API_ENDPOINT";
  public static final String AUTH_ENDPOINT = "DEEZWATTS_CC_AUTH_ENDPOINT";
  public static final String AUTO_STREAM_TOPICS = "DEEZWATTS_CC_AUTO_STREAM_TOPICS";

  public static final String DEFAULT_API_ENDPOINT = "https://api.connectedcars.io/graphql";

  public CcSettings {
    autoStreamTopics = List.copyOf(autoStreamTopics);
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the variable that is missing or malformed (the service
   *     account unreadable, the namespace unset, an endpoint not an http(s) URL, a topic not a
   *     number); retrying cannot help until the configuration is fixed
   */
  public static CcSettings fromEnvironment(Map<String, String> env) {
    ServiceAccount account = ServiceAccount.fromSetting(SERVICE_ACCOUNT, env.get(SERVICE_ACCOUNT));
    String namespace = env.get(NAMESPACE);
    if (namespace == null || namespace.isBlank()) {
      throw new IllegalArgumentException(
          NAMESPACE + " is not set: give the organization namespace Connected Cars told you");
    }
    URI api = url(env, API_ENDPOINT, DEFAULT_API_ENDPOINT);
    URI auth = url(env, AUTH_ENDPOINT, account.audience().toString());
    return new CcSettings(account, namespace.trim(), api, auth, topics(env));
  }

  /**
   * The topics in {@link #AUTO_STREAM_TOPICS} (comma- or space-separated integration topic ids).
   *
   * @return empty when unset or blank
   * @throws IllegalArgumentException when an entry is not a positive integer
   */
  public static List<Long> topics(Map<String, String> env) {
    return parseTopics(env.get(AUTO_STREAM_TOPICS), AUTO_STREAM_TOPICS);
  }

  static List<Long> parseTopics(String value, String variable) {
    List<Long> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    for (String part : value.split("[,\\s]+")) {
      if (part.isEmpty()) {
        continue;
      }
      long id;
      try {
        id = Long.parseLong(part);
      } catch (NumberFormatException e) {
        id = -1;
      }
      if (id <= 0) {
        throw new IllegalArgumentException(
            variable + ": '" + part + "' is not an integration topic id (a positive integer)");
      }
      if (!out.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  private static URI url(Map<String, String> env, String variable, String fallback) {
    String v = env.get(variable);
    String s = v == null || v.isBlank() ? fallback : v.trim();
    URI u;
    try {
      u = URI.create(s);
    } catch (IllegalArgumentException e) {
      u = null;
    }
    if (u == null
        || u.getHost() == null
        || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()))) {
      throw new IllegalArgumentException(variable + " must be an http(s) URL, not '" + s + "'");
    }
    return u;
  }
}
