package io.deezwatts.core.schema;

import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.catalog.FieldSpec;
import io.deezwatts.core.catalog.FieldType;
import io.deezwatts.core.catalog.TableSpec;
import java.util.Comparator;
import java.util.List;

/** The reference of every event type and the column each field lands in, as Markdown. */
public final class EventReference {
  private EventReference() {}

  /** docs/EVENTS.md, generated from the catalog. */
  public static String markdown(Catalog catalog) {
    StringBuilder md = new StringBuilder();
    md.append("# Event reference\n\n")
        .append("Generated from the event catalog (version ")
        .append(catalog.version())
        .append(") by `./deezwatts schema --docs docs/EVENTS.md`; do not edit by hand.\n\n")
        .append(catalog.description())
        .append("\n\nEvery row also has `event_key` (the dedup key), `type`, `time` (UTC), ")
        .append("`payload` (the event as sent) and the ingest columns `received_at`, `source`, ")
        .append("`request_id`, `message_id` and `metadata`. Query the `<table>_dedup` views.\n\n");
    md.append("## Field types\n\n| type | accepts |\n|---|---|\n");
    catalog.fieldTypeDescriptions().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(
            e ->
                md.append("| ")
                    .append(e.getKey())
                    .append(" | ")
                    .append(e.getValue())
                    .append(" |\n"));
    for (Feed feed : catalog.feeds()) {
      md.append("\n## ")
          .append(feed.title())
          .append(" (`--source ")
          .append(feed.name())
          .append("`)\n\n");
      md.append("Vendor document: `")
          .append(feed.specFile())
          .append("` (the vendor's; not in this repository).\n");
      List<EventType> types =
          feed.types().stream().sorted(Comparator.comparing(EventType::name)).toList();
      for (TableSpec table : catalog.tables()) {
        List<EventType> inTable = types.stream().filter(t -> t.table() == table).toList();
        if (inTable.isEmpty()) {
          continue;
        }
        md.append("\n### Table `")
            .append(table.name())
            .append("` (")
            .append(inTable.size())
            .append(" types)\n\n")
            .append(table.description())
            .append(".\n\n");
        md.append("| type | field | type and range | unit | column | description |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (EventType t : inTable) {
          boolean first = true;
          for (FieldSpec f : t.fields()) {
            first = row(md, t, f, "", "", first);
          }
          if (first) {
            md.append("| `")
                .append(t.name())
                .append("` | | | | | ")
                .append(escape(t.description()))
                .append(" |\n");
          }
        }
      }
      if (!feed.unknownTypes().isEmpty()) {
        md.append("\nTypes the catalog does not know are kept as rows: ");
        for (Feed.UnknownTypeRule r : feed.unknownTypes()) {
          md.append(r.whenField() == null ? "otherwise" : "with `" + r.whenField() + "`")
              .append(" in `")
              .append(r.standIn().table().name())
              .append("`; ");
        }
        md.setLength(md.length() - 2);
        md.append(".\n");
      }
      if (!feed.controlMessages().isEmpty()) {
        md.append("\nMessages that are not data (counted, never stored):\n\n");
        feed.controlMessages()
            .forEach(
                c ->
                    md.append("- `")
                        .append(c.type())
                        .append("`: ")
                        .append(c.description())
                        .append('\n'));
      }
    }
    md.append("\n## Tables\n");
    for (TableSpec t : catalog.tables()) {
      md.append("\n### `")
          .append(t.name())
          .append("`\n\n")
          .append(t.description())
          .append(". Partitioned on `DATE(")
          .append(t.partitionColumn())
          .append(")`, clustered by ")
          .append(String.join(", ", t.cluster()))
          .append(".\n\n| column | type | mode | description |\n|---|---|---|---|\n");
      for (Column c : t.columns()) {
        columnRow(md, c, "");
      }
    }
    return md.toString();
  }

  private static boolean row(
      StringBuilder md,
      EventType t,
      FieldSpec f,
      String prefix,
      String columnPrefix,
      boolean first) {
    md.append("| ")
        .append(first ? "`" + t.name() + "`" : "")
        .append(" | `")
        .append(prefix)
        .append(f.name())
        .append('`');
    if (!f.aliases().isEmpty()) {
      md.append(" (also ").append(String.join(", ", f.aliases())).append(')');
    }
    md.append(" | ")
        .append(escape(f.constraintText()))
        .append(f.required() ? "" : ", optional")
        .append(" | ")
        .append(f.unit() == null ? "" : escape(f.unit()))
        .append(" | ")
        .append(column(f, columnPrefix))
        .append(" | ")
        .append(escape(f.description()))
        .append(" |\n");
    if (f.type() == FieldType.OBJECT || f.type() == FieldType.ARRAY) {
      String sub = prefix + f.name() + (f.type() == FieldType.ARRAY ? "[]." : ".");
      String columns =
          f.type() == FieldType.ARRAY ? columnPrefix + f.columnPath() + "." : columnPrefix;
      for (FieldSpec c : f.children()) {
        row(md, t, c, sub, columns, false);
      }
    }
    return false;
  }

  private static String column(FieldSpec f, String columnPrefix) {
    if (f.type() == FieldType.SCALAR) {
      return "`value_num` / `value_string` / `value_bool`";
    }
    if (f.type() == FieldType.OBJECT) {
      return "(fields below)";
    }
    return f.columnPath() == null ? "payload only" : "`" + columnPrefix + f.columnPath() + "`";
  }

  private static void columnRow(StringBuilder md, Column c, String prefix) {
    md.append("| `")
        .append(prefix)
        .append(c.name())
        .append("` | ")
        .append(c.type())
        .append(" | ")
        .append(c.mode())
        .append(" | ")
        .append(escape(c.description()))
        .append(" |\n");
    for (Column f : c.fields()) {
      columnRow(md, f, prefix + c.name() + ".");
    }
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
