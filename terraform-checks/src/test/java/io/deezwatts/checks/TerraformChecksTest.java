package io.deezwatts.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.cloud.functions.CloudEventsFunction;
import com.google.cloud.functions.HttpFunction;
import com.microsoft.azure.functions.annotation.FunctionName;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.schema.BigQuerySchemas;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The checked-in terraform against the code: the checks CI runs in place of {@code terraform
 * validate}, which needs providers that cannot be downloaded here. {@link TerraformMistakesTest}
 * shows that each check fails for a real mistake.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TerraformChecksTest {
  private Fixture repo;
  private Map<Path, TerraformModule> modules;
  private Map<Path, Hcl.Parsed> parsed;

  @BeforeAll
  void parseEverything() throws IOException {
    repo = Fixture.repository();
    parsed = repo.parseAll();
    modules = repo.modules(parsed);
  }

  @Test
  void everyTerraformFileParses() {
    assertTrue(parsed.size() >= 10, "found the terraform files: " + parsed.keySet());
    assertEquals(List.of(), TerraformChecks.parseErrors(parsed.values()));
  }

  @Test
  void everyReferenceIsDeclared() {
    List<String> problems = new ArrayList<>();
    modules.values().forEach(m -> problems.addAll(TerraformChecks.references(m)));
    assertEquals(List.of(), problems);
  }

  @Test
  void everyModuleFollowsTheConventions() {
    assertEquals(Set.of(repo.gcp(), repo.azure(), repo.bigqueryModule()), modules.keySet());
    List<String> problems = new ArrayList<>();
    modules.values().forEach(m -> problems.addAll(TerraformChecks.conventions(m)));
    for (Path root : List.of(repo.gcp(), repo.azure())) {
      problems.addAll(
          TerraformChecks.tfvarsExample(
              modules.get(root), parsed.get(root.resolve("terraform.tfvars.example"))));
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void everyGcpEntryPointIsAFunctionClassOfItsKind() {
    TerraformModule gcp = modules.get(repo.gcp());
    assertEquals(
        4, gcp.resources("google_cloudfunctions2_function").size(), "the four GCP functions");
    assertEquals(List.of(), TerraformChecks.gcpEntryPoints(gcp, repo.gcpClasses()));
  }

  @Test
  void everyAzureFunctionNamedIsAFunctionOfTheApp() throws IOException {
    TerraformModule azure = modules.get(repo.azure());
    Set<String> named = new TreeSet<>();
    for (var app : azure.resources("azurerm_linux_function_app")) {
      TerraformChecks.assigned(azure, app.body(), TerraformChecks.DISABLED_FUNCTION)
          .forEach(k -> named.add(k));
    }
    assertEquals(Set.of("AzureWebJobs.CcSync.Disabled", "AzureWebJobs.RivianPoll.Disabled"), named);
    assertEquals(List.of(), TerraformChecks.azureFunctionNames(azure, repo.azureFunctionNames()));
  }

  @Test
  void terraformReadsExactlyTheGeneratedSchemasAndDeclaresEveryTable() {
    assertEquals(
        List.of(),
        TerraformChecks.schemas(modules.values(), repo.schemas(), repo.generatedSchemas()));
  }

  @Test
  void theGcpRootSetsEverySettingTheGcpFunctionsRead() {
    TerraformModule gcp = modules.get(repo.gcp());
    Set<String> read = repo.settingsRead("core", "functions-gcp");
    assertTrue(
        read.contains("DEEZWATTS_SINK") && read.contains("DEEZWATTS_RIVIAN_SECRET"), "" + read);
    Set<String> set = TerraformChecks.settingsSetBy(gcp, "google_cloudfunctions2_function");
    assertEquals(
        List.of(),
        TerraformChecks.settings(
            "terraform/gcp (functions)", set, repo.minusNotDeployed(read, "gcp"), read));
  }

  @Test
  void theViricitiBridgeSetsOnlySettingsTheCliReads() {
    TerraformModule gcp = modules.get(repo.gcp());
    Set<String> set = TerraformChecks.settingsSetBy(gcp, "google_cloud_run_v2_worker_pool");
    assertEquals(
        Set.of("DEEZWATTS_SINK", "DEEZWATTS_VIRICITI_API_KEY", "DEEZWATTS_VIRICITI_URL"), set);
    assertEquals(
        List.of(),
        TerraformChecks.settings(
            "terraform/gcp (bridge)", set, Set.of(), repo.settingsRead("core", "cli")));
  }

  @Test
  void theAzureRootSetsEverySettingTheAzureFunctionsRead() {
    TerraformModule azure = modules.get(repo.azure());
    Set<String> read = repo.settingsRead("core", "functions-azure");
    assertTrue(read.contains("DEEZWATTS_EVENTHUB_CONNECTION"), "" + read);
    Set<String> set = TerraformChecks.settingsSetBy(azure, "azurerm_linux_function_app");
    assertEquals(
        List.of(),
        TerraformChecks.settings(
            "terraform/azure (Function App)", set, repo.minusNotDeployed(read, "azure"), read));
  }

  @Test
  void theGcpRootAlertsOnDeadLettersFunctionErrorsAndQuarantinedEvents() {
    assertEquals(
        List.of(), Alerts.gcp(modules.get(repo.gcp()), repo.literals("core", "functions-gcp")));
  }

  @Test
  void theAzureRootAlertsOnDeadLettersLostBulksAndFailedInvocations() {
    assertEquals(
        List.of(),
        Alerts.azure(modules.get(repo.azure()), repo.literals("core", "functions-azure")));
  }

  @Test
  void theExceptionsAreDocumentedAndStillRead() throws IOException {
    Set<String> exceptions = repo.notDeployed().keySet();
    assertTrue(exceptions.contains("DEEZWATTS_RIVIAN_TOKEN_FILE"), "" + exceptions);
    Set<String> readAnywhere = repo.settingsRead("core", "functions-gcp", "functions-azure", "cli");
    assertEquals(
        Set.of(),
        exceptions.stream()
            .filter(e -> !readAnywhere.contains(e))
            .collect(java.util.stream.Collectors.toSet()),
        "settings-not-deployed.txt lists settings no code reads any more: remove them");
  }

  @Test
  void theSettingsScanSeesLiteralsNotComments() {
    assertEquals(
        List.of("DEEZWATTS_A %DEEZWATTS_B%", "x\\\"DEEZWATTS_C", "\nDEEZWATTS_E\n"),
        JavaSettings.literals(
            "// DEEZWATTS_X\n/* \"DEEZWATTS_Y\" */ String a = \"DEEZWATTS_A %DEEZWATTS_B%\";"
                + " char q = '\"'; String b = \"x\\\\\\\"DEEZWATTS_C\"; /** {@code DEEZWATTS_D} */"
                + " String t = \"\"\"\nDEEZWATTS_E\n\"\"\";"));
  }

  /** The repository (or a copy of its terraform) and what the checks compare it with. */
  record Fixture(Path root, Path terraform, Path checksDir) {
    static Fixture repository() {
      Path root = Path.of(System.getProperty("deezwatts.root", "..")).toAbsolutePath().normalize();
      Path checks =
          Path.of(
              System.getProperty(
                  "deezwatts.checks.dir", root.resolve("terraform-checks").toString()));
      return new Fixture(root, root.resolve("terraform"), checks);
    }

    Fixture withTerraform(Path copy) {
      return new Fixture(root, copy, checksDir);
    }

    Path gcp() {
      return terraform.resolve("gcp");
    }

    Path azure() {
      return terraform.resolve("azure");
    }

    Path bigqueryModule() {
      return terraform.resolve("modules/bigquery");
    }

    Path schemas() {
      return terraform.resolve("schemas");
    }

    /** Every .tf file and each root's terraform.tfvars.example, parsed in one node run. */
    Map<Path, Hcl.Parsed> parseAll() throws IOException {
      return new Hcl(checksDir).parse(terraformFiles());
    }

    List<Path> terraformFiles() throws IOException {
      try (Stream<Path> s = Files.walk(terraform)) {
        return s.filter(p -> p.toString().endsWith(".tf") || p.endsWith("terraform.tfvars.example"))
            .filter(p -> !p.toString().contains("/.terraform/"))
            .sorted()
            .toList();
      }
    }

    Map<Path, TerraformModule> modules(Map<Path, Hcl.Parsed> parsed) {
      Map<Path, List<Hcl.Parsed>> byDir = new LinkedHashMap<>();
      parsed.forEach(
          (f, p) -> {
            if (f.toString().endsWith(".tf")) {
              byDir.computeIfAbsent(f.getParent(), d -> new ArrayList<>()).add(p);
            }
          });
      Map<Path, TerraformModule> out = new LinkedHashMap<>();
      byDir.forEach((d, ps) -> out.put(d, TerraformModule.of(d, ps)));
      return out;
    }

    Map<String, String> generatedSchemas() {
      return BigQuerySchemas.files(Catalog.standard());
    }

    /** Source file in functions-gcp, compiled class on the classpath, interface of its trigger. */
    TerraformChecks.EntryPoints gcpClasses() {
      return (name, eventTriggered) -> {
        Path source =
            root.resolve("functions-gcp/src/main/java/" + name.replace('.', '/') + ".java");
        if (!Files.isRegularFile(source)) {
          return "has no source file " + root.relativize(source);
        }
        Class<?> c;
        try {
          c = Class.forName(name, false, TerraformChecksTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          return "is not a compiled class of functions-gcp";
        }
        Class<?> needed = eventTriggered ? CloudEventsFunction.class : HttpFunction.class;
        if (!needed.isAssignableFrom(c)) {
          return "does not implement "
              + needed.getSimpleName()
              + (eventTriggered ? " (the function has an event_trigger)" : " (an HTTP function)");
        }
        return null;
      };
    }

    /** The @FunctionName of every method of every functions-azure class. */
    Set<String> azureFunctionNames() throws IOException {
      Path src = root.resolve("functions-azure/src/main/java");
      Set<String> names = new TreeSet<>();
      try (Stream<Path> s = Files.walk(src)) {
        for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
          String cls = src.relativize(f).toString().replace('/', '.').replaceAll("\\.java$", "");
          if (cls.endsWith("package-info")) {
            continue;
          }
          Class<?> c;
          try {
            c = Class.forName(cls, false, TerraformChecksTest.class.getClassLoader());
          } catch (ClassNotFoundException e) {
            throw new AssertionError(cls + " is not compiled: build functions-azure first", e);
          }
          for (Method m : c.getDeclaredMethods()) {
            FunctionName n = m.getAnnotation(FunctionName.class);
            if (n != null) {
              names.add(n.value());
            }
          }
        }
      }
      return names;
    }

    Set<String> settingsRead(String... modules) {
      List<Path> roots = new ArrayList<>();
      for (String m : modules) {
        roots.add(root.resolve(m).resolve("src/main/java"));
      }
      return JavaSettings.read(roots);
    }

    /** Every string literal of the given modules' main sources. */
    Set<String> literals(String... modules) {
      Set<String> out = new TreeSet<>();
      for (String m : modules) {
        try (Stream<Path> s = Files.walk(root.resolve(m).resolve("src/main/java"))) {
          for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
            out.addAll(JavaSettings.literals(Files.readString(f)));
          }
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
      return out;
    }

    Map<String, Set<String>> notDeployed() throws IOException {
      return TerraformChecks.notDeployed(
          Files.readAllLines(terraform.resolve("settings-not-deployed.txt")));
    }

    /** What a root must set: what its code reads, less what the exceptions file excuses. */
    Set<String> minusNotDeployed(Set<String> read, String root) {
      Set<String> out = new TreeSet<>(read);
      try {
        notDeployed()
            .forEach(
                (name, roots) -> {
                  if (roots.contains(root)) {
                    out.remove(name);
                  }
                });
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return out;
    }
  }

  static void assertReported(List<String> problems, String... fragments) {
    assertFalse(problems.isEmpty(), "the mistake was not reported");
    for (String f : fragments) {
      assertTrue(
          problems.stream().anyMatch(p -> p.contains(f)),
          "no problem mentions '" + f + "': " + problems);
    }
  }
}
