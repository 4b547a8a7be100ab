package io.deezwatts.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One adapter contract case, read from {@code contract/NAME.json} on the class path (see {@code
 * contract/README.md}): what is given, and the requests with the platform-neutral answer each must
 * get.
 *
 * @param name the file's name without {@code .json}
 * @param job {@code push}, {@code queue}, {@code rivian-poll} or {@code cc-sync}
 * @param settings added to the base settings, before placeholders are replaced
 * @param given the stand-ins' state ({@code session}, {@code rivian}, {@code cc})
 * @param steps the requests in order
 */
public record ContractCase(
    String name, String job, Map<String, String> settings, JsonNode given, List<Step> steps) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request and what it must get.
   *
   * @param request for a push, {@code method}, {@code path}, {@code headers}, {@code body} or
   *     {@code bodyFile}; for a queue message, {@code body} or {@code bodyFile}, {@code attributes}
   *     and {@code messageId}; empty for a scheduled job
   * @param expect {@code http}, {@code timer}, {@code queue}, {@code fields}, {@code log}, {@code
   *     never}, {@code rows}, {@code streams}
   */
  public record Step(JsonNode request, JsonNode expect) {}

  /** Every case {@code contract/cases.txt} lists, in its order. */
  public static List<ContractCase> all() {
    List<ContractCase> cases = new ArrayList<>();
    for (String line : resource("contract/cases.txt").split("\n")) {
      if (!line.isBlank()) {
        cases.add(read(line.trim()));
      }
    }
    return cases;
  }

  /** The case in {@code contract/FILE}. */
  public static ContractCase read(String file) {
    try {
      JsonNode root = JSON.readTree(resource("contract/" + file));
      Map<String, String> settings = new LinkedHashMap<>();
      root.path("settings")
          .properties()
          .forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
      List<Step> steps = new ArrayList<>();
      for (JsonNode s : root.path("steps")) {
        steps.add(new Step(s.path("request"), s.path("expect")));
      }
      return new ContractCase(
          file.replaceAll("\\.json$", ""),
          root.path("job").asText(),
          Map.copyOf(settings),
          root.path("given"),
          List.copyOf(steps));
    } catch (IOException e) {
      throw new UncheckedIOException(file, e);
    }
  }

  private static String resource(String name) {
    try (InputStream in = ContractCase.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
