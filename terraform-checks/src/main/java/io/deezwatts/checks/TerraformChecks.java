package io.deezwatts.checks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of the terraform configuration against the code, with no provider and no cloud account.
 * Each check returns the problems it found, one readable sentence each (file, block, what is wrong,
 * what to do); an empty list means it passed.
 */
public final class TerraformChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A setting name as the functions read it. */
  public static final Pattern SETTING = Pattern.compile("DEEZWATTS_[A-Z0-9_]*[A-Z0-9]");

  /** An app setting that disables one Azure function. */
  public static final Pattern DISABLED_FUNCTION =
      Pattern.compile("AzureWebJobs\\.([A-Za-z0-9_]+)\\.Disabled");

  private static final Pattern VAR = Pattern.compile("(?<![\\w.])var\\.([A-Za-z_][\\w-]*)");
  private static final Pattern LOCAL = Pattern.compile("(?<![\\w.])local\\.([A-Za-z_][\\w-]*)");
  private static final Pattern MODULE = Pattern.compile("(?<![\\w.])module\\.([A-Za-z_][\\w-]*)");
  private static final Pattern DATA =
      Pattern.compile("(?<![\\w.])data\\.([A-Za-z_][\\w-]*)\\.([A-Za-z_][\\w-]*)");
  private static final Pattern RESOURCE =
      Pattern.compile(
          "(?<![\\w.])((?:google|azurerm|azuread|random|archive)_[a-z0-9_]+|terraform_data)"
              + "\\.([A-Za-z_][\\w-]*)");
  private static final Pattern FILE_CALL =
      Pattern.compile(
          "\\b(?:file|filemd5|filebase64|templatefile)\\(\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  private TerraformChecks() {}

  /** Looks up a function class: null when it exists and suits its trigger, else the problem. */
  @FunctionalInterface
  public interface EntryPoints {
    String problem(String className, boolean eventTriggered);
  }

  // --- 1. parsing ------------------------------------------------------------------------------

  /** Every file parsed: the parser's message (with line and column) for each that did not. */
  public static List<String> parseErrors(Collection<Hcl.Parsed> parsed) {
    List<String> problems = new ArrayList<>();
    for (Hcl.Parsed p : parsed) {
      if (!p.ok()) {
        problems.add(p.file() + " does not parse: " + p.error());
      }
    }
    return problems;
  }

  // --- 2. references and conventions -----------------------------------------------------------

  /**
   * Every {@code var.}, {@code local.}, {@code module.}, {@code data.} and resource reference in a
   * module names something the module declares (what {@code terraform validate} would catch first).
   */
  public static List<String> references(TerraformModule m) {
    Set<String> problems = new LinkedHashSet<>();
    List<JsonNode> bodies = new ArrayList<>();
    for (Map<String, TerraformModule.Block> blocks :
        List.of(m.variables(), m.outputs(), m.modules(), m.resources(), m.data())) {
      blocks.values().forEach(b -> bodies.add(b.body()));
    }
    bodies.addAll(m.locals().values());
    for (JsonNode body : bodies) {
      for (String s : strings(body)) {
        for (String expr : interpolations(s)) {
          missing(VAR, expr, m.variables().keySet(), "variable", m, problems);
          missing(LOCAL, expr, m.locals().keySet(), "local value", m, problems);
          missing(MODULE, expr, m.modules().keySet(), "module", m, problems);
          Matcher d = DATA.matcher(expr);
          while (d.find()) {
            String key = d.group(1) + "." + d.group(2);
            if (!m.data().containsKey(key)) {
              problems.add(m.dir() + ": data." + key + " is referenced but not declared");
            }
          }
          Matcher r = RESOURCE.matcher(expr);
          while (r.find()) {
            String key = r.group(1) + "." + r.group(2);
            if (!m.resources().containsKey(key)) {
              problems.add(m.dir() + ": " + key + " is referenced but not declared");
            }
          }
        }
      }
    }
    return new ArrayList<>(problems);
  }

  private static void missing(
      Pattern p,
      String expr,
      Set<String> declared,
      String what,
      TerraformModule m,
      Set<String> problems) {
    Matcher v = p.matcher(expr);
    while (v.find()) {
      if (!declared.contains(v.group(1))) {
        problems.add(m.dir() + ": " + what + " " + v.group(1) + " is referenced but not declared");
      }
    }
  }

  /**
   * The team's rules for every module: each variable has a type and a description; an {@code
   * outputs.tf} whose outputs have descriptions; versions pinned in {@code required_providers};
   * local module sources exist.
   */
  public static List<String> conventions(TerraformModule m) {
    List<String> problems = new ArrayList<>();
    for (TerraformModule.Block v : m.variables().values()) {
      if (!v.body().has("type")) {
        problems.add(v.file() + ": variable " + v.name() + " has no type");
      }
      if (v.body().path("description").asText("").isBlank()) {
        problems.add(v.file() + ": variable " + v.name() + " has no description");
      }
    }
    if (!Files.isRegularFile(m.dir().resolve("outputs.tf"))) {
      problems.add(m.dir() + " has no outputs.tf");
    }
    for (TerraformModule.Block o : m.outputs().values()) {
      if (o.body().path("description").asText("").isBlank()) {
        problems.add(o.file() + ": output " + o.name() + " has no description");
      }
    }
    if (m.requiredProviders().isEmpty()) {
      problems.add(m.dir() + " declares no required_providers");
    }
    for (JsonNode rp : m.requiredProviders()) {
      rp.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().path("version").asText("").isBlank()) {
                  problems.add(m.dir() + ": provider " + e.getKey() + " has no pinned version");
                }
              });
    }
    for (TerraformModule.Block mod : m.modules().values()) {
      String source = mod.body().path("source").asText("");
      if (source.startsWith("./") || source.startsWith("../")) {
        if (!Files.isDirectory(m.dir().resolve(source).normalize())) {
          problems.add(mod.file() + ": module " + mod.name() + " source " + source + " is missing");
        }
      }
    }
    return problems;
  }

  /**
   * A root's {@code terraform.tfvars.example}: every variable it sets is declared, and every
   * variable without a default is in it.
   */
  public static List<String> tfvarsExample(TerraformModule root, Hcl.Parsed example) {
    List<String> problems = new ArrayList<>();
    if (example == null) {
      return List.of(root.dir() + " has no terraform.tfvars.example");
    }
    if (!example.ok()) {
      return List.of(example.file() + " does not parse: " + example.error());
    }
    Set<String> set = new TreeSet<>();
    example.tree().fieldNames().forEachRemaining(set::add);
    for (String name : set) {
      if (!root.variables().containsKey(name)) {
        problems.add(example.file() + " sets " + name + ", which is not a variable of the root");
      }
    }
    for (TerraformModule.Block v : root.variables().values()) {
      if (!v.body().has("default") && !set.contains(v.name())) {
        problems.add(example.file() + " lacks the required variable " + v.name());
      }
    }
    return problems;
  }

  // --- 3. entry points -------------------------------------------------------------------------

  /**
   * Every Cloud Functions entry point named in a module is a class of the code that implements the
   * interface its trigger needs (HTTP: HttpFunction; event: CloudEventsFunction).
   */
  public static List<String> gcpEntryPoints(TerraformModule m, EntryPoints classes) {
    List<String> problems = new ArrayList<>();
    for (TerraformModule.Block f : m.resources("google_cloudfunctions2_function")) {
      String entry = f.body().path("build_config").path(0).path("entry_point").asText("");
      String where = f.file() + ": google_cloudfunctions2_function." + f.name();
      if (entry.isBlank() || entry.contains("${")) {
        problems.add(where + " needs a literal build_config.entry_point (a class name)");
        continue;
      }
      String problem = classes.problem(entry, f.body().has("event_trigger"));
      if (problem != null) {
        problems.add(where + ": entry point " + entry + " " + problem);
      }
    }
    return problems;
  }

  /**
   * Every Azure function a module names (in {@code AzureWebJobs.<Name>.Disabled} app settings) is a
   * {@code @FunctionName} of the code.
   */
  public static List<String> azureFunctionNames(TerraformModule m, Set<String> functionNames) {
    List<String> problems = new ArrayList<>();
    for (TerraformModule.Block app : m.resources("azurerm_linux_function_app")) {
      for (String key : assigned(m, app.body(), DISABLED_FUNCTION)) {
        Matcher x = DISABLED_FUNCTION.matcher(key);
        if (x.matches() && !functionNames.contains(x.group(1))) {
          problems.add(
              app.file()
                  + ": "
                  + key
                  + " names no function of functions-azure (@FunctionName: "
                  + new TreeSet<>(functionNames)
                  + ")");
        }
      }
    }
    return problems;
  }

  // --- 4. schemas --------------------------------------------------------------------------------

  /**
   * The schemas terraform reads are the generated ones: every file() under a {@code schemas} folder
   * reads {@code schemasDir} and a file the generator writes, and the files equal its output;
   * BigQuery tables take their schema, partitioning and clustering from {@code tables.json} and
   * their schema from its files (never written by hand); every table and {@code _dedup} view
   * tables.json lists is declared.
   *
   * @param modules the modules to search (all of terraform/)
   * @param generated file name => content, as {@code deezwatts schema --write} writes them
   */
  public static List<String> schemas(
      Collection<TerraformModule> modules, Path schemasDir, Map<String, String> generated) {
    List<String> problems = new ArrayList<>();
    Path dir = schemasDir.toAbsolutePath().normalize();
    for (Map.Entry<String, String> g : generated.entrySet()) {
      Path f = dir.resolve(g.getKey());
      try {
        if (!Files.isRegularFile(f) || !Files.readString(f).equals(g.getValue())) {
          problems.add(
              f
                  + " is not what `deezwatts schema --write terraform/schemas` generates; regenerate it");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    JsonNode tablesJson;
    try {
      tablesJson = JSON.readTree(generated.getOrDefault("tables.json", "{}"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> tableNames = new TreeSet<>();
    Set<String> viewNames = new TreeSet<>();
    for (JsonNode t : tablesJson.path("tables")) {
      tableNames.add(t.path("name").asText());
      viewNames.add(t.path("dedup_view").asText());
    }
    Set<String> declaredTables = new TreeSet<>();
    Set<String> declaredViews = new TreeSet<>();
    for (TerraformModule m : modules) {
      problems.addAll(schemaReads(m, dir, generated.keySet()));
      for (TerraformModule.Block t : m.resources("google_bigquery_table")) {
        String where = t.file() + ": google_bigquery_table." + t.name();
        JsonNode b = t.body();
        boolean view = b.has("view");
        boolean overTablesJson = forEachOverTablesJson(m, b, dir);
        String tableId = b.path("table_id").asText("");
        if (b.has("schema")) {
          String schema = b.path("schema").asText("");
          List<String> reads = fileCalls(m, schema);
          if (reads.size() != 1
              || !reads.get(0).equals(dir + "/${each.value.schema_file}")
              || !overTablesJson) {
            problems.add(
                where
                    + ": schema must be file() of terraform/schemas/${each.value.schema_file}"
                    + " with for_each over tables.json, not written here");
          }
        } else if (!view) {
          problems.add(where + " has neither a schema from terraform/schemas nor a view");
        }
        if (overTablesJson) {
          if (view) {
            if (!tableId.equals("${each.value.dedup_view}")) {
              problems.add(where + ": a view over tables.json must be named each.value.dedup_view");
            } else {
              declaredViews.addAll(viewNames);
            }
            if (!b.path("view")
                .path(0)
                .path("query")
                .asText("")
                .contains("PARTITION BY event_key")) {
              problems.add(where + ": the _dedup view must rank rows PARTITION BY event_key");
            }
          } else {
            JsonNode tp = b.path("time_partitioning").path(0);
            if (!tp.path("field").asText("").equals("${each.value.partition_column}")
                || !tp.path("type").asText("").equals("DAY")) {
              problems.add(
                  where + ": partition by DAY on each.value.partition_column (from tables.json)");
            }
            if (!b.path("clustering").asText("").equals("${each.value.clustering}")) {
              problems.add(where + ": clustering must be each.value.clustering (from tables.json)");
            }
            if (!b.has("deletion_protection")
                || b.path("deletion_protection").asText().equals("false")) {
              problems.add(where + ": deletion_protection must be on");
            }
            if (tableId.equals("${each.key}") || tableId.equals("${each.value.name}")) {
              declaredTables.addAll(tableNames);
            }
          }
        } else if (!tableId.isBlank() && !tableId.contains("${")) {
          (view ? declaredViews : declaredTables).add(tableId);
        }
      }
    }
    for (String t : tableNames) {
      if (!declaredTables.contains(t)) {
        problems.add("table " + t + " of tables.json is declared by no google_bigquery_table");
      }
    }
    for (String v : viewNames) {
      if (!declaredViews.contains(v)) {
        problems.add("view " + v + " of tables.json is declared by no google_bigquery_table");
      }
    }
    return problems;
  }

  /** Every file() read under a folder named schemas reads the generated folder's files. */
  private static List<String> schemaReads(TerraformModule m, Path dir, Set<String> generated) {
    List<String> problems = new ArrayList<>();
    List<JsonNode> bodies = new ArrayList<>(m.locals().values());
    m.resources().values().forEach(b -> bodies.add(b.body()));
    m.data().values().forEach(b -> bodies.add(b.body()));
    m.outputs().values().forEach(b -> bodies.add(b.body()));
    for (JsonNode body : bodies) {
      for (String s : strings(body)) {
        for (String path : fileCalls(m, s)) {
          if (!path.contains("schemas")) {
            continue;
          }
          int slash = path.lastIndexOf('/');
          String folder = path.substring(0, slash);
          String name = path.substring(slash + 1);
          if (!folder.equals(dir.toString())) {
            problems.add(m.dir() + " reads " + path + ", outside the generated " + dir);
          } else if (!name.contains("${") && !generated.contains(name)) {
            problems.add(
                m.dir() + " reads " + path + ", which the schema generator does not write");
          } else if (name.contains("${") && !name.equals("${each.value.schema_file}")) {
            problems.add(m.dir() + " reads " + path + ": name schema files by tables.json");
          }
        }
      }
    }
    return problems;
  }

  private static boolean forEachOverTablesJson(TerraformModule m, JsonNode b, Path dir) {
    String forEach = b.path("for_each").asText("");
    Matcher l = LOCAL.matcher(forEach);
    if (!forEach.matches("\\$\\{local\\.[A-Za-z_][\\w-]*}") || !l.find()) {
      return false;
    }
    JsonNode def = m.locals().get(l.group(1));
    if (def == null || !def.isTextual() || def.asText().contains(" if ")) {
      return false;
    }
    return fileCalls(m, def.asText()).contains(dir + "/tables.json");
  }

  /** The paths of file() calls in an expression, with path.module and local paths resolved. */
  static List<String> fileCalls(TerraformModule m, String s) {
    List<String> out = new ArrayList<>();
    for (String expr : interpolations(s)) {
      Matcher f = FILE_CALL.matcher(expr);
      while (f.find()) {
        out.add(resolvePath(m, f.group(1), 0));
      }
    }
    return out;
  }

  private static String resolvePath(TerraformModule m, String path, int depth) {
    String p = path.replace("${path.module}", m.dir().toString());
    Matcher l = Pattern.compile("\\$\\{local\\.([A-Za-z_][\\w-]*)}").matcher(p);
    StringBuilder sb = new StringBuilder();
    while (l.find()) {
      JsonNode def = m.locals().get(l.group(1));
      String value =
          def != null && def.isTextual() && depth < 5
              ? resolvePath(m, def.asText(), depth + 1)
              : l.group();
      l.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    l.appendTail(sb);
    String r = sb.toString();
    int dyn = r.indexOf("${");
    String fixed = dyn < 0 ? r : r.substring(0, dyn);
    int cut = fixed.lastIndexOf('/');
    if (cut <= 0) {
      return r;
    }
    return Path.of(fixed.substring(0, cut)).normalize() + r.substring(cut);
  }

  // --- 5. settings -------------------------------------------------------------------------------

  /**
   * The {@code DEEZWATTS_*} settings the resources of one type in a module set: environment map
   * keys, {@code key}/{@code name} of secret or env blocks, and keys assigned in expressions,
   * following the locals they use.
   */
  public static Set<String> settingsSetBy(TerraformModule m, String resourceType) {
    Set<String> out = new TreeSet<>();
    for (TerraformModule.Block r : m.resources(resourceType)) {
      out.addAll(assigned(m, r.body(), SETTING));
    }
    return out;
  }

  /** Names matching {@code name} that a body (and the locals it uses) assigns. */
  static Set<String> assigned(TerraformModule m, JsonNode body, Pattern name) {
    Set<String> out = new TreeSet<>();
    collect(m, body, name, out, new HashSet<>());
    return out;
  }

  private static void collect(
      TerraformModule m, JsonNode node, Pattern name, Set<String> out, Set<String> seenLocals) {
    Pattern assignment = Pattern.compile("\"?(" + name.pattern() + ")\"?\\s*=(?!=)");
    if (node.isObject()) {
      node.fields()
          .forEachRemaining(
              e -> {
                if (name.matcher(e.getKey()).matches()) {
                  out.add(e.getKey());
                }
                if ((e.getKey().equals("key") || e.getKey().equals("name"))
                    && e.getValue().isTextual()
                    && name.matcher(e.getValue().asText()).matches()) {
                  out.add(e.getValue().asText());
                }
                collect(m, e.getValue(), name, out, seenLocals);
              });
    } else if (node.isArray()) {
      node.forEach(n -> collect(m, n, name, out, seenLocals));
    } else if (node.isTextual()) {
      String s = node.asText();
      for (String expr : interpolations(s)) {
        Matcher a = assignment.matcher(expr);
        while (a.find()) {
          out.add(a.group(1));
        }
        Matcher l = LOCAL.matcher(expr);
        while (l.find()) {
          String local = l.group(1);
          if (seenLocals.add(local) && m.locals().containsKey(local)) {
            collect(m, m.locals().get(local), name, out, seenLocals);
          }
        }
      }
    }
  }

  /**
   * Settings a root must set and may set.
   *
   * @param what e.g. "terraform/gcp (google_cloudfunctions2_function)"
   * @param set what the root's resources set
   * @param required what the code its resources run reads, less the documented exceptions
   * @param readable everything that code reads (a setting outside it is a typo or a leftover)
   */
  public static List<String> settings(
      String what, Set<String> set, Set<String> required, Set<String> readable) {
    List<String> problems = new ArrayList<>();
    for (String s : new TreeSet<>(required)) {
      if (!set.contains(s)) {
        problems.add(
            what
                + " does not set "
                + s
                + ", which the code reads: set it, or list it in"
                + " terraform/settings-not-deployed.txt with the reason");
      }
    }
    for (String s : set) {
      if (!readable.contains(s)) {
        problems.add(what + " sets " + s + ", which no code it runs reads (a typo?)");
      }
    }
    return problems;
  }

  /**
   * The documented exceptions: {@code NAME ROOTS reason} lines, where ROOTS is {@code all}, {@code
   * gcp} or {@code azure} (the roots that do not set it); {@code #} starts a comment.
   *
   * @return name => the roots excused from setting it
   * @throws IllegalArgumentException for an entry without roots or reason, or not a setting name
   */
  public static Map<String, Set<String>> notDeployed(List<String> lines) {
    Map<String, Set<String>> names = new java.util.TreeMap<>();
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+", 3);
      if (!SETTING.matcher(parts[0]).matches()
          || parts.length < 3
          || !Set.of("all", "gcp", "azure").contains(parts[1])
          || parts[2].isBlank()) {
        throw new IllegalArgumentException(
            "settings-not-deployed.txt: '"
                + l
                + "' is not `DEEZWATTS_NAME  all|gcp|azure  reason`");
      }
      names.put(parts[0], parts[1].equals("all") ? Set.of("gcp", "azure") : Set.of(parts[1]));
    }
    return names;
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** Every string value in a tree. */
  static List<String> strings(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.asText());
    } else if (node.isContainerNode()) {
      node.forEach(n -> out.addAll(strings(n)));
    }
    return out;
  }

  /** The expressions inside {@code ${...}} of a string, braces and quotes matched. */
  static List<String> interpolations(String s) {
    List<String> out = new ArrayList<>();
    int i = s.indexOf("${");
    while (i >= 0) {
      int depth = 0;
      boolean quoted = false;
      int j = i + 2;
      for (; j < s.length(); j++) {
        char c = s.charAt(j);
        if (quoted) {
          if (c == '\\') {
            j++;
          } else if (c == '"') {
            quoted = false;
          }
        } else if (c == '"') {
          quoted = true;
        } else if (c == '{') {
          depth++;
        } else if (c == '}') {
          if (depth == 0) {
            break;
          }
          depth--;
        }
      }
      out.add(s.substring(i + 2, Math.min(j, s.length())));
      i = s.indexOf("${", j);
    }
    return out;
  }
}
