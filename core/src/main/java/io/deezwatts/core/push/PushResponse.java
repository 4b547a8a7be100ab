package io.deezwatts.core.push;

/**
 * What an HTTP push endpoint answers: a status and a short JSON body, never a stack trace.
 *
 * @param status the HTTP status
 * @param json the body, a small JSON object
 */
public record PushResponse(int status, String json) {}
