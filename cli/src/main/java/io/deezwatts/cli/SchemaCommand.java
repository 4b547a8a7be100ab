package io.deezwatts.cli;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.schema.BigQuerySchemas;
import io.deezwatts.core.schema.EventReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code deezwatts schema}: prints or writes the BigQuery schemas generated from the catalog. */
@Command(
    name = "schema",
    mixinStandardHelpOptions = true,
    description = {
      "Print the BigQuery table schemas generated from the event catalog.",
      "With --write DIR, write <table>.json and tables.json there (terraform/schemas);",
      "with --docs FILE, write the event reference (docs/EVENTS.md)."
    })
final class SchemaCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--table", paramLabel = "TABLE", description = "Print only this table's schema.")
  String table;

  @Option(names = "--write", paramLabel = "DIR", description = "Write the schema files into DIR.")
  Path writeDir;

  @Option(names = "--docs", paramLabel = "FILE", description = "Write the event reference to FILE.")
  Path docs;

  @Override
  public Integer call() throws IOException {
    Catalog catalog = Catalog.standard();
    var out = spec.commandLine().getOut();
    if (writeDir == null && docs == null) {
      if (table != null) {
        try {
          out.print(BigQuerySchemas.schemaJson(catalog.table(table)));
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
      } else {
        for (Map.Entry<String, String> f : BigQuerySchemas.files(catalog).entrySet()) {
          out.println("// " + f.getKey());
          out.print(f.getValue());
        }
      }
      out.flush();
      return 0;
    }
    if (writeDir != null) {
      Files.createDirectories(writeDir);
      for (Map.Entry<String, String> f : BigQuerySchemas.files(catalog).entrySet()) {
        Files.writeString(writeDir.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
      }
      out.println("wrote " + BigQuerySchemas.files(catalog).size() + " files to " + writeDir);
    }
    if (docs != null) {
      if (docs.getParent() != null) {
        Files.createDirectories(docs.getParent());
      }
      Files.writeString(docs, EventReference.markdown(catalog), StandardCharsets.UTF_8);
      out.println("wrote " + docs);
    }
    out.flush();
    return 0;
  }
}
