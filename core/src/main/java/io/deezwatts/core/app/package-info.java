/**
 * The composition root ({@link io.deezwatts.core.app.Components}) that every deployment builds from
 * its settings, so that the platform adapters only translate.
 */
package io.deezwatts.core.app;
