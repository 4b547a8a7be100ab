package io.deezwatts.contract;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a platform's adapter answered, in platform-neutral terms.
 *
 * @param http the HTTP status, or 0 when the adapter is not an HTTP function (an Azure timer, a
 *     queue message)
 * @param timer {@code returns} or {@code fails} for a timer, else null
 * @param fields the JSON body's fields, or the timer's outcome line's fields
 * @param text everything the caller could see (the body, the failure's message), for {@code never}
 * @param queue for a queue message, what the platform did with it: {@code ack} (acknowledged),
 *     {@code retry} (failed, so that the queue or the retry policy delivers it again), {@code park}
 *     (set aside on the dead letter and acknowledged) or {@code lost} (neither); else null
 */
public record ContractAnswer(int http, String timer, JsonNode fields, String text, String queue) {

  public ContractAnswer(int http, String timer, JsonNode fields, String text) {
    this(http, timer, fields, text, null);
  }

  /** What a queue adapter did with a message, and what its caller could see. */
  public static ContractAnswer queue(String queue, String text) {
    return new ContractAnswer(0, null, null, text, queue);
  }
}
