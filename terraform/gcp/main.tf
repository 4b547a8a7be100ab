# deezwatts on Google Cloud: BigQuery, the ingest functions (HTTP push, Pub/Sub), the Rivian poll
# and Connected Cars sync functions on Cloud Scheduler, and optionally the ViriCiti bridge.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  source_zip = coalesce(var.function_source_zip, "${path.module}/../../functions-gcp/target/deezwatts-gcf.zip")

  cc_enabled      = var.cc_service_account_json != null
  rivian_enabled  = var.enable_rivian
  bridge_enabled  = var.viriciti_bridge_image != null
  pubsub_agent    = "service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  function_labels = merge(var.labels, { app = "deezwatts" })

  # Settings every function reads (core: the sink and the per-bulk deadline).
  base_env = {
    DEEZWATTS_SINK             = module.bigquery.sink_uri
    DEEZWATTS_DEADLINE_SECONDS = tostring(var.deadline_seconds)
    # Structured logs name the trace as projects/PROJECT/traces/ID.
    GOOGLE_CLOUD_PROJECT = var.project_id
  }

  # The ingest functions' settings; the public keys only when signatures are verified.
  ingest_env = merge(
    {
      DEEZWATTS_FEED                        = var.default_feed
      DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS = tostring(var.signature_tolerance_seconds)
    },
    var.signature_public_keys == null ? {} : { DEEZWATTS_SIGNATURE_PUBLIC_KEYS = var.signature_public_keys },
  )

  # Connected Cars API settings (the service account itself is a secret, below).
  cc_env = local.cc_enabled ? {
    DEEZWATTS_CC_NAMESPACE          = var.cc_namespace
    DEEZWATTS_CC_AUTO_STREAM_TOPICS = join(",", [for t in var.cc_auto_stream_topics : tostring(t)])
  } : {}
}

resource "google_project_service" "apis" {
  for_each = var.enable_apis ? toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ]) : toset([])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

module "bigquery" {
  source = "../modules/bigquery"

  project_id                = var.project_id
  dataset_id                = var.dataset_id
  location                  = var.bigquery_location
  require_partition_filter  = var.require_partition_filter
  partition_expiration_days = var.partition_expiration_days
  deletion_protection       = var.deletion_protection
  labels                    = var.labels

  depends_on = [google_project_service.apis]
}

# --- Service accounts: one per job, each with only what it needs --------------------------------

resource "google_service_account" "ingest" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-ingest"
  display_name = "deezwatts ingest functions (HTTP push, Pub/Sub)"
}

resource "google_service_account" "trigger" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-trigger"
  display_name = "deezwatts Eventarc trigger: invokes the Pub/Sub function"
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-scheduler"
  display_name = "deezwatts Cloud Scheduler: invokes the Rivian and Connected Cars functions"
}

resource "google_service_account" "rivian" {
  count        = local.rivian_enabled ? 1 : 0
  project      = var.project_id
  account_id   = "${var.name_prefix}-rivian"
  display_name = "deezwatts Rivian poll function"
}

resource "google_service_account" "cc_sync" {
  count        = var.enable_cc_sync ? 1 : 0
  project      = var.project_id
  account_id   = "${var.name_prefix}-cc-sync"
  display_name = "deezwatts Connected Cars sync function"
}

# BigQuery data editor on the dataset only: it grants bigquery.tables.updateData, which appends to
# a table's _default stream through the Storage Write API need (and insertAll too), and
# bigquery.tables.get for reading a lagging table's schema. Neither API runs jobs.
resource "google_bigquery_dataset_iam_member" "writers" {
  for_each = merge(
    { ingest = google_service_account.ingest.member },
    local.rivian_enabled ? { rivian = google_service_account.rivian[0].member } : {},
    var.enable_cc_sync ? { cc_sync = google_service_account.cc_sync[0].member } : {},
    local.bridge_enabled ? { bridge = google_service_account.bridge[0].member } : {},
  )

  project    = var.project_id
  dataset_id = module.bigquery.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = each.value
}

# --- Function source: built by Maven, uploaded to a bucket ---------------------------------------

resource "google_storage_bucket" "source" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  depends_on = [google_project_service.apis]
}

# The object's name carries the archive's hash, so a new build redeploys the functions.
resource "google_storage_bucket_object" "source" {
  bucket = google_storage_bucket.source.name
  name   = "functions-gcp-${filemd5(local.source_zip)}.zip"
  source = local.source_zip
}
