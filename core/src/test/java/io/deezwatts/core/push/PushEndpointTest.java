package io.deezwatts.core.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.deezwatts.core.decode.Limits;
import io.deezwatts.core.ingest.IngestService;
import io.deezwatts.core.ingest.SettingException;
import io.deezwatts.core.ingest.StartupFailure;
import io.deezwatts.core.log.RecordingLog;
import io.deezwatts.core.sink.FakeSink;
import io.deezwatts.core.sink.QuarantineEntry;
import io.deezwatts.core.sink.SinkException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The platform-neutral push endpoint. The sink is a small in-memory fake of our own port (it
 * records batches or fails as told), so every status can be produced on demand.
 */
class PushEndpointTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final String GOOD =
      "[{\"type\":\"car_ignition\",\"id\":1,\"value\":true,\"vehicleId\":5,"
          + "\"time\":\"2022-01-01T00:00:00Z\"}]";

  private final FakeSink sink = new FakeSink();

  private PushEndpoint endpoint(PushEndpoint.SignatureCheck signature) {
    return new PushEndpoint(
        new IngestService(sink),
        header -> "Bearer ok".equals(header),
        signature,
        "data-streams",
        Duration.ofSeconds(30),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private PushResponse post(PushEndpoint e, String path, String auth, String body) {
    Map<String, String> headers =
        auth == null
            ? Map.of("X-Request-Id", "r-7")
            : Map.of("Authorization", auth, "X-Request-Id", "r-7");
    return e.handle("POST", path, headers::get, body.length(), stream(body));
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acceptsAndRecordsTheRequestIdAndDeadline() {
    PushResponse r = post(endpoint(null), "/data-streams", "Bearer ok", GOOD);
    assertEquals(200, r.status(), r.json());
    assertEquals("{\"status\":\"accepted\",\"events\":1,\"stored\":1,\"quarantined\":0}", r.json());
    assertEquals("r-7", sink.batches.get(0).rows().get(0).get("request_id"));
    assertEquals("http", sink.batches.get(0).rows().get(0).get("source"));
    assertEquals(NOW.plusSeconds(30), sink.lastDeadline);
  }

  @Test
  void pathsChooseTheFeed() {
    PushEndpoint e = endpoint(null);
    assertEquals("data-streams", e.feedFor("/"));
    assertEquals("data-streams", e.feedFor("/data-streams/"));
    assertEquals("legacy-push", e.feedFor("/legacy/account"));
    assertEquals("legacy-push", e.feedFor("/legacy/car"));
    assertEquals(null, e.feedFor("/admin"));
    assertEquals(404, post(e, "/admin", "Bearer ok", GOOD).status());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void refusesWithoutStoringAnything() {
    PushEndpoint e = endpoint(null);
    assertEquals(401, post(e, "/", null, GOOD).status());
    assertEquals(401, post(e, "/", "Bearer nope", GOOD).status());
    assertEquals("{\"error\":\"unauthorized\"}", post(e, "/", "Basic x", GOOD).json());
    assertEquals(405, e.handle("GET", "/", h -> null, 0, stream("")).status());
    assertEquals(
        413,
        e.handle("POST", "/", Map.of("Authorization", "Bearer ok")::get, 40L << 20, stream(GOOD))
            .status());
    assertTrue(sink.batches.isEmpty(), "nothing refused reaches the sink");
  }

  @Test
  void anUnparseableBodyIsQuarantinedThen400() {
    PushResponse r = post(endpoint(null), "/", "Bearer ok", "{\"an\":\"object\"}");
    assertEquals(400, r.status());
    assertTrue(r.json().contains("not a JSON array"), r.json());
    assertEquals(1, sink.batches.get(0).quarantine().size(), "kept raw before answering");
    assertEquals("{\"an\":\"object\"}", sink.batches.get(0).quarantine().get(0).raw());
  }

  @Test
  void storageFailuresAnswer503Or500WithoutDetails() {
    PushEndpoint e = endpoint(null);
    sink.failWith = SinkException.transientFailure("backendError at table x", null);
    PushResponse busy = post(e, "/", "Bearer ok", GOOD);
    assertEquals(503, busy.status());
    assertFalse(busy.json().contains("backendError"), busy.json());

    sink.failWith = SinkException.permanent("table not found", null);
    assertEquals(500, post(e, "/", "Bearer ok", GOOD).status());

    sink.failWith = null;
    sink.crashWith = new IllegalStateException("boom at io.deezwatts.Secret.line(42)");
    PushResponse crash = post(e, "/", "Bearer ok", GOOD);
    assertEquals(500, crash.status());
    assertFalse(crash.json().contains("boom"), "no exception text reaches the sender");
  }

  @Test
  void aSignatureProblemIs401AndTheBodyIsChecked() {
    List<byte[]> checked = new ArrayList<>();
    PushEndpoint e =
        endpoint(
            (header, body) -> {
              checked.add(body);
              return "good".equals(header) ? null : "bad signature";
            });
    Map<String, String> headers =
        Map.of("Authorization", "Bearer ok", "X-Request-Signature", "bad");
    assertEquals(401, e.handle("POST", "/", headers::get, -1, stream(GOOD)).status());
    assertTrue(sink.batches.isEmpty());
    Map<String, String> signed =
        Map.of("Authorization", "Bearer ok", "X-Request-Signature", "good");
    assertEquals(200, e.handle("POST", "/", signed::get, -1, stream(GOOD)).status());
    assertEquals(GOOD, new String(checked.get(1), StandardCharsets.UTF_8));
  }

  @Test
  void anUnreadableBodyIs400() {
    InputStream broken =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw new IOException("connection reset");
          }
        };
    PushResponse r =
        endpoint(null).handle("POST", "/", Map.of("Authorization", "Bearer ok")::get, -1, broken);
    assertEquals(400, r.status());
  }

  @Test
  void settingsComeFromTheEnvironment() {
    PushSettings s =
        PushSettings.fromEnvironment(
            Map.of("DEEZWATTS_FEED", "legacy-push", "DEEZWATTS_DEADLINE_SECONDS", "12"));
    assertEquals("legacy-push", s.defaultFeed());
    assertEquals(Duration.ofSeconds(12), s.deadline());
    assertEquals("duckdb:./data/deezwatts.duckdb", s.sinkUri());
    SettingException noToken =
        org.junit.jupiter.api.Assertions.assertThrows(
            SettingException.class, () -> PushSettings.httpToken(Map.of()));
    assertTrue(noToken.getMessage().contains("DEEZWATTS_HTTP_TOKEN"));
    assertEquals("DEEZWATTS_HTTP_TOKEN", noToken.setting());
    assertTrue(StartupFailure.of(noToken).configuration());
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> PushSettings.fromEnvironment(Map.of("DEEZWATTS_DEADLINE_SECONDS", "soon")));
  }

  private PushResponse post(PushEndpoint e, Map<String, String> extra, byte[] body) {
    Map<String, String> headers = new java.util.HashMap<>(extra);
    headers.put("Authorization", "Bearer ok");
    return e.handle(
        "POST", "/data-streams", headers::get, body.length, new ByteArrayInputStream(body));
  }

  private static byte[] gzip(byte[] plain) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void aGzipBodyIsDecodedAndStoredLikeThePlainOne() throws IOException {
    byte[] zipped = gzip(GOOD.getBytes(StandardCharsets.UTF_8));
    PushResponse r = post(endpoint(null), Map.of("Content-Encoding", "gzip"), zipped);
    assertEquals(200, r.status(), r.json());
    assertEquals(1, sink.batches.get(0).rows().size());
    assertTrue(sink.batches.get(0).quarantine().isEmpty());
  }

  @Test
  void aGzipBodyThatExpandsPastTheLimitIs413AndNothingIsStored() throws IOException {
    byte[] spaces = new byte[Limits.MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(spaces, (byte) ' ');
    byte[] bomb = gzip(spaces);
    assertTrue(bomb.length < 1024 * 1024, "small on the wire: " + bomb.length);
    PushResponse r = post(endpoint(null), Map.of("Content-Encoding", "gzip"), bomb);
    assertEquals(413, r.status(), r.json());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void aBodyThatIsNotTheGzipItClaimsIsQuarantinedExactlyAsReceived() {
    byte[] notGzip = {(byte) 0x1f, (byte) 0x8b, 8, 0, (byte) 0xff, (byte) 0xfe, 1, 2};
    PushResponse r = post(endpoint(null), Map.of("Content-Encoding", "gzip"), notGzip);
    assertEquals(400, r.status(), r.json());
    QuarantineEntry q = sink.batches.get(0).quarantine().get(0);
    assertEquals(QuarantineEntry.BASE64, q.rawEncoding());
    org.junit.jupiter.api.Assertions.assertArrayEquals(notGzip, q.rawBytes());
    assertTrue(q.reason().contains("not valid gzip"), q.reason());
  }

  @Test
  void aGzipBodySentWithoutItsEncodingIsQuarantinedByteForByte() throws IOException {
    byte[] zipped = gzip(GOOD.getBytes(StandardCharsets.UTF_8));
    PushResponse r = post(endpoint(null), Map.of(), zipped);
    assertEquals(400, r.status(), r.json());
    QuarantineEntry q = sink.batches.get(0).quarantine().get(0);
    assertEquals(QuarantineEntry.BASE64, q.rawEncoding());
    org.junit.jupiter.api.Assertions.assertArrayEquals(zipped, q.rawBytes());
    assertEquals(zipped.length, q.rawLength());
  }

  @Test
  void aMultipartBodyIsRefusedWith415NotStoredEmpty() {
    String multipart =
        "--b\r\nContent-Disposition: form-data; name=\"bulk\"\r\n\r\n" + GOOD + "\r\n--b--\r\n";
    PushResponse r =
        post(
            endpoint(null),
            Map.of("Content-Type", "multipart/form-data; boundary=b"),
            multipart.getBytes(StandardCharsets.UTF_8));
    assertEquals(415, r.status(), r.json());
    assertTrue(r.json().contains("multipart"), r.json());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void anEncodingOtherThanGzipIs415() {
    PushResponse r =
        post(
            endpoint(null),
            Map.of("Content-Encoding", "br"),
            GOOD.getBytes(StandardCharsets.UTF_8));
    assertEquals(415, r.status(), r.json());
    assertTrue(sink.batches.isEmpty());
  }

  @Test
  void eachBulkLogsOneLineWithItsFieldsAndEachRefusalItsStatusButNeverTheCredential() {
    List<String> lines = new ArrayList<>();
    java.util.logging.Logger log = RecordingLog.into(lines);
    PushEndpoint e = endpoint(null);
    byte[] good = GOOD.getBytes(StandardCharsets.UTF_8);
    Map<String, String> headers = Map.of("Authorization", "Bearer ok", "X-Request-Id", "r-9");
    e.handle(
        "POST", "/data-streams", headers::get, good.length, new ByteArrayInputStream(good), log);
    Map<String, String> wrong =
        Map.of("Authorization", "Bearer hunter2-secret", "X-Request-Id", "r-10");
    e.handle("POST", "/data-streams", wrong::get, good.length, new ByteArrayInputStream(good), log);

    assertEquals(2, lines.size(), lines.toString());
    assertTrue(
        lines
            .get(0)
            .matches(
                "INFO bulk stored outcome=stored feed=data-streams source=http request_id=r-9"
                    + " events=1 stored=1 quarantined=0 duration_ms=\\d+"),
        lines.get(0));
    assertEquals(
        "WARNING push refused outcome=refused status=401 reason=unauthorized request_id=r-10"
            + " path=/data-streams",
        lines.get(1));
    assertFalse(String.join("\n", lines).contains("hunter2"));
  }
}
