package io.deezwatts.core.cc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Connected Cars' GraphQL API for managing vehicle data streams, over {@code java.net.http}, called
 * as a service account: {@code consentedIntegrationVehicles}, {@code vehicleDataStreams} (each with
 * a paging helper), {@code addVehicleDataStreams}, {@code deleteVehicleDataStreams}, {@code
 * deleteAllVehicleDataStreams}, {@code updateVehicleDataStream} and {@code
 * revokeIntegrationAccess}.
 *
 * <p>Tokens come from {@link ServiceAccountTokens}: cached, replaced a few minutes before they
 * expire, and on a 401 (or a GraphQL {@code UNAUTHENTICATED}) replaced once and the call retried.
 * Every failure becomes a typed {@link CcException} with the server's message. The query text
 * carries its arguments as literals, written exactly as Connected Cars' documented samples write
 * them, so no variable types have to be guessed. Thread-safe; create one per process. Nothing it
 * throws or logs holds the key or a token.
 */
public final class CcClient {
  /** The {@code first} of each page the paging helpers ask for, as the document suggests. */
  public static final int PAGE_SIZE = 100;

  /** How long one HTTP request may take before it fails as {@link CcException.Unavailable}. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PAGE_INFO = " pageInfo { hasNextPage endCursor }";
  private static final String STREAM_FIELDS = "id vehicleId integrationTopicId referenceUrl";

  private final CcSettings settings;
  private final HttpClient http;
  private final Duration timeout;
  private final ServiceAccountTokens tokens;

  /** A client for {@code settings}; no request is made until the first call. */
  public CcClient(CcSettings settings, Duration timeout, Clock clock) {
    this.settings = settings;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.tokens =
        new ServiceAccountTokens(
            settings.account(),
            settings.namespace(),
            settings.authEndpoint(),
            http,
            timeout,
            clock);
  }

  /**
   * A client configured by {@code DEEZWATTS_CC_*} settings (see {@link CcSettings}).
   *
   * @throws IllegalArgumentException naming a missing or malformed setting
   */
  public static CcClient fromEnvironment(Map<String, String> env) {
    return new CcClient(CcSettings.fromEnvironment(env), DEFAULT_TIMEOUT, Clock.systemUTC());
  }

  public CcSettings settings() {
    return settings;
  }

  // ---- vehicles ----

  /**
   * One page of {@code consentedIntegrationVehicles}.
   *
   * @param fleetIds only vehicles of these parent fleets (empty: no filter)
   * @param vehicleIds only these vehicles (empty: no filter)
   * @param after the previous page's {@code endCursor}, or null for the first page
   * @throws CcException as classified (see {@link CcException}'s subclasses)
   */
  public Page<Vehicle> consentedVehicles(
      Collection<Long> fleetIds, Collection<Long> vehicleIds, int first, String after)
      throws CcException {
    String op = "consentedIntegrationVehicles";
    String query =
        "query "
            + op
            + " { "
            + op
            + "("
            + args("fleetIds", ids(fleetIds), "vehicleIds", ids(vehicleIds), "first", first, after)
            + ") { items { id vin unitSerial unitProvider fleetId }"
            + PAGE_INFO
            + " } }";
    return page(op, call(op, query), CcClient::vehicle);
  }

  /**
   * Every consented vehicle matching the filters, page after page.
   *
   * @throws CcException as classified; nothing is returned when any page fails
   */
  public List<Vehicle> allConsentedVehicles(Collection<Long> fleetIds, Collection<Long> vehicleIds)
      throws CcException {
    return all(after -> consentedVehicles(fleetIds, vehicleIds, PAGE_SIZE, after));
  }

  // ---- streams ----

  /**
   * One page of {@code vehicleDataStreams}: the streams the service account can see.
   *
   * @param topicIds only streams of these integration topics (empty: no filter)
   * @param vehicleIds only streams of these vehicles (empty: no filter)
   * @throws CcException as classified
   */
  public Page<DataStream> dataStreams(
      Collection<Long> topicIds, Collection<Long> vehicleIds, int first, String after)
      throws CcException {
    String op = "vehicleDataStreams";
    String query =
        "query "
            + op
            + " { "
            + op
            + "("
            + args(
                "integrationTopicIds",
                ids(topicIds),
                "vehicleIds",
                ids(vehicleIds),
                "first",
                first,
                after)
            + ") { items { "
            + STREAM_FIELDS
            + " }"
            + PAGE_INFO
            + " } }";
    return page(op, call(op, query), CcClient::stream);
  }

  /**
   * Every stream matching the filters, page after page.
   *
   * @throws CcException as classified
   */
  public List<DataStream> allDataStreams(Collection<Long> topicIds, Collection<Long> vehicleIds)
      throws CcException {
    return all(after -> dataStreams(topicIds, vehicleIds, PAGE_SIZE, after));
  }

  /**
   * {@code addVehicleDataStreams}: creates the streams, all or none. A stream that is already
   * active is not duplicated; the existing one is returned.
   *
   * @return the streams, with their ids
   * @throws CcException.DuplicateInput when the same vehicle and topic appear twice (nothing is
   *     created); {@link CcException.PermissionDenied} when any vehicle or topic is not accessible
   *     (nothing is created); others as classified
   */
  public List<DataStream> addDataStreams(List<NewStream> streams) throws CcException {
    if (streams.isEmpty()) {
      return List.of();
    }
    StringBuilder input = new StringBuilder();
    for (NewStream s : streams) {
      if (input.length() > 0) {
        input.append(", ");
      }
      input
          .append("{vehicleId: ")
          .append(s.vehicleId())
          .append(", integrationTopicId: ")
          .append(s.integrationTopicId());
      if (s.referenceUrl() != null) {
        input.append(", referenceUrl: ").append(string(s.referenceUrl()));
      }
      input.append('}');
    }
    String op = "addVehicleDataStreams";
    String query =
        "mutation " + op + " { " + op + "(input: [" + input + "]) { " + STREAM_FIELDS + " } }";
    JsonNode added = field(op, call(op, query));
    List<DataStream> out = new ArrayList<>();
    for (JsonNode s : added) {
      out.add(stream(s));
    }
    return out;
  }

  /**
   * {@code deleteVehicleDataStreams}: deletes streams by id, all or none.
   *
   * @return the server's answer (documented to be always true)
   * @throws CcException.PermissionDenied when any stream is not accessible (none is deleted);
   *     others as classified
   */
  public boolean deleteDataStreams(Collection<Long> streamIds) throws CcException {
    String op = "deleteVehicleDataStreams";
    String query = "mutation " + op + " { " + op + "(input: " + ids(streamIds) + ") }";
    return field(op, call(op, query)).asBoolean();
  }

  /**
   * {@code deleteAllVehicleDataStreams}: deletes every stream of these vehicles in the integrations
   * the service account manages; vehicles without streams or access are skipped.
   *
   * @throws IllegalArgumentException when no vehicle is given (the server refuses that too)
   * @throws CcException as classified
   */
  public boolean deleteAllDataStreams(Collection<Long> vehicleIds) throws CcException {
    if (vehicleIds.isEmpty()) {
      throw new IllegalArgumentException("deleteAllVehicleDataStreams needs at least one vehicle");
    }
    String op = "deleteAllVehicleDataStreams";
    String query =
        "mutation " + op + " { " + op + "(input: { vehicleIds:" + ids(vehicleIds) + "}) }";
    return field(op, call(op, query)).asBoolean();
  }

  /**
   * {@code updateVehicleDataStream}: sets a stream's reference URL.
   *
   * @return the stream as it is now
   * @throws CcException as classified
   */
  public DataStream updateDataStream(long streamId, String referenceUrl) throws CcException {
    String op = "updateVehicleDataStream";
    String query =
        "mutation "
            + op
            + " { "
            + op
            + "(input: { id: "
            + streamId
            + ", referenceUrl: "
            + string(referenceUrl)
            + "} ) { "
            + STREAM_FIELDS
            + " } }";
    return stream(field(op, call(op, query)));
  }

  /**
   * {@code revokeIntegrationAccess} for a fleet or a vehicle (one of the two): deletes its streams
   * for the integration; does nothing when it had not granted access.
   *
   * @throws IllegalArgumentException unless exactly one of {@code fleetId} and {@code vehicleId} is
   *     given
   * @throws CcException as classified
   */
  public boolean revokeAccess(long integrationId, Long fleetId, Long vehicleId) throws CcException {
    if ((fleetId == null) == (vehicleId == null)) {
      throw new IllegalArgumentException("revoke access for either a fleet or a vehicle");
    }
    String op = "revokeIntegrationAccess";
    String target = fleetId != null ? "fleetId: " + fleetId : "vehicleId: " + vehicleId;
    String query =
        "mutation "
            + op
            + " { "
            + op
            + "(input: { integrationId: "
            + integrationId
            + ", "
            + target
            + "} ) }";
    return field(op, call(op, query)).asBoolean();
  }

  // ---- query text ----

  private static String ids(Collection<Long> ids) {
    if (ids == null || ids.isEmpty()) {
      return null;
    }
    StringBuilder b = new StringBuilder("[");
    Iterator<Long> it = ids.iterator();
    while (it.hasNext()) {
      b.append(it.next().longValue());
      if (it.hasNext()) {
        b.append(',');
      }
    }
    return b.append(']').toString();
  }

  private static String args(
      String filter1, String ids1, String filter2, String ids2, String first, int n, String after) {
    List<String> a = new ArrayList<>();
    if (ids1 != null) {
      a.add(filter1 + ":" + ids1);
    }
    if (ids2 != null) {
      a.add(filter2 + ":" + ids2);
    }
    a.add(first + ":" + n);
    if (after != null) {
      a.add("after:" + string(after));
    }
    return String.join(", ", a);
  }

  /** A GraphQL string literal: JSON's string syntax is GraphQL's. */
  private static String string(String s) {
    try {
      return JSON.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a string literal", e);
    }
  }

  // ---- answers ----

  private interface PageCall<T> {
    Page<T> next(String after) throws CcException;
  }

  private static <T> List<T> all(PageCall<T> call) throws CcException {
    List<T> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String after = null;
    while (true) {
      Page<T> page = call.next(after);
      out.addAll(page.items());
      if (!page.hasNextPage()) {
        return out;
      }
      String cursor = page.endCursor();
      // A server that repeats a cursor would page forever: stop with an error instead.
      if (cursor == null || !seen.add(cursor)) {
        throw new CcException.Failed(
            "paging",
            "UNEXPECTED_RESPONSE",
            "hasNextPage is true but the endCursor is "
                + (cursor == null ? "missing" : "repeated"));
      }
      after = cursor;
    }
  }

  private static <T> Page<T> page(String op, JsonNode data, ItemReader<T> reader)
      throws CcException {
    JsonNode page = field(op, data);
    List<T> items = new ArrayList<>();
    for (JsonNode item : page.path("items")) {
      items.add(reader.read(item));
    }
    JsonNode info = page.path("pageInfo");
    JsonNode cursor = info.get("endCursor");
    return new Page<>(
        items,
        info.path("hasNextPage").asBoolean(false),
        cursor == null || cursor.isNull() ? null : cursor.asText());
  }

  private interface ItemReader<T> {
    T read(JsonNode item) throws CcException;
  }

  /**
   * The operation's result in {@code data}: under its own name, or, as in some of the document's
   * samples (where {@code consentedIntegrationVehicles} answers under {@code vehicles}), the one
   * field {@code data} holds.
   */
  private static JsonNode field(String op, JsonNode data) throws CcException {
    JsonNode v = data.get(op);
    if (v == null && data.size() == 1) {
      v = data.elements().next();
    }
    if (v == null || v.isNull()) {
      throw new CcException.Failed(op, "UNEXPECTED_RESPONSE", "the answer has no data." + op);
    }
    return v;
  }

  private static Vehicle vehicle(JsonNode v) throws CcException {
    JsonNode fleet = v.get("fleetId");
    return new Vehicle(
        id(v, "id"),
        text(v, "vin"),
        text(v, "unitSerial"),
        text(v, "unitProvider"),
        fleet == null || fleet.isNull() ? null : id(v, "fleetId"));
  }

  private static DataStream stream(JsonNode s) throws CcException {
    return new DataStream(
        id(s, "id"), id(s, "vehicleId"), id(s, "integrationTopicId"), text(s, "referenceUrl"));
  }

  /** An id the API sends as a number or, for GraphQL {@code ID}s, as a string of digits. */
  private static long id(JsonNode node, String field) throws CcException {
    JsonNode v = node.get(field);
    if (v != null && v.canConvertToLong() && v.isIntegralNumber()) {
      return v.asLong();
    }
    if (v != null && v.isTextual()) {
      try {
        return Long.parseLong(v.asText().trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new CcException.Failed(
        "answer", "UNEXPECTED_RESPONSE", "'" + field + "' is not an integer id: " + v);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  // ---- transport ----

  /** Posts the query and returns {@code data}; one token refresh and retry on a 401. */
  private JsonNode call(String operation, String query) throws CcException {
    String body =
        JSON.createObjectNode().put("operationName", operation).put("query", query).toString();
    String token = tokens.token();
    Answer answer = post(operation, body, token);
    if (answer.unauthenticated()) {
      // The token expired early or was revoked: one new token, one retry.
      tokens.refused(token);
      token = tokens.token();
      answer = post(operation, body, token);
      if (answer.unauthenticated()) {
        tokens.refused(token);
        JsonNode errors = answer.errors();
        throw new CcException.Unauthenticated(
            operation,
            errors != null
                ? GraphQlErrors.redact(errors.get(0).path("message").asText(""), token)
                : "HTTP " + answer.status());
      }
    }
    return answer.data(operation, token);
  }

  private record Answer(int status, JsonNode json) {
    JsonNode errors() {
      JsonNode e = json == null ? null : json.get("errors");
      return e != null && e.isArray() && !e.isEmpty() ? e : null;
    }

    boolean unauthenticated() {
      return status == 401 || (errors() != null && GraphQlErrors.unauthenticated(errors()));
    }

    JsonNode data(String operation, String token) throws CcException {
      JsonNode errors = errors();
      if (errors != null) {
        CcException e = GraphQlErrors.classify(operation, errors, token);
        if (status >= 500 && e instanceof CcException.Failed) {
          throw new CcException.Unavailable(
              operation, "Connected Cars answered HTTP " + status + ": " + e.serverMessage());
        }
        throw e;
      }
      if (status == 403) {
        throw new CcException.PermissionDenied(operation, "HTTP 403");
      }
      if (status == 429 || status >= 500 || status != 200) {
        throw new CcException.Unavailable(
            operation,
            "Connected Cars answered HTTP "
                + status
                + (json == null ? " with a body that is not JSON" : ""));
      }
      JsonNode data = json == null ? null : json.get("data");
      if (data == null || !data.isObject()) {
        throw new CcException.Unavailable(operation, "the answer holds no data");
      }
      return data;
    }
  }

  private Answer post(String operation, String body, String token) throws CcException {
    URI uri = settings.apiEndpoint();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("Authorization", "Bearer " + token)
            .header("x-organization-namespace", settings.namespace())
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> response =
        CcHttp.send(http, request, timeout, operation, "Connected Cars", uri.toString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      json = null;
    }
    return new Answer(response.statusCode(), json);
  }
}
