package io.deezwatts.core.auth;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.util.Base64URL;
import io.deezwatts.core.auth.RequestSignatureException.Reason;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verifies the {@code X-Request-Signature} header Connected Cars puts on its webhook pushes.
 *
 * <p>Connected Cars' webhook document (connectedcars/docs, {@code webhooks.md}, "Security") says
 * the header holds a JWT whose claims carry the request identifier ({@code rid}) and the SHA-256 of
 * the request body encoded as base64 ({@code sub}); that the JWT verifies with Connected Cars'
 * published public key; and that the receiver should judge the issue time ({@code iat}) against its
 * own tolerance. It names no algorithm, so this class accepts the two asymmetric ones a published
 * public key can serve, RS256 and ES256 (P-256), and nothing else.
 *
 * <p>A token is accepted only if all of the following hold, checked in this order:
 *
 * <ol>
 *   <li>the header is present and is a compact JWS: three unpadded base64url parts, the first a
 *       JSON object without {@code crit};
 *   <li>{@code alg} is {@code RS256} or {@code ES256} ({@code none}, HS*, PS*, ES384... are
 *       refused; {@code jku}, {@code jwk}, {@code x5u} and {@code x5c} are ignored: keys come only
 *       from configuration);
 *   <li>a configured key fits: the one with the token's {@code kid} (falling back to keys
 *       configured without a kid), or every key if the token has no {@code kid}; only keys of the
 *       {@code alg}'s type count;
 *   <li>the signature verifies with one of those keys (ES256 signatures are raw {@code R||S}, 64
 *       bytes; RS256 signatures are as long as the key's modulus);
 *   <li>the payload is a JSON object with no duplicate names, and its {@code sub} decodes (base64,
 *       padded or not; base64url also accepted) to the SHA-256 of the body bytes as received;
 *   <li>its {@code iat} (a JSON number of seconds since the epoch) is within the tolerance of the
 *       clock, in either direction.
 * </ol>
 *
 * <p>The signature is verified by nimbus-jose-jwt ({@link RSASSAVerifier}, {@link ECDSAVerifier});
 * the token's structure and claims are checked here first, strictly, so that each failure has its
 * own {@link Reason}.
 *
 * <p>{@code exp}, {@code nbf} and {@code rid} are not checked; the document does not ask for them.
 * Failures throw {@link RequestSignatureException} with a {@link Reason} and a short fixed message
 * that is safe to log: never the token, a signature, a key or the body.
 *
 * <p>Instances are immutable and safe to share between threads. Build one with {@link #builder()}.
 */
public final class RequestSignatureVerifier {

  /** The request header that carries the JWT. */
  public static final String HEADER_NAME = "X-Request-Signature";

  /** The {@code iat} tolerance used unless {@link Builder#tolerance(Duration)} sets another. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  /** Longer header values are refused unparsed; a real token is well under 2 KiB. */
  static final int MAX_TOKEN_LENGTH = 8 * 1024;

  /** The smallest RSA modulus accepted as a configured key. */
  static final int MIN_RSA_BITS = 2048;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();

  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----");

  /** Bounds {@code iat} well inside {@link Instant}'s range before converting it. */
  private static final BigDecimal MAX_ABS_EPOCH_SECONDS = BigDecimal.valueOf(1_000_000_000_000L);

  private enum Alg {
    RS256(JWSAlgorithm.RS256),
    ES256(JWSAlgorithm.ES256);

    /** The header nimbus verifies against: the alg alone ({@code crit} is refused before). */
    final JWSHeader header;

    Alg(JWSAlgorithm jws) {
      this.header = new JWSHeader(jws);
    }

    boolean fits(PublicKey key) {
      return this == RS256 ? key instanceof RSAPublicKey : key instanceof ECPublicKey;
    }

    JWSVerifier verifier(PublicKey key) throws JOSEException {
      return this == RS256
          ? new RSASSAVerifier((RSAPublicKey) key)
          : new ECDSAVerifier((ECPublicKey) key);
    }
  }

  private record TrustedKey(String kid, PublicKey key) {}

  private final List<TrustedKey> keys;
  private final Duration tolerance;
  private final Clock clock;

  private RequestSignatureVerifier(Builder builder) {
    this.keys = List.copyOf(builder.keys);
    this.tolerance = builder.tolerance;
    this.clock = builder.clock;
  }

  /**
   * Starts configuring a verifier: at least one public key, optionally a tolerance and a clock.
   *
   * @return a new, empty builder; never null
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Verifies one request's signature header against its body.
   *
   * @param headerValue the {@code X-Request-Signature} value as received, or null if absent
   * @param body the request body exactly as received, before any parsing or re-encoding
   * @throws RequestSignatureException if the header is absent or blank ({@link
   *     Reason#MISSING_HEADER}), is not a well-formed JWS or lacks a {@code sub}/{@code iat} of the
   *     right type ({@link Reason#MALFORMED_TOKEN}), uses an algorithm other than RS256/ES256
   *     ({@link Reason#UNSUPPORTED_ALGORITHM}), names a {@code kid} or {@code alg} no configured
   *     key serves ({@link Reason#UNKNOWN_KEY}), carries a signature that does not verify ({@link
   *     Reason#BAD_SIGNATURE}), signs another body ({@link Reason#SUB_MISMATCH}) or was issued
   *     further than the tolerance from now ({@link Reason#IAT_OUT_OF_TOLERANCE})
   * @throws NullPointerException if {@code body} is null
   */
  public void verify(String headerValue, byte[] body) throws RequestSignatureException {
    Objects.requireNonNull(body, "body");
    if (headerValue == null || headerValue.isBlank()) {
      throw new RequestSignatureException(
          Reason.MISSING_HEADER, "missing " + HEADER_NAME + " header");
    }
    String token = headerValue.strip();
    if (token.length() > MAX_TOKEN_LENGTH) {
      throw malformed("token too long");
    }
    int dot1 = token.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
      throw malformed("JWT must have exactly three parts");
    }
    byte[] headerJson = base64Url(token.substring(0, dot1), "header");
    byte[] payloadJson = base64Url(token.substring(dot1 + 1, dot2), "payload");
    byte[] signature = base64Url(token.substring(dot2 + 1), "signature");

    JsonNode header = jsonObject(headerJson, "header");
    Alg alg = algorithm(header);
    if (header.has("crit")) {
      throw malformed("crit header not supported");
    }
    List<TrustedKey> candidates = candidates(header, alg);
    byte[] signingInput = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
    checkSignature(alg, candidates, signingInput, signature);

    JsonNode payload = jsonObject(payloadJson, "payload");
    checkSub(payload, body);
    checkIat(payload);
  }

  private static Alg algorithm(JsonNode header) throws RequestSignatureException {
    JsonNode alg = header.get("alg");
    if (alg == null || !alg.isTextual()) {
      throw malformed("alg missing or not a string");
    }
    switch (alg.textValue()) {
      case "RS256":
        return Alg.RS256;
      case "ES256":
        return Alg.ES256;
      default:
        throw new RequestSignatureException(
            Reason.UNSUPPORTED_ALGORITHM, "unsupported alg (only RS256 and ES256 are accepted)");
    }
  }

  private List<TrustedKey> candidates(JsonNode header, Alg alg) throws RequestSignatureException {
    JsonNode kidNode = header.get("kid");
    if (kidNode != null && !kidNode.isTextual()) {
      throw malformed("kid not a string");
    }
    List<TrustedKey> pool = keys;
    if (kidNode != null) {
      String kid = kidNode.textValue();
      pool = keys.stream().filter(k -> kid.equals(k.kid())).toList();
      if (pool.isEmpty()) {
        pool = keys.stream().filter(k -> k.kid() == null).toList();
      }
      if (pool.isEmpty()) {
        throw new RequestSignatureException(Reason.UNKNOWN_KEY, "unknown kid");
      }
    }
    List<TrustedKey> fitting = pool.stream().filter(k -> alg.fits(k.key())).toList();
    if (fitting.isEmpty()) {
      throw new RequestSignatureException(Reason.UNKNOWN_KEY, "no configured key for the alg");
    }
    return fitting;
  }

  private static void checkSignature(
      Alg alg, List<TrustedKey> candidates, byte[] signingInput, byte[] signature)
      throws RequestSignatureException {
    if (alg == Alg.ES256 && signature.length != 64) {
      throw new RequestSignatureException(Reason.BAD_SIGNATURE, "ES256 signature must be 64 bytes");
    }
    Base64URL encoded = Base64URL.encode(signature);
    for (TrustedKey candidate : candidates) {
      if (verifies(alg, candidate.key(), signingInput, encoded)) {
        return;
      }
    }
    throw new RequestSignatureException(Reason.BAD_SIGNATURE, "bad signature");
  }

  private static boolean verifies(Alg alg, PublicKey key, byte[] signingInput, Base64URL sig) {
    try {
      return alg.verifier(key).verify(alg.header, signingInput, sig);
    } catch (JOSEException e) {
      return false; // a key the JCA refuses for this alg verifies nothing
    }
  }

  private static void checkSub(JsonNode payload, byte[] body) throws RequestSignatureException {
    JsonNode sub = payload.get("sub");
    if (sub == null || !sub.isTextual()) {
      throw malformed("sub claim missing or not a string");
    }
    byte[] signed = decodeDigest(sub.textValue());
    if (signed == null || !MessageDigest.isEqual(signed, sha256(body))) {
      throw new RequestSignatureException(
          Reason.SUB_MISMATCH, "sub is not the SHA-256 of the request body");
    }
  }

  /** Base64 (or base64url), padded or not, of exactly 32 bytes; null for anything else. */
  private static byte[] decodeDigest(String text) {
    if (text.length() > 64) {
      return null;
    }
    boolean url = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      byte[] digest = (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
      return digest.length == 32 ? digest : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void checkIat(JsonNode payload) throws RequestSignatureException {
    JsonNode iat = payload.get("iat");
    if (iat == null || !iat.isNumber()) {
      throw malformed("iat claim missing or not a number");
    }
    if (iat.isFloatingPointNumber() && !Double.isFinite(iat.doubleValue())) {
      throw malformed("iat claim not a finite number");
    }
    BigDecimal seconds = iat.decimalValue();
    if (seconds.abs().compareTo(MAX_ABS_EPOCH_SECONDS) > 0) {
      throw outOfTolerance();
    }
    BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
    Instant issued =
        Instant.ofEpochSecond(
            whole.longValueExact(), seconds.subtract(whole).movePointRight(9).intValue());
    if (Duration.between(issued, clock.instant()).abs().compareTo(tolerance) > 0) {
      throw outOfTolerance();
    }
  }

  private static RequestSignatureException outOfTolerance() {
    return new RequestSignatureException(
        Reason.IAT_OUT_OF_TOLERANCE, "iat outside the accepted tolerance");
  }

  private static byte[] base64Url(String part, String what) throws RequestSignatureException {
    if (part.indexOf('=') >= 0) {
      throw malformed(what + " is padded base64url");
    }
    try {
      return Base64.getUrlDecoder().decode(part);
    } catch (IllegalArgumentException e) {
      throw malformed(what + " is not base64url");
    }
  }

  private static JsonNode jsonObject(byte[] json, String what) throws RequestSignatureException {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JacksonException e) {
      throw malformed(what + " is not valid JSON");
    } catch (IOException e) {
      throw malformed(what + " could not be read");
    }
    if (node == null || !node.isObject()) {
      throw malformed(what + " is not a JSON object");
    }
    return node;
  }

  private static RequestSignatureException malformed(String detail) {
    return new RequestSignatureException(Reason.MALFORMED_TOKEN, "malformed JWT: " + detail);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Parses every PEM block of a text; throws if there is none or anything else is in the text. */
  private static List<PublicKey> parsePem(String pem) {
    Objects.requireNonNull(pem, "pem");
    List<PublicKey> parsed = new ArrayList<>();
    Matcher m = PEM_BLOCK.matcher(pem);
    int last = 0;
    while (m.find()) {
      if (!pem.substring(last, m.start()).isBlank()) {
        throw new IllegalArgumentException("unexpected text outside PEM blocks");
      }
      if (!m.group(1).equals(m.group(3))) {
        throw new IllegalArgumentException("PEM BEGIN and END labels differ");
      }
      if (!m.group(1).equals("PUBLIC KEY")) {
        throw new IllegalArgumentException(
            "expected -----BEGIN PUBLIC KEY----- (SubjectPublicKeyInfo), found -----BEGIN "
                + m.group(1)
                + "-----");
      }
      parsed.add(publicKey(m.group(2)));
      last = m.end();
    }
    if (!pem.substring(last).isBlank()) {
      throw new IllegalArgumentException("unexpected text outside PEM blocks");
    }
    if (parsed.isEmpty()) {
      throw new IllegalArgumentException("no -----BEGIN PUBLIC KEY----- block found");
    }
    return parsed;
  }

  private static PublicKey publicKey(String base64Body) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64Body.replaceAll("\\s+", ""));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM body is not base64");
    }
    PublicKey key = decode("RSA", der);
    if (key == null) {
      key = decode("EC", der);
    }
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
        throw new IllegalArgumentException("RSA public key shorter than " + MIN_RSA_BITS + " bits");
      }
      return rsa;
    }
    if (key instanceof ECPublicKey ec) {
      if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
        throw new IllegalArgumentException("EC public key not on P-256 (ES256 needs P-256)");
      }
      return ec;
    }
    throw new IllegalArgumentException("PEM holds neither an RSA nor an EC public key");
  }

  private static PublicKey decode(String algorithm, byte[] der) {
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
    } catch (InvalidKeySpecException e) {
      return null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required of every Java platform", e);
    }
  }

  /**
   * Describes this verifier's configuration; public keys are listed only by count and kid.
   *
   * @return a description; never contains key material
   */
  @Override
  public String toString() {
    List<String> kids = keys.stream().map(k -> k.kid() == null ? "-" : k.kid()).toList();
    return "RequestSignatureVerifier[keys=" + kids + ", tolerance=" + tolerance + "]";
  }

  /** Configures a {@link RequestSignatureVerifier}. Not thread-safe; build once at startup. */
  public static final class Builder {
    private final List<TrustedKey> keys = new ArrayList<>();
    private final Set<String> kids = new HashSet<>();
    private Duration tolerance = DEFAULT_TOLERANCE;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Trusts every public key in a PEM text, without a {@code kid}: such keys verify tokens with no
     * {@code kid} and tokens whose {@code kid} no configured key has.
     *
     * @param pem one or more {@code -----BEGIN PUBLIC KEY-----} blocks (RSA of at least 2048 bits,
     *     or EC on P-256), separated by whitespace only
     * @return this builder
     * @throws IllegalArgumentException if the text holds no block, another PEM type (such as {@code
     *     RSA PUBLIC KEY} or a private key), text outside the blocks, a block that is not a valid
     *     key, a shorter RSA key or an EC key on another curve; the message never echoes the key
     * @throws NullPointerException if {@code pem} is null
     */
    public Builder addPublicKeys(String pem) {
      for (PublicKey key : parsePem(pem)) {
        keys.add(new TrustedKey(null, key));
      }
      return this;
    }

    /**
     * Trusts one public key under a {@code kid}: tokens naming that {@code kid} are verified with
     * this key only.
     *
     * @param kid the key identifier tokens will carry in their header; not blank
     * @param pem exactly one {@code -----BEGIN PUBLIC KEY-----} block (RSA of at least 2048 bits,
     *     or EC on P-256)
     * @return this builder
     * @throws IllegalArgumentException if {@code kid} is blank or already configured, or the PEM
     *     text does not hold exactly one acceptable public key (see {@link
     *     #addPublicKeys(String)}); the message never echoes the key
     * @throws NullPointerException if {@code kid} or {@code pem} is null
     */
    public Builder addPublicKey(String kid, String pem) {
      Objects.requireNonNull(kid, "kid");
      if (kid.isBlank()) {
        throw new IllegalArgumentException("kid must not be blank");
      }
      if (kids.contains(kid)) {
        throw new IllegalArgumentException("kid configured twice: " + kid);
      }
      List<PublicKey> parsed = parsePem(pem);
      if (parsed.size() != 1) {
        throw new IllegalArgumentException("expected exactly one public key for a kid");
      }
      kids.add(kid);
      keys.add(new TrustedKey(kid, parsed.get(0)));
      return this;
    }

    /**
     * Sets how far {@code iat} may lie from the clock, in the past or the future. Defaults to
     * {@link #DEFAULT_TOLERANCE}.
     *
     * @param tolerance the largest accepted distance; zero or positive
     * @return this builder
     * @throws IllegalArgumentException if {@code tolerance} is negative
     * @throws NullPointerException if {@code tolerance} is null
     */
    public Builder tolerance(Duration tolerance) {
      Objects.requireNonNull(tolerance, "tolerance");
      if (tolerance.isNegative()) {
        throw new IllegalArgumentException("tolerance must not be negative");
      }
      this.tolerance = tolerance;
      return this;
    }

    /**
     * Sets the clock {@code iat} is judged against. Defaults to {@link Clock#systemUTC()}; tests
     * pass a fixed clock.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException if {@code clock} is null
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds an immutable verifier from the keys added so far.
     *
     * @return the verifier; never null
     * @throws IllegalStateException if no public key was added (verification without a key could
     *     only accept or refuse everything)
     */
    public RequestSignatureVerifier build() {
      if (keys.isEmpty()) {
        throw new IllegalStateException("at least one public key is required");
      }
      return new RequestSignatureVerifier(this);
    }
  }
}
