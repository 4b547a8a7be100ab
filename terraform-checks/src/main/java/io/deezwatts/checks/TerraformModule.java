package io.deezwatts.checks;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One terraform module (a directory's {@code .tf} files) as {@code hcl2json} renders it: blocks by
 * kind and name, each block's body a JSON object whose attribute values are literals or {@code
 * "${expression}"} strings.
 */
public final class TerraformModule {
  /** A named block ({@code resource "type" "name"}, {@code variable "name"}, ...) and its file. */
  public record Block(String type, String name, JsonNode body, Path file) {}

  private final Path dir;
  private final List<Path> files = new ArrayList<>();
  private final Map<String, Block> variables = new LinkedHashMap<>();
  private final Map<String, Block> outputs = new LinkedHashMap<>();
  private final Map<String, Block> modules = new LinkedHashMap<>();
  private final Map<String, Block> resources = new LinkedHashMap<>();
  private final Map<String, Block> data = new LinkedHashMap<>();
  private final Map<String, JsonNode> locals = new LinkedHashMap<>();
  private final List<JsonNode> requiredProviders = new ArrayList<>();

  private TerraformModule(Path dir) {
    this.dir = dir;
  }

  /** The module in {@code dir}, from the parsed trees of its {@code .tf} files. */
  public static TerraformModule of(Path dir, List<Hcl.Parsed> parsed) {
    TerraformModule m = new TerraformModule(dir);
    for (Hcl.Parsed p : parsed) {
      m.files.add(p.file());
      JsonNode t = p.tree();
      if (t == null) {
        continue;
      }
      named(t.path("variable"), p.file(), "variable", m.variables);
      named(t.path("output"), p.file(), "output", m.outputs);
      named(t.path("module"), p.file(), "module", m.modules);
      typed(t.path("resource"), p.file(), m.resources);
      typed(t.path("data"), p.file(), m.data);
      for (JsonNode l : t.path("locals")) {
        l.fields().forEachRemaining(e -> m.locals.put(e.getKey(), e.getValue()));
      }
      for (JsonNode tf : t.path("terraform")) {
        for (JsonNode rp : tf.path("required_providers")) {
          m.requiredProviders.add(rp);
        }
      }
    }
    return m;
  }

  private static void named(JsonNode kind, Path file, String type, Map<String, Block> into) {
    kind.fields()
        .forEachRemaining(
            e -> {
              for (JsonNode body : e.getValue()) {
                into.put(e.getKey(), new Block(type, e.getKey(), body, file));
              }
            });
  }

  private static void typed(JsonNode kind, Path file, Map<String, Block> into) {
    for (Iterator<Map.Entry<String, JsonNode>> types = kind.fields(); types.hasNext(); ) {
      Map.Entry<String, JsonNode> type = types.next();
      type.getValue()
          .fields()
          .forEachRemaining(
              e -> {
                for (JsonNode body : e.getValue()) {
                  into.put(
                      type.getKey() + "." + e.getKey(),
                      new Block(type.getKey(), e.getKey(), body, file));
                }
              });
    }
  }

  public Path dir() {
    return dir;
  }

  public List<Path> files() {
    return files;
  }

  public Map<String, Block> variables() {
    return variables;
  }

  public Map<String, Block> outputs() {
    return outputs;
  }

  public Map<String, Block> modules() {
    return modules;
  }

  /** Resources by {@code type.name}. */
  public Map<String, Block> resources() {
    return resources;
  }

  /** Data sources by {@code type.name}. */
  public Map<String, Block> data() {
    return data;
  }

  public Map<String, JsonNode> locals() {
    return locals;
  }

  /** The {@code required_providers} blocks: provider name => {source, version}. */
  public List<JsonNode> requiredProviders() {
    return requiredProviders;
  }

  /** Resources of one type. */
  public List<Block> resources(String type) {
    return resources.values().stream().filter(b -> b.type().equals(type)).toList();
  }
}
