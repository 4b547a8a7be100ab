package io.deezwatts.core.decode;

import io.deezwatts.core.catalog.Catalog;

/**
 * Turns one bulk of a feed into rows and quarantined events. Implementations are immutable and
 * thread-safe: create one per feed and share it.
 */
public interface BulkDecoder {
  /** The feed this decoder reads: {@code data-streams}, {@code legacy-push} or {@code viriciti}. */
  String feed();

  /**
   * Decodes a bulk. Every event ends up either as a row or as a quarantined event with its reason;
   * an invalid event never fails the bulk.
   *
   * @param body the bulk as received: a JSON array of events for the Connected Cars feeds, a
   *     sequence of socket messages for ViriCiti
   * @param context where and when it arrived, recorded on every row
   * @throws BulkRejectedException when the body as a whole is unusable (not JSON, not an array,
   *     over a limit); retrying the same body cannot help
   */
  DecodedBulk decode(byte[] body, IngestContext context) throws BulkRejectedException;

  /**
   * The decoder for a feed of the standard catalog.
   *
   * @throws IllegalArgumentException naming the known feeds when the name is not one
   */
  static BulkDecoder forFeed(String feed) {
    return forFeed(Catalog.standard(), feed);
  }

  /** The decoder for a feed of the given catalog. */
  static BulkDecoder forFeed(Catalog catalog, String feed) {
    return new JsonBulkDecoder(catalog, catalog.feed(feed));
  }
}
