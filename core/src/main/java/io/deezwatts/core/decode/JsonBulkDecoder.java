package io.deezwatts.core.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.deezwatts.core.catalog.Catalog;
import io.deezwatts.core.catalog.EventType;
import io.deezwatts.core.catalog.Feed;
import io.deezwatts.core.catalog.FieldNames;
import io.deezwatts.core.catalog.TableSpec;
import io.deezwatts.core.json.MetadataJson;
import io.deezwatts.core.json.Murmur3;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The streaming decoder behind {@link BulkDecoder}: one pass over the body, each event captured
 * flat, then checked against its catalog type. Connected Cars feeds are one JSON array per bulk,
 * read by {@link PlainBulkScanner} when plain (the usual case) and by Jackson's tokenizer
 * otherwise, with the same outcome; ViriCiti is a sequence of {@code {type, payload}} messages,
 * read by Jackson.
 */
final class JsonBulkDecoder implements BulkDecoder {
  private static final JsonFactory CONNECTED_CARS = factory(false);

  /** ViriCiti's document prints its examples with comments; accept what it prints. */
  private static final JsonFactory VIRICITI = factory(true);

  private static final Set<String> SUBSCRIPTION_DOMAINS =
      Set.of("vehicles", "chargestations", "incidents");

  private final Feed feed;
  private final FieldNames names;
  private final PlainBulkScanner.Names plainNames;
  private final boolean messages;
  private final byte[] quarantinePrefix;

  JsonBulkDecoder(Catalog catalog, Feed feed) {
    this.feed = feed;
    this.names = catalog.fieldNames();
    this.plainNames = new PlainBulkScanner.Names(names);
    this.messages = "viriciti".equals(feed.name());
    this.quarantinePrefix = ("quarantine\0" + feed.name() + "\0").getBytes(StandardCharsets.UTF_8);
  }

  private static JsonFactory factory(boolean comments) {
    var builder =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                    .maxNumberLength(Limits.MAX_NUMBER_LENGTH)
                    .maxStringLength(Limits.MAX_STRING_LENGTH)
                    .maxNameLength(Limits.MAX_NAME_LENGTH)
                    .maxDocumentLength(Limits.MAX_BODY_BYTES)
                    .build())
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION);
    if (comments) {
      builder.enable(JsonReadFeature.ALLOW_JAVA_COMMENTS);
    }
    return builder.build();
  }

  @Override
  public String feed() {
    return feed.name();
  }

  @Override
  public DecodedBulk decode(byte[] body, IngestContext context) throws BulkRejectedException {
    checkBody(body);
    if (!messages) {
      // Most bulks are plain JSON that the scanner reads by itself; any other goes to Jackson.
      Run plain = new Run(body, context);
      if (plain.plainArray()) {
        return plain.result();
      }
    }
    return withJackson(body, context);
  }

  /** Decodes with Jackson alone, never the plain scanner: for tests holding the two paths equal. */
  DecodedBulk decodeWithJackson(byte[] body, IngestContext context) throws BulkRejectedException {
    checkBody(body);
    return withJackson(body, context);
  }

  /** Whether the plain scanner decodes this body by itself (without Jackson). For tests. */
  boolean decodesPlainly(byte[] body, IngestContext context) {
    return !messages && new Run(body, context).plainArray();
  }

  private static void checkBody(byte[] body) throws BulkRejectedException {
    if (body.length > Limits.MAX_BODY_BYTES) {
      throw new BulkRejectedException(
          "the body is "
              + body.length
              + " bytes; the limit is "
              + Limits.MAX_BODY_BYTES
              + " bytes (32 MiB)",
          -1);
    }
    if (!looksLikeUtf8(body)) {
      throw new BulkRejectedException(
          "the body is not UTF-8 (it looks like UTF-16 or UTF-32); send JSON in UTF-8", -1);
    }
  }

  private DecodedBulk withJackson(byte[] body, IngestContext context) throws BulkRejectedException {
    Run run = new Run(body, context);
    JsonFactory factory = messages ? VIRICITI : CONNECTED_CARS;
    try (JsonParser p = factory.createParser(body)) {
      if (messages) {
        run.messages(p);
      } else {
        run.array(p);
      }
    } catch (StreamConstraintsException e) {
      throw new BulkRejectedException(
          run.where() + "exceeds a limit: " + shortMessage(e), run.index);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String at =
          loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
      throw new BulkRejectedException(
          run.where() + "not valid JSON" + at + ": " + shortMessage(e), run.index);
    } catch (IOException e) {
      throw new UncheckedIOException("reading an in-memory body failed", e);
    }
    return run.result();
  }

  /**
   * JSON is UTF-8 on the wire (RFC 8259). Jackson would guess UTF-16 or UTF-32 from zero bytes and
   * a byte-order mark; reject those instead, as every offset here counts UTF-8 bytes.
   */
  private static boolean looksLikeUtf8(byte[] b) {
    if (b.length >= 2
        && ((b[0] == (byte) 0xFE && b[1] == (byte) 0xFF)
            || (b[0] == (byte) 0xFF && b[1] == (byte) 0xFE))) {
      return false;
    }
    for (int i = 0; i < Math.min(4, b.length); i++) {
      if (b[i] == 0) {
        return false;
      }
    }
    return true;
  }

  /** Jackson's message without its hints on settings and source locations. */
  static String shortMessage(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    int nl = m.indexOf('\n');
    if (nl > 0) {
      m = m.substring(0, nl);
    }
    for (String cut : new String[] {" (start marker at", " (from `", ", from `", " [Source:"}) {
      int i = m.indexOf(cut);
      if (i > 0) {
        m =
            m.substring(0, i)
                + (cut.contains("from") && m.contains("maximum allowed (") ? ")" : "");
      }
    }
    return m;
  }

  /** The state of one decode call. */
  private final class Run {
    final byte[] body;
    final IngestContext context;
    final EventTokens tokens;
    final EventValidator validator;
    final List<Row> rows;
    final List<QuarantinedEvent> quarantined = new ArrayList<>();
    final List<ControlMessage> control = new ArrayList<>();
    final String source;
    final RawJson metadata;
    int index = -1;
    int events;

    Run(byte[] body, IngestContext context) {
      this.body = body;
      this.context = context;
      this.tokens = new EventTokens(names, feed, body);
      this.rows = new ArrayList<>(Math.min(body.length / 100 + 10, Limits.MAX_EVENTS));
      this.validator = new EventValidator(tokens, body, names);
      this.source = context.source().wireName();
      this.metadata =
          context.metadata().isEmpty()
              ? null
              : RawJson.ofCompact(MetadataJson.of(context.metadata()));
    }

    DecodedBulk result() {
      return new DecodedBulk(feed.name(), context, events, rows, quarantined, control);
    }

    /**
     * Decodes the bulk with {@link PlainBulkScanner}, without Jackson. False when the bulk is not
     * in the plain form, and this run is then to be dropped: the Jackson path starts again.
     */
    boolean plainArray() {
      PlainBulkScanner scanner = new PlainBulkScanner(body, tokens, plainNames);
      if (!scanner.start()) {
        return false;
      }
      index = 0;
      while (true) {
        tokens.reset();
        int next = scanner.next();
        if (next == PlainBulkScanner.END) {
          break;
        }
        if (next != PlainBulkScanner.EVENT || index >= Limits.MAX_EVENTS) {
          return false;
        }
        events++;
        connectedCarsEvent(0);
        index++;
      }
      index = -1;
      return true;
    }

    String where() {
      return index < 0 ? "" : (messages ? "message " : "event ") + index + ": ";
    }

    void array(JsonParser p) throws IOException, BulkRejectedException {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new BulkRejectedException("the body is empty; expected a JSON array of events", -1);
      }
      if (t != JsonToken.START_ARRAY) {
        throw new BulkRejectedException(
            "the body is " + kindOf(t) + ", not a JSON array of events", -1);
      }
      index = 0;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (index >= Limits.MAX_EVENTS) {
          throw new BulkRejectedException(
              "the bulk holds more than " + Limits.MAX_EVENTS + " events", index);
        }
        events++;
        if (t == JsonToken.START_OBJECT) {
          tokens.reset();
          int root = tokens.capture(p, t, null);
          connectedCarsEvent(root);
        } else {
          notAnObject(p, t);
        }
        index++;
      }
      index = -1;
      if (p.nextToken() != null) {
        throw new BulkRejectedException("unexpected content after the array of events", -1);
      }
    }

    void messages(JsonParser p) throws IOException, BulkRejectedException {
      JsonToken t;
      index = 0;
      while ((t = p.nextToken()) != null) {
        if (index >= Limits.MAX_EVENTS) {
          throw new BulkRejectedException(
              "the input holds more than " + Limits.MAX_EVENTS + " messages", index);
        }
        if (t == JsonToken.START_OBJECT) {
          tokens.reset();
          int root = tokens.capture(p, t, null);
          viricitiMessage(root);
        } else {
          events++;
          notAnObject(p, t);
        }
        index++;
      }
      index = -1;
    }

    private void notAnObject(JsonParser p, JsonToken t) throws IOException {
      int from = (int) p.currentTokenLocation().getByteOffset();
      p.finishToken(); // a string's end is known only once it is read
      p.skipChildren();
      int to = (int) p.currentLocation().getByteOffset();
      quarantine(null, "is " + kindOf(t) + ", not a JSON object", new RawJson(body, from, to));
    }

    private void connectedCarsEvent(int root) {
      int typeIdx = tokens.member(root, "type");
      String typeName = typeAt(typeIdx, root, "");
      if (typeName == null) {
        return;
      }
      EventType type = tokens.typeIndex == typeIdx ? tokens.type : feed.type(typeName);
      if (type == null) {
        type = standIn(root);
        if (type == null) {
          quarantine(
              typeName,
              "has the unknown type '"
                  + typeName
                  + "' and none of the fields "
                  + "that say where to keep it",
              raw(root));
          return;
        }
      }
      store(root, root, typeName, type, "");
    }

    private void viricitiMessage(int root) {
      int typeIdx = tokens.member(root, "type");
      if (typeIdx < 0 && isSubscriptionEcho(root)) {
        control.add(new ControlMessage(index, "subscription-echo", raw(root)));
        return;
      }
      if (typeIdx >= 0 && tokens.kind[typeIdx] == EventTokens.STRING) {
        String kind = tokens.text[typeIdx];
        if (kind.equals("error") || kind.equals("acl")) {
          control.add(new ControlMessage(index, kind, raw(root)));
          return;
        }
      }
      events++;
      String messageType = typeOf(root, root, "");
      if (messageType == null) {
        return;
      }
      int payload = tokens.member(root, "payload");
      if (payload < 0 || tokens.kind[payload] != EventTokens.OBJECT) {
        quarantine(
            messageType,
            "("
                + messageType
                + "): field 'payload' must be an object, found "
                + (payload < 0 ? "none" : EventTokens.kindName(tokens.kind[payload])),
            raw(root));
        return;
      }
      String typeName = messageType;
      if (messageType.equals("chargestations")) {
        String parameter = typeOf(payload, root, "payload.parameter");
        if (parameter == null) {
          return;
        }
        typeName = "chargestations." + parameter;
      }
      EventType type = feed.type(typeName);
      if (type == null) {
        quarantine(typeName, "has the unknown type '" + typeName + "'", raw(root));
        return;
      }
      store(payload, root, typeName, type, "payload.");
    }

    /** The string value of {@code type} (or the named field), or null after quarantining. */
    private String typeOf(int obj, int message, String fieldPath) {
      return typeAt(
          tokens.member(obj, fieldPath.isEmpty() ? "type" : "parameter"), message, fieldPath);
    }

    /** As {@link #typeOf}, given the index of the field (-1 when absent). */
    private String typeAt(int idx, int message, String fieldPath) {
      String field = fieldPath.isEmpty() ? "type" : fieldPath;
      if (idx < 0) {
        quarantine(null, ": field '" + field + "' is missing", raw(message));
        return null;
      }
      if (tokens.kind[idx] != EventTokens.STRING) {
        quarantine(
            null,
            ": field '"
                + field
                + "' must be a string, found "
                + EventTokens.kindName(tokens.kind[idx]),
            raw(message));
        return null;
      }
      return tokens.text[idx];
    }

    private EventType standIn(int root) {
      for (Feed.UnknownTypeRule rule : feed.unknownTypes()) {
        String when = rule.whenField();
        if (when == null) {
          return rule.standIn();
        }
        int idx = tokens.member(root, when);
        if (idx >= 0 && tokens.kind[idx] != EventTokens.NULL) {
          return rule.standIn();
        }
      }
      return null;
    }

    private boolean isSubscriptionEcho(int root) {
      boolean any = false;
      for (int j = root + 1; j < tokens.end[root]; j = tokens.next(j)) {
        if (!SUBSCRIPTION_DOMAINS.contains(tokens.name[j])
            || tokens.kind[j] != EventTokens.OBJECT) {
          return false;
        }
        any = true;
      }
      return any;
    }

    private void store(int obj, int message, String typeName, EventType type, String path) {
      TableSpec table = type.table();
      Object[] values = new Object[table.columns().size()];
      if (!validator.validate(feed.name(), typeName, type, obj, values, path)) {
        quarantine(
            typeName,
            "(" + typeName + "): " + String.join("; ", validator.reasons()),
            raw(message));
        return;
      }
      values[0] = validator.eventKey();
      values[1] = typeName;
      if (values[2] == null) {
        values[2] = context.receivedAt(); // the legacy account feed carries no time
      }
      int p = table.payloadIndex();
      values[p] = raw(message);
      values[p + 1] = context.receivedAt();
      values[p + 2] = source;
      values[p + 3] = context.requestId();
      values[p + 4] = context.messageId();
      values[p + 5] = metadata;
      if (messages && typeName.equals("vehicles")) {
        // Only ViriCiti's vehicles messages carry a GPS label; a Connected Cars event that calls
        // itself "vehicles" is an unknown type like any other.
        ViricitiGps.fill(table, values);
      }
      rows.add(new Row(table, values));
    }

    private RawJson raw(int obj) {
      return new RawJson(body, tokens.from[obj], tokens.to[obj]);
    }

    private void quarantine(String type, String problem, RawJson raw) {
      String reason =
          (messages ? "message " : "event ")
              + index
              + (problem.startsWith(":") ? "" : " ")
              + problem;
      byte[] bytes = raw.toBytes();
      byte[] keyed = new byte[quarantinePrefix.length + bytes.length];
      System.arraycopy(quarantinePrefix, 0, keyed, 0, quarantinePrefix.length);
      System.arraycopy(bytes, 0, keyed, quarantinePrefix.length, bytes.length);
      String key = Murmur3.hash128Hex(keyed, 0, keyed.length, 0);
      quarantined.add(new QuarantinedEvent(feed.name(), index, type, reason, raw, key));
    }
  }

  private static String kindOf(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name();
    };
  }
}
