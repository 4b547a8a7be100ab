/**
 * Thin Azure Functions adapters: each function class translates its trigger's input into a call to
 * core ({@link io.deezwatts.core.push.PushEndpoint}, {@link
 * io.deezwatts.core.ingest.IngestService}) and the outcome back. The bindings are held to the
 * {@code function.json} files {@code azure-functions-maven-plugin} generates from the annotations.
 */
package io.deezwatts.azure;
