package io.deezwatts.core.catalog;

import io.deezwatts.core.json.FieldHash;
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
  private final long[] hash1;
  private final long[] hash2;

  private FieldNames(Map<String, Integer> ranks, String[] byRank) {
    this.ranks = ranks;
    this.byRank = byRank;
    this.hash1 = new long[byRank.length];
    this.hash2 = new long[byRank.length];
    for (int r = 0; r < byRank.length; r++) {
      hash1[r] = FieldHash.string1(byRank[r]);
      hash2[r] = FieldHash.string2(byRank[r]);
    }
  }

  static FieldNames of(CatalogJson feeds) {
    TreeSet<String> names = new TreeSet<>();
    names.add("type");
    for (CatalogJson feed : feeds) {
      collect(feed.path("common"), names);
      for (CatalogJson fields : feed.path("tableCommon")) {
        collect(fields, names);
      }
      for (CatalogJson t : feed.path("types")) {
        collect(t.path("fields"), names);
      }
    }
    Map<String, Integer> ranks = new HashMap<>();
    int rank = 0;
    for (String n : names) {
      ranks.put(n.intern(), rank++); // interned, as Jackson's names are: equals is then ==
    }
    return new FieldNames(Map.copyOf(ranks), names.toArray(new String[0]));
  }

  private static void collect(CatalogJson fields, TreeSet<String> names) {
    for (CatalogJson f : fields) {
      names.add(f.path("name").asText());
      for (CatalogJson a : f.path("aliases")) {
        names.add(a.asText());
      }
      collect(f.path("fields"), names);
      collect(f.path("items"), names);
    }
  }

  /** The name's rank, or {@link #UNKNOWN}. */
  public int rank(String name) {
    Integer r = ranks.get(name);
    return r == null ? UNKNOWN : r;
  }

  /** {@link FieldHash#string1} of the name of a rank, computed once. */
  public long hash1(int rank) {
    return hash1[rank];
  }

  /** {@link FieldHash#string2} of the name of a rank, computed once. */
  public long hash2(int rank) {
    return hash2[rank];
  }

  /** The name of a rank. */
  public String name(int rank) {
    return byRank[rank];
  }

  public int size() {
    return ranks.size();
  }
}
