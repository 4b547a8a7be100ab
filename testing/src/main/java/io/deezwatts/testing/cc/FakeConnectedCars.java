package io.deezwatts.testing.cc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Connected Cars' auth API and GraphQL API played by a JDK {@link HttpServer}, with state: the
 * consented vehicles, the topics the service account may use, and the data streams.
 *
 * <p>The auth API ({@code POST /auth/login/serviceAccountConverter}) checks the JWT's RS256
 * signature against the public half of a key pair generated here, its header and claims, and the
 * namespace header, then issues {@code tok-1}, {@code tok-2}... The GraphQL API ({@code POST
 * /graphql}) refuses unknown or revoked tokens with 401, pages with {@code first}/{@code after},
 * and behaves as the data-streams document says: {@code addVehicleDataStreams} is idempotent for an
 * active stream, errors on duplicate input, and is all-or-nothing on a permission error. Requests
 * are parsed from the literal arguments the client writes (the document's own syntax).
 *
 * <p>In the testing module, for the tests of every module. The private key is generated at run time
 * and only ever written to a test's temporary directory.
 */
public final class FakeConnectedCars implements AutoCloseable {
  public static final String NAMESPACE = "acme-test";
  public static final String ISSUER = "deezwatts-test@acme-test";
  public static final String KEY_ID = "test-kid-1";
  public static final String AUTH_PATH = "/auth/login/serviceAccountConverter";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A login as the auth API saw it. */
  public record Login(
      JsonNode header, JsonNode claims, boolean signatureValid, String namespace, String token) {}

  /** A GraphQL request as received. */
  public record Request(String operation, String query, String authorization, String namespace) {}

  /**
   * A data stream as this stand-in holds it: its own record, not core's {@code DataStream}, so that
   * the testing module needs nothing of core (core's tests use it too).
   */
  public record DataStream(long id, long vehicleId, long integrationTopicId, String referenceUrl) {}

  private record Failure(int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final KeyPair keys;
  private final Object lock = new Object();

  private final List<Login> logins = new ArrayList<>();
  private final List<Request> requests = new ArrayList<>();
  private final Set<String> validTokens = new HashSet<>();
  private final Map<Long, Long> consented = new TreeMap<>(); // vehicle -> fleet (0: none)
  private final Set<Long> refusedVehicles = new HashSet<>();
  private final Set<Long> topics = new HashSet<>();
  private final Map<Long, DataStream> streams = new TreeMap<>();
  private final Map<String, List<Failure>> failures = new HashMap<>();
  private final Map<String, CountDownLatch> seen = new HashMap<>();
  private final Map<String, CountDownLatch> holds = new HashMap<>();
  private long nextStreamId = 700;
  private long tokenLifetime = 3600;
  private boolean down;
  private int tokenCounter;

  /** Generated once per test JVM (it takes a while); never written outside a temporary dir. */
  private static final KeyPair KEYS = generateKeys();

  private static KeyPair generateKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public FakeConnectedCars() {
    keys = KEYS;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.createContext(AUTH_PATH, this::auth);
    server.createContext("/graphql", this::graphql);
    server.start();
  }

  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String authUrl() {
    return base() + AUTH_PATH;
  }

  public String graphqlUrl() {
    return base() + "/graphql";
  }

  public KeyPair keys() {
    return keys;
  }

  // ---- the service account file ----

  /** The service account file's content: PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8. */
  public String serviceAccount(boolean pkcs1) {
    return serviceAccount(keys, pkcs1);
  }

  /** A service account file for another key (one the auth API does not know). */
  public String serviceAccount(KeyPair other, boolean pkcs1) {
    byte[] pkcs8 = other.getPrivate().getEncoded();
    byte[] der = pkcs1 ? pkcs1From(pkcs8) : pkcs8;
    String label = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
    return "----- BEGIN CONNECTEDCARS INFO -----\n"
        + "iss: "
        + ISSUER
        + "\naud: "
        + authUrl()
        + "\nkid: "
        + KEY_ID
        + "\n----- END CONNECTEDCARS INFO -----\n"
        + "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /** Writes the service account file (PKCS#1) into {@code dir} and returns its path. */
  public Path writeServiceAccount(Path dir) {
    try {
      Path f = dir.resolve("cc-service-account.pem");
      Files.writeString(f, serviceAccount(true));
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The settings that point deezwatts at this server: the service account by path, the namespace,
   * the GraphQL endpoint (the auth endpoint is the file's {@code aud}).
   */
  public Map<String, String> env(Path serviceAccountFile) {
    Map<String, String> env = new HashMap<>();
    env.put("DEEZWATTS_CC_SERVICE_ACCOUNT", serviceAccountFile.toString());
    env.put("DEEZWATTS_CC_NAMESPACE", NAMESPACE);
    env.put("DEEZWATTS_CC_API_ENDPOINT", graphqlUrl());
    return env;
  }

  /** The inner RSAPrivateKey of a PKCS#8 PrivateKeyInfo (SEQUENCE{INTEGER, SEQUENCE, OCTET}). */
  private static byte[] pkcs1From(byte[] pkcs8) {
    int[] pos = {0};
    header(pkcs8, pos); // outer SEQUENCE
    skip(pkcs8, pos); // version
    skip(pkcs8, pos); // algorithm
    int len = header(pkcs8, pos); // OCTET STRING
    byte[] out = new byte[len];
    System.arraycopy(pkcs8, pos[0], out, 0, len);
    return out;
  }

  private static int header(byte[] der, int[] pos) {
    pos[0]++; // tag
    int first = der[pos[0]++] & 0xff;
    if (first < 0x80) {
      return first;
    }
    int len = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      len = (len << 8) | (der[pos[0]++] & 0xff);
    }
    return len;
  }

  private static void skip(byte[] der, int[] pos) {
    int len = header(der, pos);
    pos[0] += len;
  }

  // ---- state ----

  /** A vehicle that has consented, directly ({@code fleet} null) or through its fleet. */
  public FakeConnectedCars consent(long vehicle, Long fleet) {
    synchronized (lock) {
      consented.put(vehicle, fleet == null ? 0L : fleet);
    }
    return this;
  }

  /** Vehicles {@code from}..{@code to} consent directly. */
  public FakeConnectedCars consentRange(long from, long to) {
    for (long v = from; v <= to; v++) {
      consent(v, null);
    }
    return this;
  }

  /** A vehicle that is listed as consented but refused when streams are added (revoked since). */
  public FakeConnectedCars refuse(long vehicle) {
    synchronized (lock) {
      refusedVehicles.add(vehicle);
    }
    return this;
  }

  /** Topics the service account may add streams for. */
  public FakeConnectedCars topics(long... ids) {
    synchronized (lock) {
      for (long t : ids) {
        topics.add(t);
      }
    }
    return this;
  }

  /** A stream that exists already. */
  public DataStream stream(long vehicle, long topic) {
    synchronized (lock) {
      DataStream s = new DataStream(nextStreamId++, vehicle, topic, null);
      streams.put(s.id(), s);
      return s;
    }
  }

  /** Waits until at least {@code count} streams exist; true when they do. */
  public boolean awaitStreams(int count, Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (lock) {
      while (streams.size() < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        lock.wait(left);
      }
      return true;
    }
  }

  public List<DataStream> streams() {
    synchronized (lock) {
      return List.copyOf(streams.values());
    }
  }

  /** The (vehicle, topic) pairs that have a stream. */
  public Set<List<Long>> streamPairs() {
    Set<List<Long>> out = new HashSet<>();
    for (DataStream s : streams()) {
      out.add(List.of(s.vehicleId(), s.integrationTopicId()));
    }
    return out;
  }

  /** How many seconds issued tokens live ({@code expires} in the login answer). */
  public FakeConnectedCars tokenLifetime(long seconds) {
    synchronized (lock) {
      tokenLifetime = seconds;
    }
    return this;
  }

  /** Every token issued so far is refused from now on (401), as after a key rotation. */
  public void revokeTokens() {
    synchronized (lock) {
      validTokens.clear();
    }
  }

  /** The next request for {@code operation} is answered with this status and body. */
  public FakeConnectedCars failNext(String operation, int status, String body) {
    synchronized (lock) {
      failures.computeIfAbsent(operation, k -> new ArrayList<>()).add(new Failure(status, body));
    }
    return this;
  }

  /** While down, every GraphQL request is answered 503. */
  public void down(boolean isDown) {
    synchronized (lock) {
      down = isDown;
    }
  }

  /** Requests for {@code operation} get no answer until {@link #release}. */
  public void hold(String operation) {
    synchronized (lock) {
      holds.put(operation, new CountDownLatch(1));
    }
  }

  public void release(String operation) {
    CountDownLatch l;
    synchronized (lock) {
      l = holds.remove(operation);
    }
    if (l != null) {
      l.countDown();
    }
  }

  /** Waits until a request for {@code operation} has arrived. */
  public boolean awaitRequest(String operation, Duration wait) throws InterruptedException {
    return latch(operation).await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private CountDownLatch latch(String operation) {
    synchronized (lock) {
      return seen.computeIfAbsent(operation, k -> new CountDownLatch(1));
    }
  }

  public List<Login> logins() {
    synchronized (lock) {
      return List.copyOf(logins);
    }
  }

  public List<Request> requests() {
    synchronized (lock) {
      return List.copyOf(requests);
    }
  }

  public List<String> operations() {
    return requests().stream().map(Request::operation).toList();
  }

  // ---- the auth API ----

  private void auth(HttpExchange ex) throws IOException {
    JsonNode body;
    try {
      body = JSON.readTree(ex.getRequestBody().readAllBytes());
    } catch (IOException e) {
      send(ex, 400, "{\"message\":\"body is not JSON\"}");
      return;
    }
    String jwt = body.path("token").asText("");
    String[] parts = jwt.split("\\.");
    String namespace = ex.getRequestHeaders().getFirst("x-organization-namespace");
    if (parts.length != 3) {
      send(ex, 400, "{\"message\":\"token is not a JWT\"}");
      return;
    }
    JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
    JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    boolean valid;
    try {
      Signature v = Signature.getInstance("SHA256withRSA");
      v.initVerify(keys.getPublic());
      v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      valid = v.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      valid = false;
    }
    boolean ok =
        valid
            && "RS256".equals(header.path("alg").asText())
            && KEY_ID.equals(header.path("kid").asText())
            && ISSUER.equals(claims.path("iss").asText())
            && authUrl().equals(claims.path("aud").asText())
            && NAMESPACE.equals(namespace);
    String token = null;
    long lifetime;
    synchronized (lock) {
      if (ok) {
        token = "tok-" + (++tokenCounter);
        validTokens.add(token);
      }
      lifetime = tokenLifetime;
      logins.add(new Login(header, claims, valid, namespace, token));
    }
    if (!ok) {
      send(ex, 401, "{\"message\":\"Invalid service account token: signature or claims\"}");
      return;
    }
    send(ex, 200, JSON.createObjectNode().put("token", token).put("expires", lifetime).toString());
  }

  // ---- the GraphQL API ----

  private void graphql(HttpExchange ex) throws IOException {
    JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
    String op = body.path("operationName").asText();
    String query = body.path("query").asText();
    String authorization = ex.getRequestHeaders().getFirst("Authorization");
    String namespace = ex.getRequestHeaders().getFirst("x-organization-namespace");
    CountDownLatch hold;
    Failure failure = null;
    boolean isDown;
    boolean authorized;
    synchronized (lock) {
      requests.add(new Request(op, query, authorization, namespace));
      hold = holds.get(op);
      List<Failure> f = failures.get(op);
      if (f != null && !f.isEmpty()) {
        failure = f.remove(0);
      }
      isDown = down;
      authorized =
          authorization != null
              && authorization.startsWith("Bearer ")
              && validTokens.contains(authorization.substring(7))
              && NAMESPACE.equals(namespace);
    }
    latch(op).countDown();
    if (hold != null) {
      try {
        hold.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (isDown) {
      send(ex, 503, "<html>Service Unavailable</html>");
      return;
    }
    if (!authorized) {
      send(ex, 401, error("Unauthenticated", "UNAUTHENTICATED"));
      return;
    }
    if (failure != null) {
      send(ex, failure.status(), failure.body());
      return;
    }
    String answer;
    synchronized (lock) {
      answer =
          switch (op) {
            case "consentedIntegrationVehicles" -> vehicles(query);
            case "vehicleDataStreams" -> listStreams(query);
            case "addVehicleDataStreams" -> addStreams(query);
            case "deleteVehicleDataStreams" -> deleteStreams(query);
            case "deleteAllVehicleDataStreams" -> deleteAll(query);
            case "updateVehicleDataStream" -> update(query);
            case "revokeIntegrationAccess" -> revoke(query);
            default -> error("Cannot query field \"" + op + "\" on type \"Query\".", null);
          };
      lock.notifyAll(); // for awaitStreams
    }
    send(ex, 200, answer);
  }

  private String vehicles(String query) {
    Set<Long> fleets = longs(query, "fleetIds");
    Set<Long> ids = longs(query, "vehicleIds");
    List<ObjectNode> items = new ArrayList<>();
    for (Map.Entry<Long, Long> e : consented.entrySet()) {
      long fleet = e.getValue();
      if ((fleets == null || fleets.contains(fleet)) && (ids == null || ids.contains(e.getKey()))) {
        ObjectNode v = JSON.createObjectNode();
        v.put("id", Long.toString(e.getKey())); // an ID: a string, as in the document
        v.put("vin", "VIN" + e.getKey());
        v.put("unitSerial", "serial-" + e.getKey());
        v.put("unitProvider", "cc");
        if (fleet == 0) {
          v.putNull("fleetId");
        } else {
          v.put("fleetId", fleet);
        }
        items.add(v);
      }
    }
    // The document's sample answers under "vehicles", not the field's name.
    return page("vehicles", items, query);
  }

  private String listStreams(String query) {
    Set<Long> topicIds = longs(query, "integrationTopicIds");
    Set<Long> ids = longs(query, "vehicleIds");
    List<ObjectNode> items = new ArrayList<>();
    for (DataStream s : streams.values()) {
      if ((topicIds == null || topicIds.contains(s.integrationTopicId()))
          && (ids == null || ids.contains(s.vehicleId()))) {
        items.add(stream(s));
      }
    }
    return page("vehicles", items, query);
  }

  private static final Pattern ADD_INPUT =
      Pattern.compile(
          "\\{vehicleId: (\\d+), integrationTopicId: (\\d+)(?:, referenceUrl: (\"(?:[^\"\\\\]|\\\\.)*\"))?\\}");

  private String addStreams(String query) {
    Matcher m = ADD_INPUT.matcher(query);
    List<long[]> input = new ArrayList<>();
    List<String> refs = new ArrayList<>();
    Set<List<Long>> pairs = new HashSet<>();
    while (m.find()) {
      long vehicle = Long.parseLong(m.group(1));
      long topic = Long.parseLong(m.group(2));
      if (!pairs.add(List.of(vehicle, topic))) {
        return error(
            "Duplicate input: vehicleId "
                + vehicle
                + " and integrationTopicId "
                + topic
                + " appear more than once",
            "BAD_USER_INPUT");
      }
      input.add(new long[] {vehicle, topic});
      refs.add(m.group(3) == null ? null : stringLiteral(m.group(3)));
    }
    for (long[] in : input) {
      if (!consented.containsKey(in[0]) || refusedVehicles.contains(in[0])) {
        return error(
            "Permission denied: the service account has no access to vehicle " + in[0],
            "FORBIDDEN");
      }
      if (!topics.contains(in[1])) {
        return error(
            "Permission denied: the service account has no access to integration topic " + in[1],
            "FORBIDDEN");
      }
    }
    ArrayNode out = JSON.createArrayNode();
    for (int i = 0; i < input.size(); i++) {
      long vehicle = input.get(i)[0];
      long topic = input.get(i)[1];
      DataStream existing =
          streams.values().stream()
              .filter(s -> s.vehicleId() == vehicle && s.integrationTopicId() == topic)
              .findFirst()
              .orElse(null);
      if (existing == null) {
        existing = new DataStream(nextStreamId++, vehicle, topic, refs.get(i));
        streams.put(existing.id(), existing);
      }
      out.add(stream(existing));
    }
    ObjectNode root = JSON.createObjectNode();
    root.putObject("data").set("addVehicleDataStreams", out);
    return root.toString();
  }

  private String deleteStreams(String query) {
    Set<Long> ids = longs(query, "input");
    for (long id : ids) {
      if (!streams.containsKey(id)) {
        return error("Permission denied: no access to vehicle data stream " + id, "FORBIDDEN");
      }
    }
    ids.forEach(streams::remove);
    return data("deleteVehicleDataStreams", true);
  }

  private String deleteAll(String query) {
    Set<Long> ids = longs(query, "vehicleIds");
    if (ids == null || ids.isEmpty()) {
      return error("No vehicleIds supplied", "BAD_USER_INPUT");
    }
    streams.values().removeIf(s -> ids.contains(s.vehicleId()));
    return data("deleteAllVehicleDataStreams", true);
  }

  private String update(String query) {
    Matcher m =
        Pattern.compile("id: (\\d+), referenceUrl: (\"(?:[^\"\\\\]|\\\\.)*\")").matcher(query);
    if (!m.find()) {
      return error("Syntax Error: expected input { id, referenceUrl }", "GRAPHQL_PARSE_FAILED");
    }
    long id = Long.parseLong(m.group(1));
    DataStream s = streams.get(id);
    if (s == null) {
      return error("Permission denied: no access to vehicle data stream " + id, "FORBIDDEN");
    }
    DataStream updated =
        new DataStream(id, s.vehicleId(), s.integrationTopicId(), stringLiteral(m.group(2)));
    streams.put(id, updated);
    ObjectNode root = JSON.createObjectNode();
    root.putObject("data").set("updateVehicleDataStream", stream(updated));
    return root.toString();
  }

  private String revoke(String query) {
    Matcher m =
        Pattern.compile("integrationId: (\\d+), (fleetId|vehicleId): (\\d+)").matcher(query);
    if (!m.find()) {
      return error("Syntax Error: expected input { integrationId, fleetId | vehicleId }", null);
    }
    long target = Long.parseLong(m.group(3));
    if (m.group(2).equals("vehicleId")) {
      consented.remove(target);
      streams.values().removeIf(s -> s.vehicleId() == target);
    } else {
      Set<Long> gone = new HashSet<>();
      consented.entrySet().removeIf(e -> e.getValue() == target && gone.add(e.getKey()));
      streams.values().removeIf(s -> gone.contains(s.vehicleId()));
    }
    return data("revokeIntegrationAccess", true);
  }

  private static ObjectNode stream(DataStream s) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", s.id());
    n.put("vehicleId", s.vehicleId());
    n.put("integrationTopicId", s.integrationTopicId());
    if (s.referenceUrl() == null) {
      n.putNull("referenceUrl");
    } else {
      n.put("referenceUrl", s.referenceUrl());
    }
    return n;
  }

  private static String page(String field, List<ObjectNode> all, String query) {
    Matcher first = Pattern.compile("first:(\\d+)").matcher(query);
    int n = first.find() ? Integer.parseInt(first.group(1)) : 100;
    Matcher after = Pattern.compile("after:\"([^\"]*)\"").matcher(query);
    int from =
        after.find()
            ? Integer.parseInt(
                    new String(Base64.getDecoder().decode(after.group(1)), StandardCharsets.UTF_8)
                        .substring(2))
                + 1
            : 0;
    int to = Math.min(all.size(), from + n);
    ObjectNode root = JSON.createObjectNode();
    ObjectNode page = root.putObject("data").putObject(field);
    ArrayNode items = page.putArray("items");
    all.subList(Math.min(from, all.size()), to).forEach(items::add);
    ObjectNode info = page.putObject("pageInfo");
    info.put("hasNextPage", to < all.size());
    info.put("hasPreviousPage", from > 0);
    info.put("startCursor", cursor(from));
    info.put("endCursor", to == 0 ? null : cursor(to - 1));
    return root.toString();
  }

  private static String cursor(int index) {
    return Base64.getEncoder().encodeToString(("o=" + index).getBytes(StandardCharsets.UTF_8));
  }

  /** The ids in {@code name:[1,2]} or {@code name: [1,2]}; null when the argument is absent. */
  private static Set<Long> longs(String query, String name) {
    Matcher m = Pattern.compile(name + ":\\s*\\[([^\\]]*)\\]").matcher(query);
    if (!m.find()) {
      return null;
    }
    Set<Long> out = new java.util.LinkedHashSet<>();
    for (String p : m.group(1).split(",")) {
      if (!p.isBlank()) {
        out.add(Long.parseLong(p.trim()));
      }
    }
    return out;
  }

  private static String stringLiteral(String literal) {
    try {
      return JSON.readTree(literal).asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String data(String field, boolean value) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("data").put(field, value);
    return root.toString();
  }

  /** A GraphQL error answer, shaped as common GraphQL servers shape it. */
  public static String error(String message, String code) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode e = root.putArray("errors").addObject();
    e.put("message", message);
    if (code != null) {
      e.putObject("extensions").put("code", code);
    }
    root.putNull("data");
    return root.toString();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      holds.values().forEach(CountDownLatch::countDown);
      holds.clear();
    }
    server.stop(0);
    executor.shutdownNow();
  }
}
