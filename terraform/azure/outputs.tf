output "http_endpoint" {
  description = "The push endpoint to hand Connected Cars: append data-streams, legacy/account or legacy/car, and send the function key (x-functions-key header or ?code=) with the token."
  value       = "https://${azurerm_linux_function_app.this.default_hostname}/api/"
}

output "http_function_key" {
  description = "The Function App's default function key (HttpIngest has auth level FUNCTION)."
  value       = data.azurerm_function_app_host_keys.this.default_function_key
  sensitive   = true
}

output "http_token" {
  description = "The push endpoint's secret (Authorization: Bearer <token>). `terraform output -raw http_token`."
  value       = azurerm_key_vault_secret.app["http-token"].value
  sensitive   = true
}

output "eventhub_send_connection_string" {
  description = "Send-only connection string of the ingest hub, to hand Connected Cars when they deliver to Event Hubs."
  value       = azurerm_eventhub_authorization_rule.connected_cars_send.primary_connection_string
  sensitive   = true
}

output "deadletter_listen_connection_string" {
  description = "Listen-only connection string of the dead-letter hub, for DEEZWATTS_REPLAY_FROM_EVENTHUB_CONNECTION (deezwatts replay --from)."
  value       = azurerm_eventhub_authorization_rule.replay_listen.primary_connection_string
  sensitive   = true
}

output "eventhub_namespace" {
  description = "Event Hubs namespace."
  value       = azurerm_eventhub_namespace.this.name
}

output "function_app_name" {
  description = "The Function App."
  value       = azurerm_linux_function_app.this.name
}

output "resource_group" {
  description = "The resource group."
  value       = azurerm_resource_group.this.name
}

output "key_vault_name" {
  description = "The Key Vault holding the secrets (and the Rivian session)."
  value       = azurerm_key_vault.this.name
}

output "rivian_session_secret" {
  description = "Key Vault secret for the Rivian session (null when Rivian is off)."
  value       = var.enable_rivian ? azurerm_key_vault_secret.rivian_session[0].name : null
}

output "gcp_service_account" {
  description = "The GCP service account the functions impersonate to write BigQuery."
  value       = google_service_account.azure_functions.email
}

output "sink_uri" {
  description = "DEEZWATTS_SINK of the functions."
  value       = local.app_settings["DEEZWATTS_SINK"]
}
