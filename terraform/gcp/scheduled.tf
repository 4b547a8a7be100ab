# Scheduled functions: the Rivian poll (every few minutes) and the daily Connected Cars sync.
# Cloud Scheduler calls each with an OIDC token of the scheduler account, their only invoker.

# --- Rivian ---------------------------------------------------------------------------------------

# The session `deezwatts rivian login` creates: its first version is added by hand (README,
# Deploy to GCP), later ones by the function when Rivian refreshes the tokens.
resource "google_secret_manager_secret" "rivian_session" {
  count     = local.rivian_enabled ? 1 : 0
  project   = var.project_id
  secret_id = "${var.name_prefix}-rivian-session"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_iam_member" "rivian_session" {
  for_each = toset(local.rivian_enabled ? [
    "roles/secretmanager.secretAccessor",
    "roles/secretmanager.secretVersionAdder",
  ] : [])

  project   = var.project_id
  secret_id = google_secret_manager_secret.rivian_session[0].secret_id
  role      = each.value
  member    = google_service_account.rivian[0].member
}

resource "google_cloudfunctions2_function" "rivian" {
  count       = local.rivian_enabled ? 1 : 0
  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-rivian-poll"
  description = "Polls Rivian's API and stores one row per vehicle state"
  labels      = local.function_labels

  build_config {
    runtime         = "java17"
    entry_point     = "io.deezwatts.gcp.RivianPollFunction"
    service_account = var.build_service_account
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory = var.function_memory
    timeout_seconds  = var.function_timeout_seconds
    # One instance, so the function's own minimum-interval check and backoff hold.
    max_instance_count             = 1
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.rivian[0].email
    environment_variables = merge(local.base_env, {
      DEEZWATTS_RIVIAN_SECRET           = google_secret_manager_secret.rivian_session[0].id
      DEEZWATTS_RIVIAN_INTERVAL_SECONDS = tostring(var.rivian_interval_minutes * 60)
    })
  }

  depends_on = [google_secret_manager_secret_iam_member.rivian_session]
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes_rivian" {
  count    = local.rivian_enabled ? 1 : 0
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.rivian[0].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "rivian" {
  count       = local.rivian_enabled ? 1 : 0
  project     = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-rivian-poll"
  description = "Polls Rivian every ${var.rivian_interval_minutes} minutes"
  schedule    = var.rivian_interval_minutes == 60 ? "0 * * * *" : "*/${var.rivian_interval_minutes} * * * *"
  time_zone   = var.scheduler_time_zone

  attempt_deadline = "${var.function_timeout_seconds + 30}s"

  # The next scheduled run is the retry; the function backs off after failures by itself.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.rivian[0].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.rivian[0].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.scheduler_invokes_rivian]
}

# --- Connected Cars sync --------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "cc_sync" {
  count       = var.enable_cc_sync ? 1 : 0
  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-cc-sync"
  description = "Daily sync with the Connected Cars API"
  labels      = local.function_labels

  build_config {
    runtime         = "java17"
    entry_point     = "io.deezwatts.gcp.CcSyncFunction"
    service_account = var.build_service_account
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = 540
    max_instance_count             = 1
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.cc_sync[0].email
    environment_variables          = merge(local.base_env, local.cc_env)

    secret_environment_variables {
      key        = "DEEZWATTS_CC_SERVICE_ACCOUNT"
      project_id = var.project_id
      secret     = google_secret_manager_secret.cc_service_account[0].secret_id
      version    = "latest"
    }
  }

  lifecycle {
    precondition {
      condition     = local.cc_enabled && var.cc_namespace != null
      error_message = "enable_cc_sync needs cc_service_account_json and cc_namespace."
    }
  }

  depends_on = [google_secret_manager_secret_iam_member.reads_cc_service_account]
}

resource "google_cloud_run_service_iam_member" "scheduler_invokes_cc_sync" {
  count    = var.enable_cc_sync ? 1 : 0
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.cc_sync[0].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "cc_sync" {
  count       = var.enable_cc_sync ? 1 : 0
  project     = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-cc-sync"
  description = "Daily Connected Cars sync"
  schedule    = var.cc_sync_schedule
  time_zone   = var.scheduler_time_zone

  attempt_deadline = "600s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.cc_sync[0].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.cc_sync[0].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_service_iam_member.scheduler_invokes_cc_sync]
}
