package io.deezwatts.core.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The event catalog: every feed, event type, field and table, loaded from the {@code catalog.json}
 * resource. Decoding, validation, table schemas and the reference docs all derive from it.
 * Immutable and thread-safe.
 */
public final class Catalog {
  static final String RESOURCE = "/io/deezwatts/core/catalog/catalog.json";

  private final int version;
  private final String description;
  private final Map<String, String> fieldTypeDescriptions;
  private final Map<String, TableSpec> tables;
  private final Map<String, Feed> feeds;
  private final FieldNames fieldNames;

  private Catalog(
      int version,
      String description,
      Map<String, String> fieldTypeDescriptions,
      Map<String, TableSpec> tables,
      Map<String, Feed> feeds,
      FieldNames fieldNames) {
    this.version = version;
    this.fieldNames = fieldNames;
    this.description = description;
    this.fieldTypeDescriptions = fieldTypeDescriptions;
    this.tables = tables;
    this.feeds = feeds;
  }

  private static final class Holder {
    static final Catalog STANDARD = load();
  }

  /**
   * The catalog shipped with deezwatts, loaded once.
   *
   * @throws IllegalStateException if the bundled resource is missing or inconsistent (a build
   *     error, never a runtime condition worth retrying)
   */
  public static Catalog standard() {
    return Holder.STANDARD;
  }

  /**
   * A catalog read from JSON of the bundled catalog's form: for tests and tools that need an older
   * or a changed catalog beside the standard one.
   *
   * @throws IOException when the JSON cannot be read
   * @throws IllegalStateException or IllegalArgumentException when it is inconsistent
   */
  public static Catalog read(InputStream in) throws IOException {
    return parse(CatalogJson.read(in));
  }

  private static Catalog load() {
    try (InputStream in = Catalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("catalog resource missing: " + RESOURCE);
      }
      return parse(CatalogJson.read(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  public int version() {
    return version;
  }

  public String description() {
    return description;
  }

  /** What each field type accepts, keyed by its catalog name. */
  public Map<String, String> fieldTypeDescriptions() {
    return fieldTypeDescriptions;
  }

  /** Every table, quarantine last, in catalog order. */
  public Collection<TableSpec> tables() {
    return tables.values();
  }

  /** The table of that name. */
  public TableSpec table(String name) {
    TableSpec t = tables.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no table " + name);
    }
    return t;
  }

  public TableSpec quarantineTable() {
    return table("quarantine");
  }

  /** Every field name the catalog knows, sorted, for normalising events quickly. */
  public FieldNames fieldNames() {
    return fieldNames;
  }

  public Collection<Feed> feeds() {
    return feeds.values();
  }

  /** Whether a feed of that name exists (a delivery's feed attribute may name anything). */
  public boolean hasFeed(String name) {
    return feeds.containsKey(name);
  }

  /**
   * The feed of that name.
   *
   * @throws IllegalArgumentException naming the known feeds when there is none of that name
   */
  public Feed feed(String name) {
    Feed f = feeds.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "unknown feed '" + name + "'; known feeds: " + String.join(", ", feeds.keySet()));
    }
    return f;
  }

  // ---- loading ----

  private static Catalog parse(CatalogJson root) {
    Map<String, String> fieldTypes = new LinkedHashMap<>();
    for (Map.Entry<String, CatalogJson> e : root.path("fieldTypes").members().entrySet()) {
      fieldTypes.put(e.getKey(), e.getValue().asText());
    }
    for (String t : fieldTypes.keySet()) {
      FieldType.fromCatalog(t);
    }

    Map<String, TableSpec> tables = new LinkedHashMap<>();
    for (CatalogJson t : root.path("tables")) {
      TableSpec spec = parseTable(t);
      tables.put(spec.name(), spec);
    }
    FieldNames names = FieldNames.of(root.path("feeds"));
    Map<String, Feed> feeds = new LinkedHashMap<>();
    for (CatalogJson f : root.path("feeds")) {
      Feed feed = parseFeed(f, tables, names);
      feeds.put(feed.name(), feed);
    }
    if (!tables.containsKey("quarantine")) {
      throw new IllegalStateException("catalog has no quarantine table");
    }
    return new Catalog(
        root.path("version").asInt(),
        root.path("description").asText(),
        Map.copyOf(fieldTypes),
        java.util.Collections.unmodifiableMap(tables),
        java.util.Collections.unmodifiableMap(feeds),
        names);
  }

  private static TableSpec parseTable(CatalogJson t) {
    boolean standard = t.path("standardColumns").asBoolean(true);
    List<Column> columns = new ArrayList<>();
    if (standard) {
      columns.add(
          new Column(
              "event_key",
              "STRING",
              "REQUIRED",
              "Dedup key: 128-bit hash of the event's normalised content, 32 hex digits",
              List.of()));
      columns.add(new Column("type", "STRING", "REQUIRED", "The event's type", List.of()));
      columns.add(
          new Column("time", "TIMESTAMP", "REQUIRED", "When the event happened (UTC)", List.of()));
    }
    for (CatalogJson c : t.path("columns")) {
      columns.add(parseColumn(c));
    }
    if (standard) {
      columns.add(
          new Column(
              "payload",
              "JSON",
              "REQUIRED",
              "The event as the vendor sent it, compacted (whitespace and trailing commas removed)",
              List.of()));
      columns.add(
          new Column(
              "received_at", "TIMESTAMP", "REQUIRED", "When deezwatts received it", List.of()));
      columns.add(
          new Column(
              "source",
              "STRING",
              "REQUIRED",
              "http, pubsub, eventhubs, viriciti, rivian or replay",
              List.of()));
      columns.add(
          new Column("request_id", "STRING", "NULLABLE", "X-Request-Id of the push", List.of()));
      columns.add(
          new Column(
              "message_id", "STRING", "NULLABLE", "Pub/Sub or Event Hubs message id", List.of()));
      columns.add(
          new Column(
              "metadata",
              "JSON",
              "NULLABLE",
              "Other ingest metadata (Pub/Sub attributes, Event Hubs partition and offset)",
              List.of()));
    }
    List<String> cluster = new ArrayList<>();
    for (CatalogJson c : t.path("cluster")) {
      cluster.add(c.asText());
    }
    return new TableSpec(
        t.path("name").asText(),
        t.hasNonNull("feed") ? t.path("feed").asText() : null,
        t.path("description").asText(),
        t.path("partitionColumn").asText("time"),
        cluster,
        columns);
  }

  private static Column parseColumn(CatalogJson c) {
    List<Column> fields = new ArrayList<>();
    for (CatalogJson f : c.path("fields")) {
      fields.add(parseColumn(f));
    }
    return new Column(
        c.path("name").asText(),
        c.path("type").asText(),
        c.path("mode").asText("NULLABLE"),
        c.path("description").asText(),
        fields);
  }

  private static Feed parseFeed(CatalogJson f, Map<String, TableSpec> tables, FieldNames names) {
    String feedName = f.path("name").asText();
    Map<String, EventType> types = new LinkedHashMap<>();
    for (CatalogJson t : f.path("types")) {
      TableSpec table = tableOf(tables, t.path("table").asText(), feedName);
      List<FieldSpec> own = parseFields(t.path("fields"), table, null, names);
      EventType type =
          eventType(
              feedName,
              t.path("type").asText(),
              table,
              t.path("description").asText(),
              true,
              f,
              own,
              names);
      if (types.put(type.name(), type) != null) {
        throw new IllegalStateException(feedName + ": type " + type.name() + " twice");
      }
    }
    List<Feed.UnknownTypeRule> rules = new ArrayList<>();
    for (CatalogJson r : f.path("unknownTypes")) {
      TableSpec table = tableOf(tables, r.path("table").asText(), feedName);
      String when = r.hasNonNull("whenField") ? r.path("whenField").asText() : null;
      List<FieldSpec> own = new ArrayList<>();
      if (when != null && !isCommon(f, table, when)) {
        own.add(fieldNamed(types.values(), table, when));
      }
      for (CatalogJson also : r.path("alsoFields")) {
        if (!isCommon(f, table, also.asText())) {
          own.add(fieldNamed(types.values(), table, also.asText()).asOptional());
        }
      }
      rules.add(
          new Feed.UnknownTypeRule(
              eventType(
                  feedName,
                  "(unknown)",
                  table,
                  "A type the catalog does not know",
                  false,
                  f,
                  own,
                  names),
              when));
    }
    List<Feed.ControlMessage> control = new ArrayList<>();
    for (CatalogJson c : f.path("controlMessages")) {
      control.add(new Feed.ControlMessage(c.path("type").asText(), c.path("description").asText()));
    }
    return new Feed(
        feedName, f.path("title").asText(), f.path("spec").asText(), types, rules, control);
  }

  private static boolean isCommon(CatalogJson feed, TableSpec table, String field) {
    for (CatalogJson c : feed.path("common")) {
      if (c.path("name").asText().equals(field)) {
        return true;
      }
    }
    for (CatalogJson c : feed.path("tableCommon").path(table.name())) {
      if (c.path("name").asText().equals(field)) {
        return true;
      }
    }
    return false;
  }

  private static FieldSpec fieldNamed(
      Collection<EventType> types, TableSpec table, String fieldName) {
    for (EventType t : types) {
      FieldSpec f = t.field(fieldName);
      if (t.table() == table && f != null) {
        return f;
      }
    }
    throw new IllegalStateException("no type of " + table + " has a field " + fieldName);
  }

  private static EventType eventType(
      String feedName,
      String name,
      TableSpec table,
      String description,
      boolean known,
      CatalogJson feed,
      List<FieldSpec> own,
      FieldNames names) {
    List<FieldSpec> all = new ArrayList<>(parseFields(feed.path("common"), table, null, names));
    all.addAll(parseFields(feed.path("tableCommon").path(table.name()), table, null, names));
    all.addAll(own);
    return new EventType(
        feedName,
        name,
        table,
        description,
        known,
        List.copyOf(own),
        List.copyOf(all),
        byName(all),
        requiredCount(all),
        byRank(all, names),
        EventType.keySeed1(feedName, name),
        EventType.keySeed2(feedName, name));
  }

  private static TableSpec tableOf(Map<String, TableSpec> tables, String name, String feed) {
    TableSpec t = tables.get(name);
    if (t == null || !feed.equals(t.feed())) {
      throw new IllegalStateException(feed + ": no table " + name + " for this feed");
    }
    return t;
  }

  private static int requiredCount(List<FieldSpec> fields) {
    int n = 0;
    for (FieldSpec f : fields) {
      if (f.required()) {
        n++;
      }
    }
    return n;
  }

  private static Map<String, FieldSpec> byName(List<FieldSpec> fields) {
    Map<String, FieldSpec> map = new HashMap<>();
    for (FieldSpec f : fields) {
      for (String n : names(f)) {
        if (map.put(n, f) != null) {
          throw new IllegalStateException("field name " + n + " twice");
        }
      }
    }
    return Map.copyOf(map);
  }

  private static FieldSpec[] byRank(List<FieldSpec> fields, FieldNames names) {
    FieldSpec[] out = new FieldSpec[names.size()];
    for (FieldSpec f : fields) {
      for (String n : names(f)) {
        int r = names.rank(n);
        if (r < 0) {
          throw new IllegalStateException("field name " + n + " has no rank");
        }
        out[r] = f;
      }
    }
    return out;
  }

  private static List<String> names(FieldSpec f) {
    List<String> names = new ArrayList<>();
    names.add(f.name());
    names.addAll(f.aliases());
    return names;
  }

  /**
   * Parses field specs, resolving their column paths against the table or, inside a repeated
   * RECORD's items, against that record.
   */
  private static List<FieldSpec> parseFields(
      CatalogJson fields, TableSpec table, Column record, FieldNames names) {
    List<FieldSpec> out = new ArrayList<>();
    for (CatalogJson f : fields) {
      try {
        out.add(parseField(f, table, record, names));
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "catalog: field " + f.path("name").asText() + " of " + table + ": " + e.getMessage(),
            e);
      }
    }
    return out;
  }

  private static FieldSpec parseField(
      CatalogJson f, TableSpec table, Column record, FieldNames names) {
    String name = f.path("name").asText();
    FieldType type = FieldType.fromCatalog(f.path("type").asText());
    String path = f.hasNonNull("column") ? f.path("column").asText() : null;
    ColumnRef target = null;
    List<FieldSpec> children = List.of();
    if (type == FieldType.ARRAY) {
      int idx = table.requireColumn(path);
      Column col = table.columns().get(idx);
      if (!col.isRecord() || !col.isRepeated()) {
        throw new IllegalStateException(table + "." + path + " must be a REPEATED RECORD");
      }
      target = new ColumnRef(idx, -1);
      children = parseFields(f.path("items"), table, col, names);
    } else if (type == FieldType.OBJECT) {
      children = parseFields(f.path("fields"), table, record, names);
    } else if (type == FieldType.SCALAR) {
      for (String c : List.of("value_num", "value_string", "value_bool")) {
        table.requireColumn(c);
      }
    } else if (path != null) {
      target = resolve(path, table, record);
    }
    Set<String> enums = new LinkedHashSet<>();
    for (CatalogJson e : f.path("enum")) {
      enums.add(e.asText());
    }
    List<String> aliases = new ArrayList<>();
    for (CatalogJson a : f.path("aliases")) {
      aliases.add(a.asText());
    }
    String pattern = f.path("pattern").asText(null);
    if (pattern != null && !pattern.equals("^[0-9A-Fa-f]+$")) {
      throw new IllegalStateException("unsupported pattern " + pattern + " on " + name);
    }
    return new FieldSpec(
        name,
        type,
        f.path("unit").asText(null),
        f.path("description").asText(""),
        f.path("nullable").asBoolean(false),
        f.path("optional").asBoolean(false),
        f.hasNonNull("min") ? f.path("min").asDouble() : Double.NEGATIVE_INFINITY,
        f.hasNonNull("max") ? f.path("max").asDouble() : Double.POSITIVE_INFINITY,
        java.util.Collections.unmodifiableSet(enums), // one Set class: its calls stay monomorphic
        pattern != null,
        f.path("maxLength").asInt(0),
        List.copyOf(aliases),
        f.path("lenientNumericString").asBoolean(false),
        f.path("lenientNumber").asBoolean(false),
        path,
        target,
        List.copyOf(children),
        byName(children),
        requiredCount(children),
        names.rank(name),
        byRank(children, names));
  }

  private static ColumnRef resolve(String path, TableSpec table, Column record) {
    if (record != null) {
      int sub = record.fieldIndex(path);
      if (sub < 0) {
        throw new IllegalStateException(record.name() + " has no field " + path);
      }
      return new ColumnRef(sub, -1);
    }
    int dot = path.indexOf('.');
    if (dot < 0) {
      return new ColumnRef(table.requireColumn(path), -1);
    }
    int idx = table.requireColumn(path.substring(0, dot));
    int sub = table.columns().get(idx).fieldIndex(path.substring(dot + 1));
    if (sub < 0) {
      throw new IllegalStateException(table + " has no column " + path);
    }
    return new ColumnRef(idx, sub);
  }
}
