package io.deezwatts.core.decode;

import static io.deezwatts.core.decode.EventTokens.ARRAY;
import static io.deezwatts.core.decode.EventTokens.BIG_INT;
import static io.deezwatts.core.decode.EventTokens.FALSE;
import static io.deezwatts.core.decode.EventTokens.FLOAT;
import static io.deezwatts.core.decode.EventTokens.INT;
import static io.deezwatts.core.decode.EventTokens.NULL;
import static io.deezwatts.core.decode.EventTokens.OBJECT;
import static io.deezwatts.core.decode.EventTokens.STRING;
import static io.deezwatts.core.decode.EventTokens.TRUE;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.deezwatts.core.catalog.Column;
import io.deezwatts.core.catalog.ColumnRef;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.FieldNames;
import io.deezwatts.core.catalog.FieldSpec;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.json.FieldHash;
import io.deezwatts.core.json.Rfc3339;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks one captured event against its catalog type, fills its row values and feeds its normalised
 * values to the event key ({@link EventKeyHash}). Reused from event to event; not thread-safe.
 */
final class EventValidator {
  private static final int MAX_REASONS = 5;

  /** BigQuery's TIMESTAMP range, 0001-01-01 to 9999-12-31, in milliseconds. */
  private static final long MIN_EPOCH_MILLI = -62_135_596_800_000L;

  private static final long MAX_EPOCH_MILLI = 253_402_300_799_999L;

  private final EventTokens t;
  private final byte[] source;
  private final FieldNames names;
  private final List<String> reasons = new ArrayList<>();
  private final EventKeyHash key = new EventKeyHash();

  /** Per name rank, the object visit that last saw it: finds duplicate fields without clearing. */
  private final int[] seen;

  private int visit;
  private int root;
  private TableSpec table;

  EventValidator(EventTokens tokens, byte[] source, FieldNames names) {
    this.t = tokens;
    this.source = source;
    this.names = names;
    this.seen = new int[names.size()];
  }

  /**
   * Validates object {@code obj} as an event of {@code type}, filling {@code values}.
   *
   * @return true when the event meets its spec; otherwise {@link #reasons()} says why
   */
  boolean validate(
      String feed, String typeName, EventType type, int obj, Object[] values, String path) {
    reasons.clear();
    table = type.table();
    root = obj;
    object(
        type.fieldsByRank(),
        type.fields(),
        type.requiredCount(),
        obj,
        values,
        table.columns(),
        path);
    long seed1 = type.known() ? type.keySeed1() : EventType.keySeed1(feed, typeName);
    long seed2 = type.known() ? type.keySeed2() : EventType.keySeed2(feed, typeName);
    key.key(seed1, seed2);
    return reasons.isEmpty();
  }

  /** Why the last event failed, one entry per problem (at most five). */
  List<String> reasons() {
    return reasons;
  }

  String eventKey() {
    return key.hex();
  }

  /**
   * Validates the members of object {@code obj} against {@code specs} and hashes it for the key (a
   * null member counts as absent).
   */
  private void object(
      FieldSpec[] byRank,
      List<FieldSpec> specs,
      int required,
      int obj,
      Object[] target,
      List<Column> columns,
      String path) {
    int stamp = ++visit;
    key.beginObject();
    int requiredSeen = 0;
    boolean typeSeen = false;
    for (int j = obj + 1; j < t.end[obj]; j = t.next(j)) {
      int r = t.rank[j];
      FieldSpec spec = r >= 0 && byRank != null ? byRank[r] : null;
      long name1;
      long name2;
      if (spec != null) {
        int own = spec.nameRank();
        if (seen[own] == stamp) {
          fail(path, spec.name(), duplicate(spec));
          continue;
        }
        seen[own] = stamp;
        if (spec.required()) {
          requiredSeen++;
        }
        if (t.kind[j] == NULL) {
          if (!spec.nullable()) {
            fail(path, spec.name(), "is null; expected " + spec.constraintText());
          }
          continue;
        }
        name1 = names.hash1(own);
        name2 = names.hash2(own);
        value(spec, j, target, columns, path);
      } else {
        if (obj == root && t.name[j] == "type") { // NOPMD: interned
          if (typeSeen) {
            // Which of two types the event has is a guess: set it aside, as a repeated id is.
            fail(path, "type", "appears more than once");
          }
          typeSeen = true;
          continue; // the type is in the key's seed already
        }
        if (t.kind[j] == NULL) {
          continue;
        }
        if (r >= 0) {
          name1 = names.hash1(r);
          name2 = names.hash2(r);
        } else {
          name1 = FieldHash.string1(t.name[j]);
          name2 = FieldHash.string2(t.name[j]);
        }
        generic(j);
      }
      key.field(name1, name2);
    }
    if (requiredSeen < required) {
      for (FieldSpec spec : specs) {
        if (spec.required() && seen[spec.nameRank()] != stamp) {
          fail(path, spec.name(), "is missing; expected " + spec.constraintText());
        }
      }
    }
    key.endObject();
  }

  private static String duplicate(FieldSpec spec) {
    return spec.aliases().isEmpty()
        ? "appears more than once"
        : "appears more than once (under its name or an alias: "
            + spec.name()
            + ", "
            + String.join(", ", spec.aliases())
            + ")";
  }

  private void value(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    byte kind = t.kind[j];
    ColumnRef ref = spec.target();
    switch (spec.type()) {
      case BOOLEAN -> {
        if (kind != TRUE && kind != FALSE) {
          wrongKind(path, spec, j);
          return;
        }
        key.bool(kind == TRUE);
        put(target, columns, ref, kind == TRUE);
      }
      case INT16, INT32, INT64, INTEGER -> integer(spec, j, target, columns, path);
      case DECIMAL -> decimal(spec, j, target, columns, path);
      case STRING -> string(spec, j, target, columns, path);
      case ID -> id(spec, j, target, columns, path);
      case DATE -> {
        long day = kind == STRING ? Rfc3339.parseEpochDay(t.text[j]) : Rfc3339.INVALID;
        if (day == Rfc3339.INVALID) {
          fail(path, spec.name(), describe(j) + " is not a YYYY-MM-DD date");
          return;
        }
        key.date(day);
        put(target, columns, ref, LocalDate.ofEpochDay(day));
      }
      case DATETIME -> {
        long micros =
            kind == EventTokens.DATETIME
                ? t.longs[j]
                : kind == STRING ? Rfc3339.parseMicros(t.text[j]) : Rfc3339.INVALID;
        if (micros == Rfc3339.INVALID) {
          fail(path, spec.name(), describe(j) + " is not an RFC 3339 date-time with an offset");
          return;
        }
        key.instant(micros);
        put(target, columns, ref, instantOfMicros(micros));
      }
      case EPOCH_MILLIS -> {
        long ms;
        if (kind == INT) {
          ms = t.longs[j];
        } else if (kind == FLOAT && isWhole(t.doubles[j])) {
          ms = (long) t.doubles[j];
        } else {
          wrongKind(path, spec, j);
          return;
        }
        if (ms < MIN_EPOCH_MILLI || ms > MAX_EPOCH_MILLI) {
          fail(path, spec.name(), ms + " ms is outside the years 0001 to 9999");
          return;
        }
        key.instant(ms * 1000);
        put(target, columns, ref, Instant.ofEpochMilli(ms));
      }
      case JSON -> {
        generic(j);
        put(target, columns, ref, rawJson(j));
      }
      case SCALAR -> scalar(spec, j, target, path);
      case OBJECT -> {
        if (kind != OBJECT) {
          wrongKind(path, spec, j);
          return;
        }
        object(
            spec.childrenByRank(),
            spec.children(),
            spec.requiredChildren(),
            j,
            target,
            columns,
            path + spec.name() + ".");
      }
      case ARRAY -> array(spec, j, target, columns, path);
    }
  }

  private void integer(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    long v;
    switch (t.kind[j]) {
      case INT -> v = t.longs[j];
      case FLOAT -> {
        double d = t.doubles[j];
        if (!isWhole(d)) {
          fail(path, spec.name(), describe(j) + " is not a whole number");
          return;
        }
        v = (long) d;
      }
      case BIG_INT -> {
        fail(path, spec.name(), describe(j) + " does not fit in " + spec.type().catalogName());
        return;
      }
      case STRING -> {
        if (!spec.lenientNumericString() || !isInteger(t.text[j])) {
          wrongKind(path, spec, j);
          return;
        }
        try {
          v = Long.parseLong(t.text[j]);
        } catch (NumberFormatException e) {
          fail(path, spec.name(), describe(j) + " does not fit in " + spec.type().catalogName());
          return;
        }
      }
      default -> {
        wrongKind(path, spec, j);
        return;
      }
    }
    if (!spec.type().fits(v) || outside(spec, v)) {
      fail(path, spec.name(), v + " is outside " + spec.rangeText(spec.type().catalogName()));
      return;
    }
    key.integer(v);
    put(target, columns, spec.target(), v);
  }

  private void decimal(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    double d;
    switch (t.kind[j]) {
      case INT -> d = t.longs[j];
      case FLOAT -> d = t.doubles[j];
      case BIG_INT -> d = new BigDecimal(t.text[j]).doubleValue();
      default -> {
        wrongKind(path, spec, j);
        return;
      }
    }
    if (!Double.isFinite(d)) {
      fail(path, spec.name(), "the number is too large for a 64-bit float");
      return;
    }
    if (outside(spec, d)) {
      fail(path, spec.name(), describe(j) + " is outside " + spec.rangeText("a 64-bit float"));
      return;
    }
    key.decimal(d);
    put(target, columns, spec.target(), d);
  }

  private static boolean outside(FieldSpec spec, double v) {
    return v < spec.min() || v > spec.max();
  }

  private void string(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    String s;
    switch (t.kind[j]) {
      case STRING -> s = t.text[j];
      case INT, BIG_INT, FLOAT -> {
        if (!spec.lenientNumber()) {
          wrongKind(path, spec, j);
          return;
        }
        s = numberText(j);
      }
      default -> {
        wrongKind(path, spec, j);
        return;
      }
    }
    if (!spec.enumValues().isEmpty() && !spec.enumValues().contains(s)) {
      fail(
          path,
          spec.name(),
          describe(j) + " is not one of " + String.join(", ", spec.enumValues()));
      return;
    }
    if (spec.hex() && !isHex(s)) {
      fail(path, spec.name(), describe(j) + " is not hexadecimal");
      return;
    }
    if (spec.maxLength() > 0 && s.length() > spec.maxLength()) {
      fail(path, spec.name(), "is longer than " + spec.maxLength() + " characters");
      return;
    }
    key.string(s);
    put(target, columns, spec.target(), s);
  }

  private void id(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    if (t.kind[j] != STRING) {
      wrongKind(path, spec, j);
      return;
    }
    String s = t.text[j];
    int max = spec.maxLength() > 0 ? spec.maxLength() : 64;
    if (s.isEmpty() || s.length() > max) {
      fail(path, spec.name(), "must hold 1 to " + max + " ASCII characters, found " + s.length());
      return;
    }
    boolean upper = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        fail(path, spec.name(), describe(j) + " is not printable ASCII");
        return;
      }
      upper |= c >= 'A' && c <= 'Z';
    }
    String id = upper ? s.toLowerCase(Locale.ROOT) : s;
    key.string(id);
    put(target, columns, spec.target(), id);
  }

  private void scalar(FieldSpec spec, int j, Object[] target, String path) {
    switch (t.kind[j]) {
      case TRUE, FALSE -> target[table.requireColumn("value_bool")] = t.kind[j] == TRUE;
      case INT -> target[table.requireColumn("value_num")] = (double) t.longs[j];
      case FLOAT -> target[table.requireColumn("value_num")] = t.doubles[j];
      case BIG_INT ->
          target[table.requireColumn("value_num")] = new BigDecimal(t.text[j]).doubleValue();
      case STRING -> target[table.requireColumn("value_string")] = t.text[j];
      default -> {
        wrongKind(path, spec, j);
        return;
      }
    }
    generic(j);
  }

  private void array(FieldSpec spec, int j, Object[] target, List<Column> columns, String path) {
    if (t.kind[j] != ARRAY) {
      wrongKind(path, spec, j);
      return;
    }
    Column record = columns.get(spec.target().column());
    List<Object[]> items = new ArrayList<>();
    key.beginArray();
    int n = 0;
    for (int e = j + 1; e < t.end[j]; e = t.next(e), n++) {
      String item = path + spec.name() + "[" + n + "]";
      if (t.kind[e] != OBJECT) {
        fail(item, "", "is " + EventTokens.kindName(t.kind[e]) + ", not an object");
        generic(e);
      } else {
        Object[] values = new Object[record.fields().size()];
        object(
            spec.childrenByRank(),
            spec.children(),
            spec.requiredChildren(),
            e,
            values,
            record.fields(),
            item + ".");
        items.add(values);
      }
      key.element();
    }
    key.endArray();
    put(target, columns, spec.target(), items);
  }

  /** Hashes a value the catalog says nothing about, by its JSON kind. */
  private void generic(int j) {
    switch (t.kind[j]) {
      case OBJECT -> object(null, List.of(), 0, j, null, null, "");
      case ARRAY -> {
        key.beginArray();
        for (int e = j + 1; e < t.end[j]; e = t.next(e)) {
          generic(e);
          key.element();
        }
        key.endArray();
      }
      case STRING -> key.string(t.text[j]);
      case INT -> key.integer(t.longs[j]);
      case BIG_INT -> key.bigInteger(t.text[j]);
      case FLOAT -> key.decimal(t.doubles[j]);
      case EventTokens.DATETIME -> key.instant(t.longs[j]);
      case TRUE -> key.bool(true);
      case FALSE -> key.bool(false);
      default -> key.nullValue();
    }
  }

  private RawJson rawJson(int j) {
    return switch (t.kind[j]) {
      case OBJECT, ARRAY -> new RawJson(source, t.from[j], t.to[j]);
      case STRING ->
          RawJson.ofCompact(
              '"' + new String(JsonStringEncoder.getInstance().quoteAsString(t.text[j])) + '"');
      case TRUE -> RawJson.ofCompact("true");
      case FALSE -> RawJson.ofCompact("false");
      case NULL -> RawJson.ofCompact("null");
      case EventTokens.DATETIME -> RawJson.ofCompact("\"" + instantOfMicros(t.longs[j]) + "\"");
      default -> RawJson.ofCompact(numberText(j));
    };
  }

  private static void put(Object[] target, List<Column> columns, ColumnRef ref, Object v) {
    if (ref == null) {
      return;
    }
    if (!ref.isNested()) {
      target[ref.column()] = v;
      return;
    }
    Object[] record = (Object[]) target[ref.column()];
    if (record == null) {
      record = new Object[columns.get(ref.column()).fields().size()];
      target[ref.column()] = record;
    }
    record[ref.subColumn()] = v;
  }

  private void wrongKind(String path, FieldSpec spec, int j) {
    fail(path, spec.name(), "must be " + spec.constraintText() + ", found " + describe(j));
  }

  private void fail(String path, String field, String problem) {
    if (reasons.size() < MAX_REASONS) {
      reasons.add("field '" + path + field + "': " + problem);
    }
  }

  /** The value for a reason: its kind and a short preview. */
  private String describe(int j) {
    return switch (t.kind[j]) {
      case STRING -> {
        String s = t.text[j];
        yield "\"" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "\"";
      }
      case INT, BIG_INT, FLOAT -> numberText(j);
      case EventTokens.DATETIME -> "\"" + instantOfMicros(t.longs[j]) + "\"";
      default -> EventTokens.kindName(t.kind[j]);
    };
  }

  private String numberText(int j) {
    return switch (t.kind[j]) {
      case INT -> Long.toString(t.longs[j]);
      case FLOAT ->
          isWhole(t.doubles[j]) && Math.abs(t.doubles[j]) < 1e15
              ? Long.toString((long) t.doubles[j])
              : Double.toString(t.doubles[j]);
      default -> t.text[j];
    };
  }

  private static boolean isWhole(double d) {
    return d == Math.rint(d) && Math.abs(d) <= 9.007199254740992E15;
  }

  private static boolean isInteger(String s) {
    int n = s.length();
    if (n == 0 || n > 20) {
      return false;
    }
    int i = s.charAt(0) == '-' ? 1 : 0;
    if (i == n) {
      return false;
    }
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isHex(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return true;
  }

  static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }
}
