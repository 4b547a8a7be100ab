/**
 * The queue ingest endpoint ({@link io.deezwatts.core.queue.QueueEndpoint}): what to do with bulks
 * delivered by a message queue (Pub/Sub, Event Hubs), decided once for every platform. The adapters
 * turn their messages into {@link io.deezwatts.core.queue.QueueMessage}s and the {@link
 * io.deezwatts.core.queue.QueueOutcome} back into an acknowledgement, a throw or a dead letter.
 */
package io.deezwatts.core.queue;
