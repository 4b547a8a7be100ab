package io.deezwatts.core.decode;

/**
 * A message of a feed that is not data, such as ViriCiti's {@code error}, {@code acl} and the echo
 * of a subscription. Kept so that the caller can log or check it.
 *
 * @param index its index in the input
 * @param kind {@code error}, {@code acl} or {@code subscription-echo}
 * @param message the whole message
 */
public record ControlMessage(int index, String kind, RawJson message) {}
