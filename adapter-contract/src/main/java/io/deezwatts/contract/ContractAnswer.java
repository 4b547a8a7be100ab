package io.deezwatts.contract;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a platform's adapter answered, in platform-neutral terms.
 *
 * @param http the HTTP status, or 0 when the adapter is not an HTTP function (an Azure timer)
 * @param timer {@code returns} or {@code fails} for a timer, else null
 * @param fields the JSON body's fields, or the timer's outcome line's fields
 * @param text everything the caller could see (the body, the failure's message), for {@code never}
 */
public record ContractAnswer(int http, String timer, JsonNode fields, String text) {}
