package io.deezwatts.core.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The schema files terraform reads and the event reference are generated from the catalog and
 * checked in; this fails when they drift. Regenerate with {@code ./deezwatts schema --write
 * terraform/schemas --docs docs/EVENTS.md}.
 */
class GeneratedFilesTest {
  private static final String REGENERATE =
      " is out of date; run: ./deezwatts schema --write terraform/schemas --docs docs/EVENTS.md";

  private static Path root() {
    return Path.of(System.getProperty("deezwatts.root", "..")).toAbsolutePath().normalize();
  }

  @Test
  void schemaFilesMatchTheCatalog() throws IOException {
    Path dir = root().resolve("terraform/schemas");
    Map<String, String> generated = BigQuerySchemas.files(Catalog.standard());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          new TreeSet<>(generated.keySet()),
          files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
          "terraform/schemas holds exactly the generated files");
    }
    for (Map.Entry<String, String> f : generated.entrySet()) {
      assertEquals(
          f.getValue(), Files.readString(dir.resolve(f.getKey())), f.getKey() + REGENERATE);
    }
  }

  @Test
  void eventReferenceMatchesTheCatalog() throws IOException {
    assertEquals(
        EventReference.markdown(Catalog.standard()),
        Files.readString(root().resolve("docs/EVENTS.md")),
        "docs/EVENTS.md" + REGENERATE);
  }

  @Test
  void everyTableHasTheIngestColumnsAndAPartitionColumn() {
    for (var t : Catalog.standard().tables()) {
      String json = BigQuerySchemas.schemaJson(t);
      assertTrue(json.contains("\"name\": \"received_at\""), t.name());
      assertTrue(json.contains("\"name\": \"event_key\""), t.name());
      assertTrue(json.contains("\"name\": \"" + t.partitionColumn() + "\""), t.name());
    }
  }
}
