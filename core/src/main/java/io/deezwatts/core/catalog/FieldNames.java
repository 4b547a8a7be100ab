package io.deezwatts.core.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Every field name the catalog knows (plus {@code type}), sorted, each with its rank. Ranks order
 * names exactly as {@link String#compareTo} does, so the decoder can sort an event's fields by
 * comparing integers and still get plain name order. Immutable.
 */
public final class FieldNames {
  /** Rank of a name the catalog does not know. */
  public static final int UNKNOWN = -1;

  private final Map<String, Integer> ranks;
  private final String[] byRank;

  private FieldNames(Map<String, Integer> ranks, String[] byRank) {
    this.ranks = ranks;
    this.byRank = byRank;
  }

  static FieldNames of(JsonNode feeds) {
    TreeSet<String> names = new TreeSet<>();
    names.add("type");
    for (JsonNode feed : feeds) {
      collect(feed.path("common"), names);
      feed.path("tableCommon").forEach(fields -> collect(fields, names));
      feed.path("types").forEach(t -> collect(t.path("fields"), names));
    }
    Map<String, Integer> ranks = new HashMap<>();
    int rank = 0;
    for (String n : names) {
      ranks.put(n, rank++);
    }
    return new FieldNames(Map.copyOf(ranks), names.toArray(new String[0]));
  }

  private static void collect(JsonNode fields, TreeSet<String> names) {
    for (JsonNode f : fields) {
      names.add(f.path("name").asText());
      collect(f.path("fields"), names);
      collect(f.path("items"), names);
    }
  }

  /** The name's rank, or {@link #UNKNOWN}. */
  public int rank(String name) {
    Integer r = ranks.get(name);
    return r == null ? UNKNOWN : r;
  }

  /** The name of a rank. */
  public String name(int rank) {
    return byRank[rank];
  }

  public int size() {
    return ranks.size();
  }
}
