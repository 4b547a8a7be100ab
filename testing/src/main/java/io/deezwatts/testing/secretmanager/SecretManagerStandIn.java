package io.deezwatts.testing.secretmanager;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.deezwatts.testing.grpc.LoopbackGrpc;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Stands in for Google Secret Manager, which has no local emulator: a real gRPC server on a
 * loopback port implementing the generated {@code
 * SecretManagerServiceGrpc.SecretManagerServiceImplBase}, reached in plaintext with no credentials.
 * It serves the two calls a token store makes, as the service answers them:
 *
 * <ul>
 *   <li>{@code AccessSecretVersion} of {@code projects/P/secrets/S/versions/V}, {@code V} a number
 *       or {@code latest}: the version's payload with its CRC32C; NOT_FOUND when the secret does
 *       not exist, has no versions or lacks that one;
 *   <li>{@code AddSecretVersion} to {@code projects/P/secrets/S}: a new version numbered from 1,
 *       which becomes {@code latest}; NOT_FOUND when the secret does not exist (a version is never
 *       made of a secret nobody created), INVALID_ARGUMENT when the payload is over 64 KiB or its
 *       {@code data_crc32c} is given and wrong.
 * </ul>
 *
 * A malformed name is INVALID_ARGUMENT. Faults it can inject: calls answered with a status, such as
 * UNAVAILABLE or PERMISSION_DENIED, instead of served: the next few ({@link #failNext}) or all
 * ({@link #failWith}) until {@link #recover()}.
 */
public final class SecretManagerStandIn implements AutoCloseable {
  /**
   * The variable that points functions-gcp's token store here (its {@code
   * SecretManagerTokenStore.ENDPOINT_VARIABLE}).
   */
  public static final String ENDPOINT_VARIABLE = "DEEZWATTS_SECRETMANAGER_ENDPOINT";

  /** The largest payload Secret Manager accepts. */
  public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

  private static final Pattern SECRET = Pattern.compile("projects/[^/]+/secrets/[^/]+");
  private static final Pattern VERSION =
      Pattern.compile("(projects/[^/]+/secrets/[^/]+)/versions/([1-9][0-9]{0,8}|latest)");

  private final Server server;
  private final Map<String, List<ByteString>> secrets = new ConcurrentHashMap<>();
  private final AtomicInteger accesses = new AtomicInteger();
  private final AtomicInteger adds = new AtomicInteger();
  // Calls still to fail with failure: negative for all of them.
  private final AtomicInteger failing = new AtomicInteger();
  private volatile Status failure;

  /** Starts serving on an ephemeral port of the loopback address. */
  public SecretManagerStandIn() {
    server = LoopbackGrpc.start(new Service(), 4 << 20); // gRPC's default
  }

  /** Where the server listens, {@code host:port}. */
  public String endpoint() {
    return InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
  }

  /** The environment of a token store reading and writing here. */
  public Map<String, String> environment() {
    return Map.of(ENDPOINT_VARIABLE, endpoint());
  }

  /**
   * Creates a secret with no versions, as {@code gcloud secrets create} does.
   *
   * @param name {@code projects/P/secrets/S}
   */
  public void createSecret(String name) {
    if (!SECRET.matcher(name).matches()) {
      throw new IllegalArgumentException("not projects/P/secrets/S: " + name);
    }
    secrets.putIfAbsent(name, new ArrayList<>());
  }

  /** Adds a version, as {@code gcloud secrets versions add} does; creates the secret if needed. */
  public void addVersion(String secret, byte[] data) {
    createSecret(secret);
    List<ByteString> versions = secrets.get(secret);
    synchronized (versions) {
      versions.add(ByteString.copyFrom(data));
    }
  }

  /** The payloads of a secret's versions, oldest first; empty when it does not exist. */
  public List<byte[]> versions(String secret) {
    List<ByteString> versions = secrets.getOrDefault(secret, List.of());
    List<byte[]> copy = new ArrayList<>();
    synchronized (versions) {
      for (ByteString v : versions) {
        copy.add(v.toByteArray());
      }
    }
    return copy;
  }

  /** Answers every call with {@code code} from now on, until {@link #recover()}. */
  public void failWith(Status.Code code) {
    failNext(-1, code);
  }

  /** Answers the next {@code n} calls with {@code code}, then serves again. */
  public void failNext(int n, Status.Code code) {
    failure = code.toStatus().withDescription("injected by the stand-in");
    failing.set(n);
  }

  /** Answers calls again. */
  public void recover() {
    failing.set(0);
  }

  /** The AccessSecretVersion calls received, failed ones included. */
  public int accesses() {
    return accesses.get();
  }

  /** The AddSecretVersion calls received, failed ones included. */
  public int adds() {
    return adds.get();
  }

  @Override
  public void close() {
    LoopbackGrpc.stop(server);
  }

  private AccessSecretVersionResponse access(String name) throws StatusException {
    Matcher m = VERSION.matcher(name);
    if (!m.matches()) {
      throw invalid("Invalid resource field value in the request: name " + name);
    }
    String secret = m.group(1);
    List<ByteString> versions = secrets.get(secret);
    if (versions == null) {
      throw notFound("Secret [" + secret + "] not found or has no versions.");
    }
    int number;
    ByteString data;
    synchronized (versions) {
      number = "latest".equals(m.group(2)) ? versions.size() : Integer.parseInt(m.group(2));
      if (number < 1 || number > versions.size()) {
        throw notFound(
            "latest".equals(m.group(2))
                ? "Secret [" + secret + "] not found or has no versions."
                : "Secret Version [" + name + "] not found.");
      }
      data = versions.get(number - 1);
    }
    return AccessSecretVersionResponse.newBuilder()
        .setName(secret + "/versions/" + number)
        .setPayload(SecretPayload.newBuilder().setData(data).setDataCrc32C(crc32c(data)))
        .build();
  }

  private SecretVersion add(String secret, SecretPayload payload) throws StatusException {
    if (!SECRET.matcher(secret).matches()) {
      throw invalid("Invalid resource field value in the request: parent " + secret);
    }
    ByteString data = payload.getData();
    if (data.size() > MAX_PAYLOAD_BYTES) {
      throw invalid("Secret Payload cannot be larger than 64KiB.");
    }
    if (payload.hasDataCrc32C() && payload.getDataCrc32C() != crc32c(data)) {
      throw invalid("Checksum mismatch: data_crc32c does not match the payload.");
    }
    List<ByteString> versions = secrets.get(secret);
    if (versions == null) {
      throw notFound("Secret [" + secret + "] not found.");
    }
    int number;
    synchronized (versions) {
      versions.add(data);
      number = versions.size();
    }
    Instant now = Instant.now();
    return SecretVersion.newBuilder()
        .setName(secret + "/versions/" + number)
        .setState(SecretVersion.State.ENABLED)
        .setCreateTime(
            Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .build();
  }

  private static long crc32c(ByteString data) {
    CRC32C crc = new CRC32C();
    crc.update(data.asReadOnlyByteBuffer());
    return crc.getValue();
  }

  private static StatusException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asException();
  }

  private static StatusException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asException();
  }

  private final class Service extends SecretManagerServiceGrpc.SecretManagerServiceImplBase {
    @Override
    public void accessSecretVersion(
        AccessSecretVersionRequest request, StreamObserver<AccessSecretVersionResponse> response) {
      accesses.incrementAndGet();
      answer(response, () -> access(request.getName()));
    }

    @Override
    public void addSecretVersion(
        AddSecretVersionRequest request, StreamObserver<SecretVersion> response) {
      adds.incrementAndGet();
      answer(response, () -> add(request.getParent(), request.getPayload()));
    }

    private <T> void answer(StreamObserver<T> response, Call<T> call) {
      if (failing.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0) {
        response.onError(failure.asException());
        return;
      }
      T answer;
      try {
        answer = call.run();
      } catch (StatusException e) {
        response.onError(e);
        return;
      }
      response.onNext(answer);
      response.onCompleted();
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws StatusException;
  }
}
