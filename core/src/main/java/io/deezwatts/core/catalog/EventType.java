package io.deezwatts.core.catalog;

import java.util.List;
import java.util.Map;

/**
 * One event type of a feed: the table it lands in and every field it may carry, including the
 * fields common to its feed and table.
 *
 * @param feed the feed's name
 * @param name the type's name (the JSON {@code type} value; for ViriCiti charging stations, {@code
 *     chargestations.<parameter>})
 * @param table where its rows go
 * @param description what the event means
 * @param known false for the stand-in used for types the catalog does not know
 * @param ownFields the fields documented for this type alone
 * @param fields every field: feed-common, table-common and own, in that order
 * @param fieldsByName lookup by JSON name, aliases included
 * @param requiredCount how many of {@code fields} are required
 * @param fieldsByRank {@code fields} by the rank of a JSON name (aliases included)
 * @param keySeed1 first half of the hash of the feed and type names, which every key starts from
 * @param keySeed2 second half of that hash
 */
public record EventType(
    String feed,
    String name,
    TableSpec table,
    String description,
    boolean known,
    List<FieldSpec> ownFields,
    List<FieldSpec> fields,
    Map<String, FieldSpec> fieldsByName,
    int requiredCount,
    FieldSpec[] fieldsByRank,
    long keySeed1,
    long keySeed2) {

  /**
   * The seed of event keys for a type name (this type's own, or an unknown one it stands in for).
   */
  public static long keySeed1(String feed, String typeName) {
    return io.deezwatts.core.json.FieldHash.string1(seedText(feed, typeName));
  }

  /** Second half of {@link #keySeed1}. */
  public static long keySeed2(String feed, String typeName) {
    return io.deezwatts.core.json.FieldHash.string2(seedText(feed, typeName));
  }

  /**
   * {@code feed + "\u0000" + typeName}, built without string concatenation: its first use costs a
   * method-handle bootstrap, and the catalog loads on a cold function's first request.
   */
  private static String seedText(String feed, String typeName) {
    return new StringBuilder(feed.length() + 1 + typeName.length())
        .append(feed)
        .append('\u0000')
        .append(typeName)
        .toString();
  }

  /** The field a JSON name refers to, or null when the type does not document it. */
  public FieldSpec field(String jsonName) {
    return fieldsByName.get(jsonName);
  }
}
