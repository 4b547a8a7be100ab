package io.deezwatts.cli.viriciti;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The live socket's address, and hiding the API key in anything that is logged or printed. */
final class LiveUrl {
  /** ViriCiti's live socket, used unless {@code DEEZWATTS_VIRICITI_URL} names another. */
  static final String DEFAULT_BASE = "wss://sdk.viriciti.com/api/v2/live";

  static final String URL_VARIABLE = "DEEZWATTS_VIRICITI_URL";
  static final String KEY_VARIABLE = "DEEZWATTS_VIRICITI_API_KEY";

  private static final Pattern KEY_PARAMETER =
      Pattern.compile("([?&]apiKey=)[^&#\\s]*", Pattern.CASE_INSENSITIVE);

  private LiveUrl() {}

  /**
   * The address to connect to: {@code BASE?apiKey=KEY}, plus {@code &initialState=true} when asked.
   *
   * @param base {@code ws://} or {@code wss://} address, possibly with a query of its own
   * @throws IllegalArgumentException when the base is not a WebSocket URL or the key is empty
   */
  static URI build(String base, String apiKey, boolean initialState) {
    if (apiKey == null || apiKey.isBlank()) {
      throw new IllegalArgumentException("the ViriCiti API key is empty; set " + KEY_VARIABLE);
    }
    String b = base == null || base.isBlank() ? DEFAULT_BASE : base.trim();
    if (!(b.startsWith("ws://") || b.startsWith("wss://"))) {
      throw new IllegalArgumentException(
          URL_VARIABLE + " must be a ws:// or wss:// URL, got '" + b + "'");
    }
    String sep = b.contains("?") ? "&" : "?";
    String url =
        b
            + sep
            + "apiKey="
            + URLEncoder.encode(apiKey.trim(), StandardCharsets.UTF_8)
            + (initialState ? "&initialState=true" : "");
    try {
      return URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          URL_VARIABLE + " is not a valid URL: " + redact(e.getMessage(), apiKey), e);
    }
  }

  /**
   * Text safe to log: every {@code apiKey=} query value and every occurrence of the key itself (raw
   * or URL-encoded) replaced by {@code ***}.
   */
  static String redact(String text, String apiKey) {
    if (text == null) {
      return null;
    }
    String out = KEY_PARAMETER.matcher(text).replaceAll("$1***");
    if (apiKey != null && !apiKey.isBlank()) {
      String k = apiKey.trim();
      out = out.replace(k, "***");
      String encoded = URLEncoder.encode(k, StandardCharsets.UTF_8);
      if (!encoded.equals(k)) {
        out = out.replace(encoded, "***");
      }
    }
    return out;
  }
}
