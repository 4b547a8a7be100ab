package io.deezwatts.azure;

import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A small real {@link HttpRequestMessage} with a builder, and the {@link HttpResponseMessage} its
 * response builder makes, as the Java worker gives an {@code @HttpTrigger} function with {@code
 * dataType = "binary"}. The worker lowercases header names, and so does this.
 */
final class TestHttpRequest implements HttpRequestMessage<Optional<byte[]>> {
  private final HttpMethod method;
  private final URI uri;
  private final Map<String, String> headers;
  private final byte[] body;

  private TestHttpRequest(HttpMethod method, URI uri, Map<String, String> headers, byte[] body) {
    this.method = method;
    this.uri = uri;
    this.headers = Map.copyOf(headers);
    this.body = body;
  }

  static Builder post(String path) {
    return new Builder(HttpMethod.POST, path);
  }

  static Builder request(HttpMethod method, String path) {
    return new Builder(method, path);
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  public HttpMethod getHttpMethod() {
    return method;
  }

  @Override
  public Map<String, String> getHeaders() {
    return headers;
  }

  @Override
  public Map<String, String> getQueryParameters() {
    return Map.of();
  }

  @Override
  public Optional<byte[]> getBody() {
    return Optional.ofNullable(body);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
    return new Response.Builder().status(status);
  }

  @Override
  public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
    return new Response.Builder().status(status);
  }

  static final class Builder {
    private final HttpMethod method;
    private final String path;
    private final Map<String, String> headers = new HashMap<>();
    private byte[] body;

    private Builder(HttpMethod method, String path) {
      this.method = method;
      this.path = path;
    }

    Builder header(String name, String value) {
      headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
      return this;
    }

    Builder body(byte[] bytes) {
      this.body = bytes;
      headers.put("content-length", Integer.toString(bytes.length));
      return this;
    }

    Builder body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    TestHttpRequest build() {
      return new TestHttpRequest(
          method, URI.create("https://deezwatts.azurewebsites.net" + path), headers, body);
    }
  }

  /** The response the function built. */
  static final class Response implements HttpResponseMessage {
    private final HttpStatusType status;
    private final Map<String, String> headers;
    private final Object body;

    private Response(HttpStatusType status, Map<String, String> headers, Object body) {
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    @Override
    public HttpStatusType getStatus() {
      return status;
    }

    @Override
    public String getHeader(String name) {
      return headers.get(name);
    }

    @Override
    public Object getBody() {
      return body;
    }

    static final class Builder implements HttpResponseMessage.Builder {
      private HttpStatusType status = HttpStatus.OK;
      private final Map<String, String> headers = new LinkedHashMap<>();
      private Object body;

      @Override
      public HttpResponseMessage.Builder status(HttpStatusType status) {
        this.status = status;
        return this;
      }

      @Override
      public HttpResponseMessage.Builder header(String name, String value) {
        headers.put(name, value);
        return this;
      }

      @Override
      public HttpResponseMessage.Builder body(Object body) {
        this.body = body;
        return this;
      }

      @Override
      public HttpResponseMessage build() {
        return new Response(status, Map.copyOf(headers), body);
      }
    }
  }
}
