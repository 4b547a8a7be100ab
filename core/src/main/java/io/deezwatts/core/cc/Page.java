package io.deezwatts.core.cc;

import java.util.List;

/**
 * One page of a paged query.
 *
 * @param items the page's items
 * @param hasNextPage whether another page follows
 * @param endCursor the cursor to pass as {@code after} for the next page, or null
 */
public record Page<T>(List<T> items, boolean hasNextPage, String endCursor) {
  public Page {
    items = List.copyOf(items);
  }
}
