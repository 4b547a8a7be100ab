package io.deezwatts.core.catalog;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One field of an event type, with what the vendor's document says of it and where it lands.
 *
 * @param name the field's JSON name as documented
 * @param type its JSON shape and meaning
 * @param unit unit or format, or null
 * @param description what it means
 * @param nullable whether JSON null is allowed (a nullable field may also be absent)
 * @param optional whether the field may be absent
 * @param min smallest allowed number, or negative infinity
 * @param max largest allowed number, or positive infinity
 * @param enumValues allowed string values, empty for any
 * @param hex whether a string must be hexadecimal digits
 * @param maxLength longest allowed string, or 0 for no limit
 * @param aliases other names the vendor sends the field under
 * @param lenientNumericString whether an integer given as a string of digits is accepted
 * @param lenientNumber whether a string field given as a number is accepted (as its text)
 * @param columnPath the catalog's column path ({@code gps.latitude}), or null
 * @param target where the value lands, or null when it does not land in a typed column
 * @param children fields of an OBJECT, or of each item of an ARRAY
 * @param childrenByName lookup of {@code children} by JSON name, aliases included
 * @param requiredChildren how many of {@code children} are required
 * @param nameRank the position of {@code name} in the catalog's sorted field names
 * @param childrenByRank {@code children} by the rank of a JSON name (aliases included), for the
 *     decoder's hot path
 */
public record FieldSpec(
    String name,
    FieldType type,
    String unit,
    String description,
    boolean nullable,
    boolean optional,
    double min,
    double max,
    Set<String> enumValues,
    boolean hex,
    int maxLength,
    List<String> aliases,
    boolean lenientNumericString,
    boolean lenientNumber,
    String columnPath,
    ColumnRef target,
    List<FieldSpec> children,
    Map<String, FieldSpec> childrenByName,
    int requiredChildren,
    int nameRank,
    FieldSpec[] childrenByRank) {

  /** This field, allowed to be absent. */
  public FieldSpec asOptional() {
    return new FieldSpec(
        name,
        type,
        unit,
        description,
        nullable,
        true,
        min,
        max,
        enumValues,
        hex,
        maxLength,
        aliases,
        lenientNumericString,
        lenientNumber,
        columnPath,
        target,
        children,
        childrenByName,
        requiredChildren,
        nameRank,
        childrenByRank);
  }

  /** Whether an event breaks the spec when this field is absent. */
  public boolean required() {
    return !optional && !nullable;
  }

  /** The field that a JSON name (the documented one or an alias) refers to, or null. */
  public FieldSpec child(String jsonName) {
    return childrenByName.get(jsonName);
  }

  /** A one-line statement of the allowed values, for reasons and docs. */
  public String constraintText() {
    StringBuilder sb = new StringBuilder(type.catalogName());
    if (hasRange()) {
      sb.append(" in ").append(rangeText(""));
    }
    if (!enumValues.isEmpty()) {
      sb.append(" one of ").append(String.join(", ", enumValues));
    }
    if (hex) {
      sb.append(", hex digits");
    }
    if (maxLength > 0) {
      sb.append(", at most ").append(maxLength).append(" characters");
    }
    if (nullable) {
      sb.append(", or null");
    }
    return sb.toString();
  }

  /** The allowed range, such as {@code [-90, 90]}, or {@code what} when only the type bounds it. */
  public String rangeText(String what) {
    if (!hasRange()) {
      return what;
    }
    return "[" + formatNumber(min) + ", " + formatNumber(max) + "]";
  }

  /** Whether the catalog bounds the field's numbers. */
  public boolean hasRange() {
    return min != Double.NEGATIVE_INFINITY || max != Double.POSITIVE_INFINITY;
  }

  static String formatNumber(double d) {
    if (Double.isInfinite(d)) {
      return d < 0 ? "-inf" : "inf";
    }
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
