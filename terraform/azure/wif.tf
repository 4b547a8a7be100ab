# BigQuery from Azure without key files: the Function App's managed identity gets an Entra token
# for an application of ours, Google's STS trades it through a workload identity pool that trusts
# our tenant, and the result impersonates a service account that may write the dataset.

data "google_project" "gcp" {
  project_id = var.gcp_project_id
}

resource "google_project_service" "gcp" {
  for_each = var.enable_gcp_apis ? toset([
    "bigquery.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "sts.googleapis.com",
  ]) : toset([])

  project            = var.gcp_project_id
  service            = each.value
  disable_on_destroy = false
}

module "bigquery" {
  source = "../modules/bigquery"
  count  = var.create_bigquery_dataset ? 1 : 0

  project_id               = var.gcp_project_id
  dataset_id               = var.bigquery_dataset_id
  location                 = var.bigquery_location
  require_partition_filter = var.require_partition_filter
  deletion_protection      = var.deletion_protection

  depends_on = [google_project_service.gcp]
}

# The resource the managed identity asks Entra for a token for: its aud is what the pool accepts.
resource "azuread_application_registration" "wif" {
  display_name = "${local.name} BigQuery federation"
}

resource "azuread_application_identifier_uri" "wif" {
  application_id = azuread_application_registration.wif.id
  identifier_uri = "api://${azuread_application_registration.wif.client_id}"
}

# Entra issues tokens only for applications with a service principal in the tenant.
resource "azuread_service_principal" "wif" {
  client_id = azuread_application_registration.wif.client_id
}

locals {
  wif_pool_id        = "${var.name_prefix}-azure-${local.suffix}"
  wif_provider_id    = "azure-functions"
  wif_token_resource = azuread_application_identifier_uri.wif.identifier_uri
  # Built from parts, not from the provider resource, which depends on the app's identity.
  wif_audience = "//iam.googleapis.com/projects/${data.google_project.gcp.number}/locations/global/workloadIdentityPools/${local.wif_pool_id}/providers/${local.wif_provider_id}"
}

resource "google_iam_workload_identity_pool" "azure" {
  project                   = var.gcp_project_id
  workload_identity_pool_id = local.wif_pool_id
  display_name              = "deezwatts on Azure"
  description               = "Trusts the deezwatts Function App's managed identity"

  depends_on = [google_project_service.gcp]
}

resource "google_iam_workload_identity_pool_provider" "azure" {
  project                            = var.gcp_project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.azure.workload_identity_pool_id
  workload_identity_pool_provider_id = local.wif_provider_id
  display_name                       = "Entra ID (managed identity)"

  attribute_mapping = {
    "google.subject" = "assertion.sub"
  }
  # Only our tenant's tokens, and only the Function App's identity.
  attribute_condition = "assertion.tid == \"${data.azurerm_client_config.current.tenant_id}\" && assertion.sub == \"${azurerm_linux_function_app.this.identity[0].principal_id}\""

  oidc {
    issuer_uri        = "https://sts.windows.net/${data.azurerm_client_config.current.tenant_id}/"
    allowed_audiences = [local.wif_token_resource]
  }
}

resource "google_service_account" "azure_functions" {
  project      = var.gcp_project_id
  account_id   = "${var.name_prefix}-azure-${local.suffix}"
  display_name = "deezwatts Azure functions (impersonated through workload identity federation)"
}

resource "google_service_account_iam_member" "azure_identity_impersonates" {
  service_account_id = google_service_account.azure_functions.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.azure.name}/subject/${azurerm_linux_function_app.this.identity[0].principal_id}"
}

# Data editor grants bigquery.tables.updateData (Storage Write API appends, insertAll) and
# bigquery.tables.get (the schema read when a table lags the catalog), on this dataset only.
resource "google_bigquery_dataset_iam_member" "azure_functions_write" {
  project    = var.gcp_project_id
  dataset_id = var.create_bigquery_dataset ? module.bigquery[0].dataset_id : var.bigquery_dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.azure_functions.member
}
