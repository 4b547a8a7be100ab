/** Azure Functions adapters: translate platform input to a core call and back. */
package io.deezwatts.azure;
