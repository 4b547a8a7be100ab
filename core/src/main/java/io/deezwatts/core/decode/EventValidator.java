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
import io.deezwatts.core.json.Rfc3339;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks one captured event against its catalog type, fills its row values and writes its
 * normalised content for the event key. Reused from event to event; not thread-safe.
 */
final class EventValidator {
  private static final int MAX_REASONS = 5;

  /** BigQuery's TIMESTAMP range, 0001-01-01 to 9999-12-31, in milliseconds. */
  private static final long MIN_EPOCH_MILLI = -62_135_596_800_000L;

  private static final long MAX_EPOCH_MILLI = 253_402_300_799_999L;

  private final EventTokens t;
  private final byte[] source;
  private final Canonical canon;
  private final List<String> reasons = new ArrayList<>();

  // A stack of object members being sorted, shared by nested objects.
  private int[] memberIdx = new int[64];
  private String[] memberName = new String[64];
  private FieldSpec[] memberSpec = new FieldSpec[64];
  private int[] memberRank = new int[64];
  private long[] order = new long[64];
  private int top;
  private final FieldNames names;

  private TableSpec table;

  EventValidator(EventTokens tokens, byte[] source, FieldNames names) {
    this.t = tokens;
    this.source = source;
    this.names = names;
    this.canon = new Canonical(names);
  }

  /**
   * Validates object {@code obj} as an event of {@code type}, filling {@code values}.
   *
   * @return true when the event meets its spec; otherwise {@link #reasons()} says why
   */
  boolean validate(
      String feed, String typeName, EventType type, int obj, Object[] values, String path) {
    reasons.clear();
    top = 0;
    table = type.table();
    canon.reset(feed, typeName);
    object(
        type.fieldsByName(),
        type.fields(),
        type.requiredCount(),
        obj,
        values,
        table.columns(),
        path);
    return reasons.isEmpty();
  }

  /** Why the last event failed, one entry per problem (at most five). */
  List<String> reasons() {
    return reasons;
  }

  String eventKey() {
    return canon.key();
  }

  private void object(
      Map<String, FieldSpec> byName,
      List<FieldSpec> specs,
      int required,
      int obj,
      Object[] target,
      List<Column> columns,
      String path) {
    int base = top;
    for (int j = obj + 1; j < t.end[obj]; j = t.next(j)) {
      FieldSpec spec = byName.get(t.name[j]);
      if (spec != null) {
        push(j, spec.name(), spec, spec.nameRank());
      } else {
        push(j, t.name[j], null, names.rank(t.name[j]));
      }
    }
    sortMembers(base, top);
    canon.tag(Canonical.OBJECT);
    int requiredSeen = 0;
    String previous = null;
    for (int pos = base; pos < top; pos++) {
      int k = (int) order[pos];
      int j = memberIdx[k];
      String name = memberName[k];
      FieldSpec spec = memberSpec[k];
      if (name.equals(previous)) {
        fail(
            path,
            name,
            "appears more than once"
                + (spec != null && !spec.aliases().isEmpty()
                    ? " (under its name or an alias: "
                        + spec.name()
                        + ", "
                        + String.join(", ", spec.aliases())
                        + ")"
                    : ""));
        continue;
      }
      previous = name;
      if (spec != null && spec.required()) {
        requiredSeen++;
      }
      if (t.kind[j] == NULL) {
        if (spec != null && !spec.nullable()) {
          fail(path, name, "is null; expected " + spec.constraintText());
        }
        continue;
      }
      if (memberRank[k] >= 0) {
        canon.putKnownName(memberRank[k]);
      } else {
        canon.putName(name);
      }
      if (spec == null) {
        generic(j);
      } else {
        value(spec, j, target, columns, path);
      }
    }
    canon.tag(Canonical.OBJECT_END);
    if (requiredSeen < required) {
      for (FieldSpec spec : specs) {
        if (spec.required() && !present(spec, base, top)) {
          fail(path, spec.name(), "is missing; expected " + spec.constraintText());
        }
      }
    }
    top = base;
  }

  private boolean present(FieldSpec spec, int from, int to) {
    for (int k = from; k < to; k++) {
      if (memberSpec[k] == spec) {
        return true;
      }
    }
    return false;
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
        canon.tag(kind == TRUE ? Canonical.TRUE : Canonical.FALSE);
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
        canon.putLong(Canonical.DATE, day);
        put(target, columns, ref, LocalDate.ofEpochDay(day));
      }
      case DATETIME -> {
        long micros = kind == STRING ? Rfc3339.parseMicros(t.text[j]) : Rfc3339.INVALID;
        if (micros == Rfc3339.INVALID) {
          fail(path, spec.name(), describe(j) + " is not an RFC 3339 date-time with an offset");
          return;
        }
        canon.putLong(Canonical.INSTANT, micros);
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
        canon.putLong(Canonical.INSTANT, ms * 1000);
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
            spec.childrenByName(),
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
    canon.putLong(Canonical.INT, v);
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
    canon.putDouble(d);
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
    canon.putTagged(Canonical.STRING, s);
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
    canon.putTagged(Canonical.STRING, id);
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
    canon.tag(Canonical.ARRAY);
    int n = 0;
    for (int e = j + 1; e < t.end[j]; e = t.next(e), n++) {
      String item = path + spec.name() + "[" + n + "]";
      if (t.kind[e] != OBJECT) {
        fail(item, "", "is " + EventTokens.kindName(t.kind[e]) + ", not an object");
        generic(e);
        continue;
      }
      Object[] values = new Object[record.fields().size()];
      object(
          spec.childrenByName(),
          spec.children(),
          spec.requiredChildren(),
          e,
          values,
          record.fields(),
          item + ".");
      items.add(values);
    }
    canon.tag(Canonical.ARRAY_END);
    put(target, columns, spec.target(), items);
  }

  /** Normal form of a value the catalog says nothing about. */
  private void generic(int j) {
    switch (t.kind[j]) {
      case OBJECT -> {
        int base = top;
        for (int m = j + 1; m < t.end[j]; m = t.next(m)) {
          push(m, t.name[m], null, names.rank(t.name[m]));
        }
        sortMembers(base, top);
        canon.tag(Canonical.OBJECT);
        for (int pos = base; pos < top; pos++) {
          int k = (int) order[pos];
          int m = memberIdx[k];
          if (t.kind[m] != NULL) {
            canon.putName(memberName[k]);
            generic(m);
          }
        }
        canon.tag(Canonical.OBJECT_END);
        top = base;
      }
      case ARRAY -> {
        canon.tag(Canonical.ARRAY);
        for (int e = j + 1; e < t.end[j]; e = t.next(e)) {
          generic(e);
        }
        canon.tag(Canonical.ARRAY_END);
      }
      case STRING -> canon.putTagged(Canonical.STRING, t.text[j]);
      case INT -> canon.putLong(Canonical.INT, t.longs[j]);
      case BIG_INT -> canon.putTagged(Canonical.BIG_INT, t.text[j]);
      case FLOAT -> canon.putDouble(t.doubles[j]);
      case TRUE -> canon.tag(Canonical.TRUE);
      case FALSE -> canon.tag(Canonical.FALSE);
      default -> canon.tag(Canonical.NULL);
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

  private void push(int idx, String name, FieldSpec spec, int rank) {
    if (top == memberIdx.length) {
      int n = top * 2;
      memberIdx = java.util.Arrays.copyOf(memberIdx, n);
      memberName = java.util.Arrays.copyOf(memberName, n);
      memberSpec = java.util.Arrays.copyOf(memberSpec, n);
      memberRank = java.util.Arrays.copyOf(memberRank, n);
    }
    memberIdx[top] = idx;
    memberName[top] = name;
    memberSpec[top] = spec;
    memberRank[top] = rank;
    top++;
  }

  /**
   * Orders members {@code [from, to)} by name into {@code order} (member positions). Objects have a
   * handful of members, so insertion sort; names the catalog knows sort by rank (the same order as
   * by text) packed into one long each, the rest by text.
   */
  private void sortMembers(int from, int to) {
    if (order.length < memberIdx.length) {
      order = java.util.Arrays.copyOf(order, memberIdx.length);
    }
    boolean allKnown = true;
    for (int k = from; k < to; k++) {
      allKnown &= memberRank[k] >= 0;
      order[k] = ((long) Math.max(memberRank[k], 0) << 32) | k;
    }
    for (int i = from + 1; i < to; i++) {
      long key = order[i];
      int k = i - 1;
      while (k >= from && (allKnown ? order[k] > key : textAfter((int) order[k], (int) key))) {
        order[k + 1] = order[k];
        k--;
      }
      order[k + 1] = key;
    }
  }

  private boolean textAfter(int a, int b) {
    if (memberRank[a] >= 0 && memberRank[b] >= 0) {
      return memberRank[a] > memberRank[b];
    }
    return memberName[a].compareTo(memberName[b]) > 0;
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
