package io.deezwatts.core.sink.bigquery;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteClient;
import com.google.cloud.bigquery.storage.v1.BigQueryWriteSettings;
import com.google.cloud.bigquery.storage.v1.StreamWriter;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the environment of a {@code bigquery:} sink: which API it writes through, where, and with
 * which credentials; and opens the {@link TableAppender} that follows.
 *
 * <ul>
 *   <li>{@value BigQuerySink#API_VARIABLE}: {@code storage-write} (the default) or {@code
 *       insertall}. Unset with only {@value BigQuerySink#ENDPOINT_VARIABLE} set, it is {@code
 *       insertall}, the one API that endpoint serves, so a sink pointed at a REST stand-in never
 *       writes to BigQuery itself;
 *   <li>{@value BigQuerySink#WRITE_ENDPOINT_VARIABLE}: {@code host:port} of a plaintext gRPC
 *       endpoint, such as a local stand-in, reached with no credentials (as {@code
 *       PUBSUB_EMULATOR_HOST} does for Pub/Sub);
 *   <li>{@value BigQuerySink#ENDPOINT_VARIABLE}: another host for {@code insertAll}, with no
 *       credentials unless {@code GOOGLE_APPLICATION_CREDENTIALS} is set too;
 *   <li>otherwise Application Default Credentials, or, on Azure, Workload Identity Federation when
 *       {@code DEEZWATTS_GCP_WIF_AUDIENCE} is set (see {@link WorkloadIdentity}).
 * </ul>
 */
final class BigQueryEnvironment {
  private static final Pattern HOST_PORT =
      Pattern.compile("(?<host>\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(?<port>[0-9]{1,5})");

  private BigQueryEnvironment() {}

  /** The two write paths. */
  enum Api {
    STORAGE_WRITE,
    INSERT_ALL
  }

  /**
   * An appender, the reader of tables (for requeue) and the sink's description (no credentials).
   */
  record Opened(TableAppender appender, TableDataClient reader, String description) {}

  /**
   * Opens the appender the environment asks for; no network call is made and no credentials are
   * looked up before the first write.
   *
   * @throws IllegalArgumentException when a variable is malformed; the message names it and its
   *     form
   * @throws IllegalStateException when workload identity federation is configured incompletely
   */
  static Opened open(
      String project, String dataset, Map<String, String> env, BigQuerySink.Options options) {
    return open(project, dataset, env, options, StorageWriteAppender.MAX_REQUEST_BYTES);
  }

  /** As above, with appends of at most {@code maxRequestBytes} of rows (tests). */
  static Opened open(
      String project,
      String dataset,
      Map<String, String> env,
      BigQuerySink.Options options,
      long maxRequestBytes) {
    Api api = api(env);
    StringBuilder description = new StringBuilder("bigquery:").append(project).append('.');
    description.append(dataset);
    if (api == Api.INSERT_ALL) {
      RestAccess rest = RestAccess.of(env, null);
      URI endpoint = rest.endpoint();
      if (endpoint != null) {
        description.append(" via ").append(endpoint.getScheme()).append("://");
        description.append(endpoint.getHost());
        if (endpoint.getPort() >= 0) {
          description.append(':').append(endpoint.getPort());
        }
      }
      describeCredentials(description, rest.anonymous(), rest.federated());
      InsertAllClient client =
          newClient(project, dataset, endpoint, rest.anonymous(), rest.federated(), options);
      return new Opened(
          new InsertAllAppender(client, Chunker.standard()),
          reader(project, dataset, rest, options),
          description.toString());
    }
    String target = writeEndpoint(env);
    GoogleCredentials federated = target != null ? null : WorkloadIdentity.fromEnvironment(env);
    if (target != null) {
      description.append(" via grpc://").append(target);
    }
    describeCredentials(description, target != null, federated);
    description.append(" (Storage Write API)");
    String text = description.toString();
    ManagedChannel channel =
        target == null ? null : ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    AutoCloseable closeChannel =
        channel == null
            ? null
            : () -> {
              channel.shutdown();
              if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
              }
            };
    return new Opened(
        new StorageWriteAppender(
            () -> BigQueryWriteClient.create(writeSettings(channel, federated)),
            stream -> writerBuilder(stream, channel, target, federated),
            closeChannel,
            project,
            dataset,
            options.readTimeout(),
            maxRequestBytes,
            text),
        reader(project, dataset, RestAccess.of(env, federated), options),
        text);
  }

  /**
   * Where REST calls go and as whom: {@value BigQuerySink#ENDPOINT_VARIABLE} when set (with no
   * credentials unless {@code GOOGLE_APPLICATION_CREDENTIALS} is set too), else BigQuery with the
   * federated or Application Default Credentials. The insertAll client and the table reader both
   * take it, so they never differ.
   */
  private record RestAccess(URI endpoint, boolean anonymous, GoogleCredentials federated) {
    /**
     * @param known credentials already built for a Storage Write appender, reused so that one token
     *     source serves both and nothing more is built on a cold start; null to build them here
     * @throws IllegalStateException when workload identity federation is configured incompletely
     */
    static RestAccess of(Map<String, String> env, GoogleCredentials known) {
      URI endpoint = BigQueryEnvironment.endpoint(env);
      boolean anonymous = endpoint != null && isBlank(env.get(BigQuerySink.CREDENTIALS_VARIABLE));
      GoogleCredentials federated =
          anonymous ? null : known != null ? known : WorkloadIdentity.fromEnvironment(env);
      return new RestAccess(endpoint, anonymous, federated);
    }
  }

  /** The reader of tables (requeue's), with the same endpoint and credentials as insertAll's. */
  private static TableDataClient reader(
      String project, String dataset, RestAccess rest, BigQuerySink.Options options) {
    return new TableDataClient(
        rest.endpoint() == null ? InsertAllClient.DEFAULT_ROOT : rest.endpoint().toString(),
        project,
        dataset,
        authorization(rest.anonymous(), rest.federated()),
        options.connectTimeout(),
        options.readTimeout());
  }

  /** None, the federated credentials, or else Application Default Credentials. */
  private static InsertAllClient.Authorization authorization(
      boolean anonymous, GoogleCredentials federated) {
    if (anonymous) {
      return InsertAllClient.Authorization.none();
    } else if (federated != null) {
      return InsertAllClient.Authorization.of(federated);
    }
    return InsertAllClient.Authorization.applicationDefault();
  }

  private static void describeCredentials(
      StringBuilder description, boolean anonymous, GoogleCredentials federated) {
    if (anonymous) {
      description.append(" (no credentials)");
    }
    if (federated != null) {
      description.append(" (workload identity federation)");
    }
  }

  /**
   * A writer with the same endpoint, channel and credentials as {@link #writeSettings}; otherwise
   * the library's defaults (BigQuery's endpoint over TLS, keep-alive, Application Default
   * Credentials).
   */
  private static StreamWriter.Builder writerBuilder(
      String stream, ManagedChannel channel, String target, GoogleCredentials federated) {
    StreamWriter.Builder b = StreamWriter.newBuilder(stream);
    if (channel != null) {
      b.setChannelProvider(
              FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
          .setCredentialsProvider(NoCredentialsProvider.create())
          .setEndpoint(target);
    } else if (federated != null) {
      b.setCredentialsProvider(FixedCredentialsProvider.create(federated));
    }
    return b;
  }

  /**
   * Settings for the schema-read client: a plaintext channel with no credentials when given one,
   * else BigQuery's endpoint with the federated credentials or Application Default Credentials.
   */
  private static BigQueryWriteSettings writeSettings(
      ManagedChannel channel, GoogleCredentials federated) throws IOException {
    BigQueryWriteSettings.Builder b = BigQueryWriteSettings.newBuilder();
    if (channel != null) {
      b.setTransportChannelProvider(
              FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
          .setCredentialsProvider(NoCredentialsProvider.create());
    } else if (federated != null) {
      b.setCredentialsProvider(FixedCredentialsProvider.create(federated));
    }
    return b.build();
  }

  /**
   * The API the environment chooses (see the class comment).
   *
   * @throws IllegalArgumentException when {@value BigQuerySink#API_VARIABLE} is neither {@code
   *     storage-write} nor {@code insertall}
   */
  static Api api(Map<String, String> env) {
    String value = env.get(BigQuerySink.API_VARIABLE);
    if (isBlank(value)) {
      boolean restOnly =
          !isBlank(env.get(BigQuerySink.ENDPOINT_VARIABLE))
              && isBlank(env.get(BigQuerySink.WRITE_ENDPOINT_VARIABLE));
      return restOnly ? Api.INSERT_ALL : Api.STORAGE_WRITE;
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "storage-write" -> Api.STORAGE_WRITE;
      case "insertall" -> Api.INSERT_ALL;
      default ->
          throw new IllegalArgumentException(
              BigQuerySink.API_VARIABLE
                  + " must be storage-write (the default) or insertall, not '"
                  + value
                  + "'");
    };
  }

  /**
   * The plaintext gRPC endpoint of the environment, as {@code host:port}, or null.
   *
   * @throws IllegalArgumentException when it is not {@code host:port}
   */
  static String writeEndpoint(Map<String, String> env) {
    String value = env.get(BigQuerySink.WRITE_ENDPOINT_VARIABLE);
    if (isBlank(value)) {
      return null;
    }
    Matcher m = HOST_PORT.matcher(value.trim());
    if (!m.matches() || Integer.parseInt(m.group("port")) > 65_535) {
      throw new IllegalArgumentException(
          BigQuerySink.WRITE_ENDPOINT_VARIABLE
              + " must be host:port, such as 127.0.0.1:9060, not '"
              + value
              + "'");
    }
    return value.trim();
  }

  /**
   * The {@code insertAll} endpoint override of the environment, or null.
   *
   * @throws IllegalArgumentException when it is not an http(s) URL
   */
  static URI endpoint(Map<String, String> environment) {
    String value = environment.get(BigQuerySink.ENDPOINT_VARIABLE);
    if (isBlank(value)) {
      return null;
    }
    String trimmed = value.trim();
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      throw new IllegalArgumentException(
          BigQuerySink.ENDPOINT_VARIABLE
              + " must be an http(s) URL such as http://localhost:9050, not '"
              + value
              + "'");
    }
    return uri;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * An {@code insertAll} client that makes one request per call (the policy retries) with the given
   * timeouts: to {@code endpoint} (null: BigQuery), with no credentials, the federated ones, or
   * else Application Default Credentials.
   */
  static InsertAllClient newClient(
      String project,
      String dataset,
      URI endpoint,
      boolean anonymous,
      GoogleCredentials federated,
      BigQuerySink.Options options) {
    InsertAllClient.Authorization authorization = authorization(anonymous, federated);
    return new InsertAllClient(
        endpoint == null ? InsertAllClient.DEFAULT_ROOT : endpoint.toString(),
        project,
        dataset,
        authorization,
        options.connectTimeout(),
        options.readTimeout());
  }
}
