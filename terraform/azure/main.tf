# deezwatts on Azure: Event Hubs (ingest + dead letters), a Linux Function App on Java 17 with a
# managed identity, Key Vault for every secret, Application Insights, and BigQuery reached through
# Workload Identity Federation (wif.tf).

data "azurerm_client_config" "current" {}

resource "random_string" "suffix" {
  length  = 6
  upper   = false
  special = false
}

locals {
  suffix      = random_string.suffix.result
  name        = "${var.name_prefix}-${local.suffix}"
  package_dir = coalesce(var.function_package_dir, "${path.module}/../../functions-azure/target/azure-functions/deezwatts")
  cc_enabled  = var.cc_service_account_json != null
}

resource "azurerm_resource_group" "this" {
  name     = "${var.name_prefix}-rg"
  location = var.location
  tags     = var.tags
}

# --- Event Hubs -------------------------------------------------------------------------------

resource "azurerm_eventhub_namespace" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = var.eventhub_sku
  capacity            = var.eventhub_capacity
  minimum_tls_version = "1.2"
  tags                = var.tags
}

resource "azurerm_eventhub" "ingest" {
  name              = "ingest"
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = var.eventhub_partitions
  message_retention = var.eventhub_retention_days
}

resource "azurerm_eventhub_consumer_group" "functions" {
  name                = "deezwatts"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.ingest.name
  resource_group_name = azurerm_resource_group.this.name
  user_metadata       = "The deezwatts EventHubIngest function"
}

# Bulks the function could not store after its retries are parked here with their metadata.
resource "azurerm_eventhub" "dead_letter" {
  name              = "deadletter"
  namespace_id      = azurerm_eventhub_namespace.this.id
  partition_count   = 2
  message_retention = var.eventhub_retention_days
}

# One rule per use, each with the least right: the function listens on ingest and sends to
# deadletter; Connected Cars only sends to ingest.
resource "azurerm_eventhub_authorization_rule" "functions_listen" {
  name                = "functions-listen"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.ingest.name
  resource_group_name = azurerm_resource_group.this.name
  listen              = true
  send                = false
  manage              = false
}

resource "azurerm_eventhub_authorization_rule" "dead_letter_send" {
  name                = "functions-send"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.dead_letter.name
  resource_group_name = azurerm_resource_group.this.name
  listen              = false
  send                = true
  manage              = false
}

# deezwatts replay --from eventhubs:NAMESPACE/deadletter reads parked bulks back with this.
resource "azurerm_eventhub_authorization_rule" "replay_listen" {
  name                = "replay-listen"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.dead_letter.name
  resource_group_name = azurerm_resource_group.this.name
  listen              = true
  send                = false
  manage              = false
}

resource "azurerm_eventhub_authorization_rule" "connected_cars_send" {
  name                = "connected-cars-send"
  namespace_name      = azurerm_eventhub_namespace.this.name
  eventhub_name       = azurerm_eventhub.ingest.name
  resource_group_name = azurerm_resource_group.this.name
  listen              = false
  send                = true
  manage              = false
}

# --- Key Vault: every secret the app reads, as Key Vault references -----------------------------

resource "azurerm_key_vault" "this" {
  name                       = local.name
  location                   = azurerm_resource_group.this.location
  resource_group_name        = azurerm_resource_group.this.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  enable_rbac_authorization  = true
  soft_delete_retention_days = 7
  purge_protection_enabled   = false
  tags                       = var.tags
}

# Whoever runs terraform writes the secrets.
resource "azurerm_role_assignment" "deployer_writes_secrets" {
  scope                = azurerm_key_vault.this.id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = data.azurerm_client_config.current.object_id
}

resource "random_password" "http_token" {
  length  = 48
  special = false
}

locals {
  # Secrets the app reads through Key Vault references (name => value).
  secret_values = {
    http-token         = coalesce(var.http_token, random_password.http_token.result)
    eventhub-listen    = azurerm_eventhub_authorization_rule.functions_listen.primary_connection_string
    deadletter-send    = azurerm_eventhub_authorization_rule.dead_letter_send.primary_connection_string
    cc-service-account = local.cc_enabled ? var.cc_service_account_json : ""
  }
  secret_names = concat(["http-token", "eventhub-listen", "deadletter-send"], local.cc_enabled ? ["cc-service-account"] : [])
}

resource "azurerm_key_vault_secret" "app" {
  for_each = toset(local.secret_names)

  name         = each.key
  value        = local.secret_values[each.key]
  key_vault_id = azurerm_key_vault.this.id
  content_type = "deezwatts setting"

  depends_on = [azurerm_role_assignment.deployer_writes_secrets]
}

# The Rivian session: a placeholder until `az keyvault secret set` stores the real one after
# `deezwatts rivian login`; the function then writes refreshed sessions itself, so terraform
# never touches the value again.
resource "azurerm_key_vault_secret" "rivian_session" {
  count        = var.enable_rivian ? 1 : 0
  name         = "rivian-session"
  value        = "{}"
  key_vault_id = azurerm_key_vault.this.id
  content_type = "deezwatts Rivian session (written by the function)"

  lifecycle {
    ignore_changes = [value, content_type, tags]
  }

  depends_on = [azurerm_role_assignment.deployer_writes_secrets]
}

# --- Monitoring ---------------------------------------------------------------------------------

resource "azurerm_log_analytics_workspace" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku                 = "PerGB2018"
  retention_in_days   = 30
  tags                = var.tags
}

resource "azurerm_application_insights" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  workspace_id        = azurerm_log_analytics_workspace.this.id
  application_type    = "java"
  tags                = var.tags
}
