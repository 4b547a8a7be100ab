package io.deezwatts.core.sink.bigquery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.auth.oauth2.GoogleCredentials;
import io.deezwatts.core.sink.SinkException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * BigQuery's {@code tabledata.insertAll} over plain HTTPS: the request body written in one pass
 * over the rows ({@link JsonBodyWriter}: what Jackson's generator writes, with less work) and
 * gzipped, the answer's {@code insertErrors} (or error) read with Jackson's streaming parser.
 *
 * <p>This replaces the Google client library for the one call the sink makes: its generic JSON
 * writer (a map per row, reflection and type checks per value) and the building of the client
 * (about 1,700 classes) dominated the first request of a cold function. The transport is {@link
 * HttpURLConnection}, as the client library's default transport was: one connection per request
 * under way, kept alive between requests, a read timeout per socket read, no thread of its own.
 * Requests use a fixed-length body, so the JDK never silently sends a POST twice.
 *
 * <p>One client per sink; thread-safe. Makes no attempt of its own beyond one request per call.
 */
final class InsertAllClient {
  /** BigQuery's REST root. */
  static final String DEFAULT_ROOT = "https://bigquery.googleapis.com";

  /** The scope the client library asks Application Default Credentials for. */
  static final String BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery";

  /** Answers longer than this are not read: no insertAll answer of 500 rows comes near. */
  private static final int MAX_ANSWER_BYTES = 32 << 20;

  private static final String USER_AGENT = "deezwatts-bigquery-sink";

  /**
   * Request headers that authorize a call, from Google credentials; none for a stand-in.
   * Implementations are thread-safe.
   */
  @FunctionalInterface
  interface Authorization {
    /**
     * The headers for a request to {@code uri}, such as {@code Authorization: Bearer ...}.
     *
     * @throws IOException when a token cannot be had right now (the request is retried)
     * @throws SinkException permanent when no credentials are configured at all
     */
    Map<String, List<String>> headers(URI uri) throws IOException, SinkException;

    /** No credentials: for emulators and stand-ins. */
    static Authorization none() {
      return uri -> Map.of();
    }

    /** These credentials, refreshed by themselves as their tokens expire. */
    static Authorization of(GoogleCredentials credentials) {
      Objects.requireNonNull(credentials, "credentials");
      return credentials::getRequestMetadata;
    }

    /**
     * Application Default Credentials, looked up at the first request (not when the sink opens: on
     * a machine outside Google Cloud the lookup probes the metadata server) and kept once found,
     * scoped to BigQuery as the client library does.
     */
    static Authorization applicationDefault() {
      return new ApplicationDefault();
    }
  }

  /** Application Default Credentials, looked up once they are first needed. */
  private static final class ApplicationDefault implements Authorization {
    private GoogleCredentials credentials; // guarded by this

    @Override
    public Map<String, List<String>> headers(URI uri) throws IOException, SinkException {
      return credentials().getRequestMetadata(uri);
    }

    private synchronized GoogleCredentials credentials() throws SinkException {
      if (credentials == null) {
        GoogleCredentials found;
        try {
          found = GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
          throw SinkException.permanent(
              "no Google credentials for BigQuery: "
                  + e.getMessage()
                  + " (run as a service account, or set GOOGLE_APPLICATION_CREDENTIALS)",
              e);
        }
        credentials = found.createScopedRequired() ? found.createScoped(BIGQUERY_SCOPE) : found;
      }
      return credentials;
    }
  }

  private final String tablesUrl;
  private final Authorization authorization;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final JsonFactory json = new JsonFactory();

  /**
   * @param root BigQuery's REST root, such as {@link #DEFAULT_ROOT} or an emulator's {@code
   *     http://localhost:9050}, without a trailing slash
   * @param project the project that holds the dataset
   * @param dataset the dataset that holds the tables
   * @param authorization what authorizes each request
   * @param connectTimeout how long to wait for a connection
   * @param readTimeout how long to wait for each read of the answer
   */
  InsertAllClient(
      String root,
      String project,
      String dataset,
      Authorization authorization,
      Duration connectTimeout,
      Duration readTimeout) {
    // StringBuilder rather than +: each shape of string concatenation costs a method-handle
    // bootstrap the first time it runs, here on a cold function's first request.
    this.tablesUrl =
        new StringBuilder(Objects.requireNonNull(root, "root"))
            .append("/bigquery/v2/projects/")
            .append(Objects.requireNonNull(project, "project"))
            .append("/datasets/")
            .append(Objects.requireNonNull(dataset, "dataset"))
            .append("/tables/")
            .toString();
    this.authorization = Objects.requireNonNull(authorization, "authorization");
    this.connectTimeoutMillis = (int) connectTimeout.toMillis();
    this.readTimeoutMillis = (int) readTimeout.toMillis();
  }

  /**
   * Sends one {@code insertAll} request with these rows ({@code skipInvalidRows} and {@code
   * ignoreUnknownValues} off, each row's insert id) and reads BigQuery's answer.
   *
   * @return the errors of each row BigQuery did not store, by its index in {@code rows} (-1 when
   *     BigQuery gave none); empty when every row was stored. Rows not named were stored.
   * @throws InsertAllException when BigQuery answered with an HTTP error, or no usable answer came
   *     (I/O failure, a timeout, a body that is not the JSON BigQuery sends); whether a retry can
   *     help is for {@link BigQueryErrors#isTransient} to say
   * @throws SinkException permanent when no credentials are configured (a retry cannot help)
   */
  Map<Long, List<RowError>> insertAll(String table, List<PendingRow> rows)
      throws InsertAllException, SinkException {
    String url = tablesUrl.concat(table).concat("/insertAll");
    HttpURLConnection c = null;
    try {
      ByteArrayOutputStream body = body(rows);
      URI uri = URI.create(url);
      Map<String, List<String>> auth = authorization.headers(uri);
      c = (HttpURLConnection) uri.toURL().openConnection();
      c.setRequestMethod("POST");
      c.setConnectTimeout(connectTimeoutMillis);
      c.setReadTimeout(readTimeoutMillis);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(body.size());
      c.setRequestProperty("Content-Type", "application/json; charset=UTF-8");
      c.setRequestProperty("Content-Encoding", "gzip");
      c.setRequestProperty("Accept", "application/json");
      c.setRequestProperty("Accept-Encoding", "gzip");
      c.setRequestProperty("User-Agent", USER_AGENT);
      for (Map.Entry<String, List<String>> h : auth.entrySet()) {
        for (String value : h.getValue()) {
          c.addRequestProperty(h.getKey(), value);
        }
      }
      try (OutputStream out = c.getOutputStream()) {
        body.writeTo(out);
      }
      int status = c.getResponseCode();
      if (status < 100) {
        throw new IOException("the answer is not HTTP");
      }
      byte[] answer = read(c, status);
      if (status / 100 == 2) {
        return insertErrors(answer);
      }
      throw failure(status, c.getResponseMessage(), answer);
    } catch (IOException e) {
      if (c != null) {
        c.disconnect(); // do not keep a connection in an unknown state
      }
      throw InsertAllException.io(e);
    }
  }

  /** The gzipped request body. */
  ByteArrayOutputStream body(List<PendingRow> rows) throws IOException {
    long estimate = Chunker.ENVELOPE_BYTES;
    for (PendingRow r : rows) {
      estimate += r.estimatedBytes();
    }
    // JSON of this kind compresses about tenfold; the estimate is an upper bound.
    ByteArrayOutputStream buffer =
        new ByteArrayOutputStream((int) Math.min(estimate / 8 + 512, 16 << 20));
    try (FastGzip gzip = new FastGzip(buffer)) {
      JsonBodyWriter w = new JsonBodyWriter(gzip);
      w.raw("{\"skipInvalidRows\":false,\"ignoreUnknownValues\":false,\"rows\":[");
      boolean first = true;
      for (PendingRow r : rows) {
        w.raw(first ? "{\"insertId\":" : ",{\"insertId\":");
        first = false;
        w.string(r.insertId());
        w.raw(",\"json\":");
        RowContent.write(w, r.columns(), r.values());
        w.raw('}');
      }
      w.raw("]}");
      w.flush();
    }
    return buffer;
  }

  /**
   * Gzip at the fastest level: on a fraction of a vCPU, compressing is the cost that counts; it
   * still shrinks the rows' JSON several times over.
   */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 8192);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  /** The whole answer body (so that the connection can be reused), gunzipped. */
  private static byte[] read(HttpURLConnection c, int status) throws IOException {
    InputStream raw = status >= 400 ? c.getErrorStream() : c.getInputStream();
    if (raw == null) {
      return new byte[0];
    }
    try (InputStream in =
        "gzip".equalsIgnoreCase(c.getContentEncoding()) ? new GZIPInputStream(raw) : raw) {
      byte[] answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
      if (answer.length > MAX_ANSWER_BYTES) {
        throw new IOException("the answer is longer than " + MAX_ANSWER_BYTES + " bytes");
      }
      return answer;
    }
  }

  /** The {@code insertErrors} of a successful answer, by row index. */
  private Map<Long, List<RowError>> insertErrors(byte[] answer) throws IOException {
    Map<Long, List<RowError>> out = new HashMap<>();
    try (JsonParser p = json.createParser(answer)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("the insertAll answer is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!"insertErrors".equals(field) || value != JsonToken.START_ARRAY) {
          p.skipChildren();
          continue;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
          long index = -1;
          List<RowError> errors = new ArrayList<>();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if ("index".equals(key) && v == JsonToken.VALUE_NUMBER_INT) {
              index = p.getLongValue();
            } else if ("errors".equals(key) && v == JsonToken.START_ARRAY) {
              errors.addAll(errorList(p));
            } else {
              p.skipChildren();
            }
          }
          out.computeIfAbsent(index, i -> new ArrayList<>()).addAll(errors);
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
          throw new IOException("insertErrors is not an array of objects");
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw new IOException("the insertAll answer is not a JSON object");
      }
    }
    return out;
  }

  /** An {@code errors} array, the parser on its start. */
  private static List<RowError> errorList(JsonParser p) throws IOException {
    List<RowError> errors = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String reason = null;
      String location = null;
      String message = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken v = p.nextToken();
        if (v == JsonToken.VALUE_STRING && "reason".equals(key)) {
          reason = p.getText();
        } else if (v == JsonToken.VALUE_STRING && "location".equals(key)) {
          location = p.getText();
        } else if (v == JsonToken.VALUE_STRING && "message".equals(key)) {
          message = p.getText();
        } else {
          p.skipChildren();
        }
      }
      errors.add(new RowError(reason, location, message));
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw new IOException("errors is not an array of objects");
    }
    return errors;
  }

  /**
   * An HTTP error answer: {@code {"error":{"code":...,"message":...,"errors":[...]}}} from
   * BigQuery; only the status and its text from anything else, such as a proxy's HTML page.
   */
  private InsertAllException failure(int status, String statusText, byte[] answer) {
    String message = null;
    List<RowError> errors = List.of();
    try (JsonParser p = json.createParser(answer)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken value = p.nextToken();
          if (!"error".equals(field) || value != JsonToken.START_OBJECT) {
            p.skipChildren();
            continue;
          }
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if ("message".equals(key) && v == JsonToken.VALUE_STRING) {
              message = p.getText();
            } else if ("errors".equals(key) && v == JsonToken.START_ARRAY) {
              errors = errorList(p);
            } else {
              p.skipChildren();
            }
          }
        }
      }
    } catch (IOException e) {
      // Not BigQuery's JSON: the status says enough.
    }
    if (message == null) {
      message = statusText == null || statusText.isBlank() ? "HTTP " + status : statusText;
    }
    return InsertAllException.http(status, message, errors);
  }
}
