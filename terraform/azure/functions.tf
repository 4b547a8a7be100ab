# The Function App: HttpIngest, EventHubIngest, RivianPoll and CcSync (functions-azure), deployed
# from the package Maven stages, zipped and run from a blob the app reads with its identity.

resource "azurerm_storage_account" "this" {
  name                            = "${var.name_prefix}${local.suffix}"
  location                        = azurerm_resource_group.this.location
  resource_group_name             = azurerm_resource_group.this.name
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  tags                            = var.tags
}

resource "azurerm_storage_container" "deployments" {
  name                  = "deployments"
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

data "archive_file" "functions" {
  type        = "zip"
  source_dir  = local.package_dir
  output_path = "${path.module}/.terraform/functions-azure.zip"
}

# The blob's name carries the package's hash, so a new build restarts the app on the new code.
resource "azurerm_storage_blob" "functions" {
  name                   = "functions-azure-${data.archive_file.functions.output_md5}.zip"
  storage_account_name   = azurerm_storage_account.this.name
  storage_container_name = azurerm_storage_container.deployments.name
  type                   = "Block"
  source                 = data.archive_file.functions.output_path
}

resource "azurerm_service_plan" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  os_type             = "Linux"
  sku_name            = var.function_plan_sku
  tags                = var.tags
}

locals {
  kv_ref = { for name, s in azurerm_key_vault_secret.app : name => "@Microsoft.KeyVault(SecretUri=${s.versionless_id})" }

  # Every DEEZWATTS_* setting the functions read (the build's terraform checks compare this with
  # the code). FUNCTIONS_WORKER_RUNTIME=java comes from application_stack, not from here.
  app_settings = merge(
    {
      WEBSITE_RUN_FROM_PACKAGE = azurerm_storage_blob.functions.url

      DEEZWATTS_SINK                        = "bigquery:${var.gcp_project_id}.${var.bigquery_dataset_id}"
      DEEZWATTS_DEADLINE_SECONDS            = tostring(var.deadline_seconds)
      DEEZWATTS_FEED                        = var.default_feed
      DEEZWATTS_HTTP_TOKEN                  = local.kv_ref["http-token"]
      DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS = tostring(var.signature_tolerance_seconds)

      DEEZWATTS_EVENTHUB_NAME           = azurerm_eventhub.ingest.name
      DEEZWATTS_EVENTHUB_CONSUMER_GROUP = azurerm_eventhub_consumer_group.functions.name
      DEEZWATTS_EVENTHUB_CONNECTION     = local.kv_ref["eventhub-listen"]
      DEEZWATTS_DEADLETTER_CONNECTION   = local.kv_ref["deadletter-send"]
      DEEZWATTS_DEADLETTER_HUB          = azurerm_eventhub.dead_letter.name

      # The timers' schedules are always set, so the host can index the functions; a timer that
      # is not configured is disabled instead.
      DEEZWATTS_RIVIAN_SCHEDULE          = var.rivian_interval_minutes == 60 ? "0 0 * * * *" : "0 */${var.rivian_interval_minutes} * * * *"
      DEEZWATTS_RIVIAN_INTERVAL_SECONDS  = tostring(var.rivian_interval_minutes * 60)
      DEEZWATTS_CC_SYNC_SCHEDULE         = var.cc_sync_schedule
      "AzureWebJobs.RivianPoll.Disabled" = var.enable_rivian ? "false" : "true"
      "AzureWebJobs.CcSync.Disabled"     = local.cc_enabled ? "false" : "true"

      # BigQuery through Workload Identity Federation (wif.tf).
      DEEZWATTS_GCP_WIF_AUDIENCE       = local.wif_audience
      DEEZWATTS_GCP_WIF_TOKEN_RESOURCE = local.wif_token_resource
      DEEZWATTS_GCP_SERVICE_ACCOUNT    = google_service_account.azure_functions.email
    },
    var.signature_public_keys == null ? {} : { DEEZWATTS_SIGNATURE_PUBLIC_KEYS = var.signature_public_keys },
    var.enable_rivian ? { DEEZWATTS_RIVIAN_KEYVAULT_SECRET = azurerm_key_vault_secret.rivian_session[0].versionless_id } : {},
    local.cc_enabled ? {
      DEEZWATTS_CC_SERVICE_ACCOUNT    = local.kv_ref["cc-service-account"]
      DEEZWATTS_CC_NAMESPACE          = var.cc_namespace
      DEEZWATTS_CC_AUTO_STREAM_TOPICS = join(",", [for t in var.cc_auto_stream_topics : tostring(t)])
    } : {},
  )
}

resource "azurerm_linux_function_app" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  service_plan_id     = azurerm_service_plan.this.id
  tags                = var.tags

  storage_account_name          = azurerm_storage_account.this.name
  storage_uses_managed_identity = true
  functions_extension_version   = "~4"
  https_only                    = true

  identity {
    type = "SystemAssigned"
  }

  site_config {
    minimum_tls_version                    = "1.2"
    application_insights_connection_string = azurerm_application_insights.this.connection_string

    application_stack {
      java_version = "17"
    }
  }

  app_settings = local.app_settings

  lifecycle {
    precondition {
      condition     = !local.cc_enabled || var.cc_namespace != null
      error_message = "cc_service_account_json needs cc_namespace."
    }
  }
}

# --- What the app's identity may do ---------------------------------------------------------------

# The host's own storage (leases, Event Hubs checkpoints) and the package blob.
resource "azurerm_role_assignment" "app_storage" {
  for_each = toset(["Storage Blob Data Owner", "Storage Queue Data Contributor"])

  scope                = azurerm_storage_account.this.id
  role_definition_name = each.value
  principal_id         = azurerm_linux_function_app.this.identity[0].principal_id
}

# Read each secret its settings reference, and nothing else in the vault.
resource "azurerm_role_assignment" "app_reads_secrets" {
  for_each = azurerm_key_vault_secret.app

  scope                = each.value.resource_versionless_id
  role_definition_name = "Key Vault Secrets User"
  principal_id         = azurerm_linux_function_app.this.identity[0].principal_id
}

# The Rivian session: read, and write refreshed sessions.
resource "azurerm_role_assignment" "app_writes_rivian_session" {
  count = var.enable_rivian ? 1 : 0

  scope                = azurerm_key_vault_secret.rivian_session[0].resource_versionless_id
  role_definition_name = "Key Vault Secrets Officer"
  principal_id         = azurerm_linux_function_app.this.identity[0].principal_id
}

data "azurerm_function_app_host_keys" "this" {
  name                = azurerm_linux_function_app.this.name
  resource_group_name = azurerm_resource_group.this.name
}
