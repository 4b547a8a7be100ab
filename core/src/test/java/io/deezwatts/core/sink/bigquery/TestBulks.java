package io.deezwatts.core.sink.bigquery;

import io.deezwatts.core.decode.BulkDecoder;
import io.deezwatts.core.decode.BulkRejectedException;
import io.deezwatts.core.decode.DecodedBulk;
import io.deezwatts.core.decode.IngestContext;
import io.deezwatts.core.decode.Row;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.SinkBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Batches made by decoding real bulks, as the ingest service makes them. */
final class TestBulks {
  static final IngestContext CONTEXT =
      IngestContext.replay(Instant.parse("2024-05-01T10:00:00.123456Z"));

  private TestBulks() {}

  /** Decodes a bulk of a feed. */
  static DecodedBulk decode(String feed, String body) {
    try {
      return BulkDecoder.forFeed(feed).decode(body.getBytes(StandardCharsets.UTF_8), CONTEXT);
    } catch (BulkRejectedException e) {
      throw new AssertionError("test bulk rejected: " + e.getMessage(), e);
    }
  }

  /** The batch of one bulk. */
  static SinkBatch batch(String feed, String body) {
    return SinkBatch.of(decode(feed, body));
  }

  /**
   * One batch of several spec example bulks of a feed ({@code spec-examples/FEED/NAME.json}), their
   * rows and quarantine entries in the order given.
   */
  static SinkBatch examples(String feed, String... names) {
    List<Row> rows = new ArrayList<>();
    List<QuarantineEntry> quarantine = new ArrayList<>();
    for (String name : names) {
      SinkBatch b = batch(feed, resource("/spec-examples/" + feed + "/" + name + ".json"));
      rows.addAll(b.rows());
      quarantine.addAll(b.quarantine());
    }
    return new SinkBatch(feed, CONTEXT, rows, quarantine);
  }

  /** A data-streams bulk of {@code n} events made by {@code event}, as a JSON array. */
  static String bulk(int n, IntFunction<String> event) {
    StringBuilder sb = new StringBuilder(n * 160).append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(event.apply(i));
    }
    return sb.append(']').toString();
  }

  /** A {@code car_ignition} event with id {@code i}. */
  static String ignition(int i) {
    return "{\"type\":\"car_ignition\",\"id\":"
        + (1_000_000 + i)
        + ",\"value\":"
        + (i % 2 == 0)
        + ",\"vehicleId\":"
        + (1337 + i % 7)
        + ",\"time\":\"2022-01-01T12:30:10Z\"}";
  }

  /** A {@code gps_position} event with id {@code i}. */
  static String gps(int i) {
    return "{\"type\":\"gps_position\",\"id\":"
        + (2_000_000 + i)
        + ",\"vehicleId\":228745,\"time\":\"2022-10-12T07:06:45.000Z\",\"latitude\":60.6137"
        + ",\"longitude\":17.4140,\"speed\":"
        + (i % 120)
        + ",\"direction\":120,\"eph\":null,\"hdop\":69}";
  }

  /** Even indexes ignitions, odd ones GPS positions: all rows of {@code vehicle_events}. */
  static String mixed(int i) {
    return i % 2 == 0 ? ignition(i) : gps(i);
  }

  static String resource(String path) {
    try (InputStream in = TestBulks.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + path);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
