package io.deezwatts.checks;

import static io.deezwatts.checks.TerraformChecksTest.assertReported;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.checks.TerraformChecksTest.Fixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each check fails for a real mistake: a copy of the checked-in terraform with one mistake made,
 * checked as CI checks the original.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TerraformMistakesTest {
  /** One mistake: in {@code file}, {@code from} becomes {@code to}. */
  private record Mistake(String file, String from, String to) {}

  private static final Map<String, Mistake> MISTAKES =
      Map.ofEntries(
          Map.entry(
              "syntax",
              new Mistake(
                  "gcp/outputs.tf", "value       = module.bigquery.dataset_id", "value = ")),
          Map.entry(
              "variable",
              new Mistake("gcp/ingest.tf", "location    = var.region", "location    = var.regoin")),
          Map.entry(
              "resource",
              new Mistake(
                  "azure/functions.tf",
                  "service_plan_id     = azurerm_service_plan.this.id",
                  "service_plan_id     = azurerm_service_plan.main.id")),
          Map.entry(
              "description",
              new Mistake(
                  "azure/variables.tf",
                  "description = \"Azure region, e.g. westeurope.\"",
                  "# no description")),
          Map.entry(
              "entry-point",
              new Mistake(
                  "gcp/scheduled.tf",
                  "\"io.deezwatts.gcp.RivianPollFunction\"",
                  "\"io.deezwatts.gcp.RivianPollerFunction\"")),
          Map.entry(
              "trigger-kind",
              new Mistake(
                  "gcp/ingest.tf",
                  "\"io.deezwatts.gcp.PubSubIngestFunction\"",
                  "\"io.deezwatts.gcp.HttpIngestFunction\"")),
          Map.entry(
              "azure-function",
              new Mistake(
                  "azure/functions.tf",
                  "\"AzureWebJobs.CcSync.Disabled\"",
                  "\"AzureWebJobs.CCSync.Disabled\"")),
          Map.entry(
              "hand-written-schema",
              new Mistake(
                  "modules/bigquery/main.tf",
                  "schema      = file(\"${local.schema_dir}/${each.value.schema_file}\")",
                  "schema      = jsonencode([{ name = \"event_key\", type = \"STRING\" }])")),
          Map.entry(
              "schemas-elsewhere",
              new Mistake(
                  "modules/bigquery/main.tf",
                  "schema_dir = \"${path.module}/../../schemas\"",
                  "schema_dir = \"${path.module}/schemas\"")),
          Map.entry(
              "schema-drift",
              new Mistake("schemas/quarantine.json", "\"name\": \"reason\"", "\"name\": \"why\"")),
          Map.entry(
              "table-left-out",
              new Mistake(
                  "modules/bigquery/main.tf",
                  ".tables : t.name => t }",
                  ".tables : t.name => t if t.name != \"quarantine\" }")),
          Map.entry(
              "partitioning",
              new Mistake(
                  "modules/bigquery/main.tf",
                  "field         = each.value.partition_column",
                  "field = \"time\"")),
          Map.entry(
              "misspelled-setting",
              new Mistake(
                  "gcp/main.tf",
                  "DEEZWATTS_FEED                        = var.default_feed",
                  "DEEZWATTS_FEEDS                       = var.default_feed")),
          Map.entry(
              "dead-letter-alert-too-late",
              new Mistake("gcp/alerts.tf", "duration        = \"300s\"", "duration = \"3600s\"")),
          Map.entry(
              "quarantine-field-renamed",
              new Mistake(
                  "gcp/alerts.tf",
                  "EXTRACT(jsonPayload.quarantined)",
                  "EXTRACT(jsonPayload.quarantine_count)")),
          Map.entry(
              "quarantine-alert-counts-bulks",
              new Mistake("gcp/alerts.tf", "_promql}_sum{", "_promql}_count{")),
          Map.entry(
              "alert-without-channel",
              new Mistake(
                  "gcp/alerts.tf",
                  "notification_channels = local.alert_channels",
                  "notification_channels = []")),
          Map.entry(
              "lost-line-misspelled",
              new Mistake(
                  "azure/alerts.tf",
                  "startswith \\\"LOST unless replayed\\\"",
                  "startswith \\\"LOST\\\"")),
          Map.entry(
              "dead-letter-hub-not-watched",
              new Mistake(
                  "azure/alerts.tf",
                  "values   = [azurerm_eventhub.dead_letter.name]",
                  "values   = [azurerm_eventhub.ingest.name]")),
          Map.entry(
              "secret-setting-left-out",
              new Mistake(
                  "azure/functions.tf",
                  "DEEZWATTS_DEADLETTER_CONNECTION   = local.kv_ref[\"deadletter-send\"]",
                  "")));

  private final Map<String, Fixture> fixtures = new java.util.HashMap<>();
  private final Map<String, Map<Path, Hcl.Parsed>> parsed = new java.util.HashMap<>();

  /** A copy of terraform/ per mistake, all parsed in one node run (node starts slowly). */
  @BeforeAll
  void makeTheMistakes(@TempDir Path tmp) throws IOException {
    Fixture repo = Fixture.repository();
    List<Path> files = new java.util.ArrayList<>();
    for (Map.Entry<String, Mistake> e : MISTAKES.entrySet()) {
      Fixture f = repo.withTerraform(copy(repo.terraform(), tmp.resolve(e.getKey())));
      Mistake m = e.getValue();
      Path file = f.terraform().resolve(m.file());
      String text = Files.readString(file);
      assertTrue(text.contains(m.from()), m.file() + " no longer holds the text this test breaks");
      Files.writeString(
          file,
          text.replaceFirst(
              java.util.regex.Pattern.quote(m.from()),
              java.util.regex.Matcher.quoteReplacement(m.to())));
      fixtures.put(e.getKey(), f);
      files.addAll(f.terraformFiles());
    }
    Map<Path, Hcl.Parsed> all = new Hcl(repo.checksDir()).parse(files);
    fixtures.forEach(
        (name, f) -> {
          Map<Path, Hcl.Parsed> mine = new java.util.LinkedHashMap<>();
          all.forEach(
              (p, r) -> {
                if (p.startsWith(f.terraform())) {
                  mine.put(p, r);
                }
              });
          parsed.put(name, mine);
        });
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.filter(p -> !p.toString().contains("/.terraform")).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }

  private Fixture broken(String mistake) {
    return fixtures.get(mistake);
  }

  private TerraformModule module(String mistake, Path dir) {
    return fixtures.get(mistake).modules(parsed.get(mistake)).get(dir);
  }

  private List<String> schemaProblems(String mistake) {
    Fixture f = fixtures.get(mistake);
    return TerraformChecks.schemas(
        f.modules(parsed.get(mistake)).values(), f.schemas(), f.generatedSchemas());
  }

  @Test
  void aSyntaxErrorIsReportedWithItsLine() {
    assertReported(
        TerraformChecks.parseErrors(parsed.get("syntax").values()),
        "outputs.tf does not parse",
        "Invalid expression");
  }

  @Test
  void anUndeclaredVariableIsReported() {
    assertReported(
        TerraformChecks.references(module("variable", broken("variable").gcp())),
        "variable regoin is referenced but not declared");
  }

  @Test
  void anUndeclaredResourceIsReported() {
    assertReported(
        TerraformChecks.references(module("resource", broken("resource").azure())),
        "azurerm_service_plan.main is referenced but not declared");
  }

  @Test
  void aVariableWithoutDescriptionIsReported() {
    assertReported(
        TerraformChecks.conventions(module("description", broken("description").azure())),
        "variable location has no description");
  }

  @Test
  void aMissingEntryPointClassIsReported() {
    Fixture f = broken("entry-point");
    assertReported(
        TerraformChecks.gcpEntryPoints(module("entry-point", f.gcp()), f.gcpClasses()),
        "google_cloudfunctions2_function.rivian: entry point io.deezwatts.gcp.RivianPollerFunction"
            + " has no source file");
  }

  @Test
  void anHttpClassBehindAPubSubTriggerIsReported() {
    Fixture f = broken("trigger-kind");
    assertReported(
        TerraformChecks.gcpEntryPoints(module("trigger-kind", f.gcp()), f.gcpClasses()),
        "google_cloudfunctions2_function.pubsub",
        "does not implement CloudEventsFunction");
  }

  @Test
  void anAzureFunctionNameNotInTheAppIsReported() throws IOException {
    Fixture f = broken("azure-function");
    assertReported(
        TerraformChecks.azureFunctionNames(
            module("azure-function", f.azure()), f.azureFunctionNames()),
        "AzureWebJobs.CCSync.Disabled names no function");
  }

  @Test
  void aHandWrittenSchemaIsReported() {
    assertReported(
        schemaProblems("hand-written-schema"),
        "google_bigquery_table.table: schema must be file()");
  }

  @Test
  void schemasReadFromElsewhereAreReported() {
    assertReported(schemaProblems("schemas-elsewhere"), "outside the generated");
  }

  @Test
  void aSchemaFileThatDriftedFromTheGeneratorIsReported() {
    assertReported(schemaProblems("schema-drift"), "quarantine.json is not what `deezwatts schema");
  }

  @Test
  void aTableLeftOutIsReported() {
    assertReported(
        schemaProblems("table-left-out"),
        "table quarantine of tables.json is declared by no google_bigquery_table",
        "view quarantine_dedup of tables.json");
  }

  @Test
  void partitioningNotFromTablesJsonIsReported() {
    assertReported(
        schemaProblems("partitioning"), "partition by DAY on each.value.partition_column");
  }

  @Test
  void aMisspelledSettingIsReportedTwice() {
    Fixture f = broken("misspelled-setting");
    Set<String> read = f.settingsRead("core", "functions-gcp");
    assertReported(
        TerraformChecks.settings(
            "terraform/gcp",
            TerraformChecks.settingsSetBy(
                module("misspelled-setting", f.gcp()), "google_cloudfunctions2_function"),
            f.minusNotDeployed(read, "gcp"),
            read),
        "does not set DEEZWATTS_FEED, which the code reads",
        "sets DEEZWATTS_FEEDS, which no code it runs reads");
  }

  @Test
  void aSecretSettingLeftOutIsReported() {
    Fixture f = broken("secret-setting-left-out");
    Set<String> read = f.settingsRead("core", "functions-azure");
    assertReported(
        TerraformChecks.settings(
            "terraform/azure",
            TerraformChecks.settingsSetBy(
                module("secret-setting-left-out", f.azure()), "azurerm_linux_function_app"),
            f.minusNotDeployed(read, "azure"),
            read),
        "does not set DEEZWATTS_DEADLETTER_CONNECTION");
  }

  @Test
  void anUndocumentedExceptionIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TerraformChecks.notDeployed(List.of("# fine", "DEEZWATTS_SINK  gcp")));
    assertTrue(e.getMessage().contains("DEEZWATTS_SINK"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> TerraformChecks.notDeployed(List.of("DEEZWATTS_SINK  everywhere  a reason")));
    assertEquals(
        Map.of("DEEZWATTS_SINK", Set.of("azure")),
        TerraformChecks.notDeployed(List.of("DEEZWATTS_SINK  azure  set elsewhere")));
  }

  @Test
  void aMissingParserSaysHowToInstallIt(@TempDir Path tmp) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> new Hcl(tmp).checkInstalled());
    assertTrue(e.getMessage().contains("npm ci"), e.getMessage());
  }

  @Test
  void missingOrMisconfiguredAlertsAreReported() {
    Fixture f = Fixture.repository();
    Set<String> core = f.literals("core", "functions-gcp");
    Set<String> azure = f.literals("core", "functions-azure");
    assertReported(
        Alerts.gcp(
            module("dead-letter-alert-too-late", broken("dead-letter-alert-too-late").gcp()), core),
        "undelivered messages above 0 for 300s");
    assertReported(
        Alerts.gcp(
            module("quarantine-field-renamed", broken("quarantine-field-renamed").gcp()), core),
        "no DISTRIBUTION google_logging_metric with value_extractor EXTRACT(jsonPayload.quarantined)");
    assertReported(
        Alerts.gcp(
            module("quarantine-alert-counts-bulks", broken("quarantine-alert-counts-bulks").gcp()),
            core),
        "no PromQL alert on the rate of ${local.quarantined_events_promql}_sum");
    assertReported(
        Alerts.gcp(module("alert-without-channel", broken("alert-without-channel").gcp()), core),
        "does not notify local.alert_channels");
    assertReported(
        Alerts.azure(module("lost-line-misspelled", broken("lost-line-misspelled").azure()), azure),
        "'LOST unless replayed' log line");
    assertReported(
        Alerts.azure(
            module("dead-letter-hub-not-watched", broken("dead-letter-hub-not-watched").azure()),
            azure),
        "incoming messages of the dead-letter hub");
  }
}
