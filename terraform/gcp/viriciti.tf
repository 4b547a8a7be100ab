# Optional: the ViriCiti bridge, `deezwatts viriciti bridge` from the CLI's container image (Jib),
# holding ViriCiti's live WebSocket around the clock. It serves no HTTP, so it runs as a Cloud Run
# worker pool (one instance, always on) rather than a service, which must answer on $PORT.

resource "google_service_account" "bridge" {
  count        = local.bridge_enabled ? 1 : 0
  project      = var.project_id
  account_id   = "${var.name_prefix}-viriciti"
  display_name = "deezwatts ViriCiti bridge"
}

resource "google_secret_manager_secret" "viriciti_api_key" {
  count     = local.bridge_enabled ? 1 : 0
  project   = var.project_id
  secret_id = "${var.name_prefix}-viriciti-api-key"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "viriciti_api_key" {
  count       = local.bridge_enabled ? 1 : 0
  secret      = google_secret_manager_secret.viriciti_api_key[0].id
  secret_data = var.viriciti_api_key
}

# The subscription is mounted as a file, as the bridge reads it with --subscription FILE.
resource "google_secret_manager_secret" "viriciti_subscription" {
  count     = local.bridge_enabled ? 1 : 0
  project   = var.project_id
  secret_id = "${var.name_prefix}-viriciti-subscription"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "viriciti_subscription" {
  count       = local.bridge_enabled ? 1 : 0
  secret      = google_secret_manager_secret.viriciti_subscription[0].id
  secret_data = var.viriciti_subscription_json
}

resource "google_secret_manager_secret_iam_member" "bridge_reads" {
  for_each = local.bridge_enabled ? {
    api_key      = google_secret_manager_secret.viriciti_api_key[0].secret_id
    subscription = google_secret_manager_secret.viriciti_subscription[0].secret_id
  } : {}

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.bridge[0].member
}

resource "google_cloud_run_v2_worker_pool" "viriciti" {
  count        = local.bridge_enabled ? 1 : 0
  project      = var.project_id
  location     = var.region
  name         = "${var.name_prefix}-viriciti-bridge"
  launch_stage = "BETA"
  labels       = var.labels

  # It holds no data: the rows are in BigQuery.
  deletion_protection = false

  # Exactly one: two bridges would hold two sockets and store every point twice (deduplicated,
  # but paid for twice).
  scaling {
    manual_instance_count = 1
  }

  template {
    service_account = google_service_account.bridge[0].email

    containers {
      image = var.viriciti_bridge_image
      args  = ["viriciti", "bridge", "--subscription", "/etc/deezwatts/subscription.json"]

      env {
        name  = "DEEZWATTS_SINK"
        value = module.bigquery.sink_uri
      }
      dynamic "env" {
        for_each = var.viriciti_url == null ? [] : [var.viriciti_url]
        content {
          name  = "DEEZWATTS_VIRICITI_URL"
          value = env.value
        }
      }
      env {
        name = "DEEZWATTS_VIRICITI_API_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.viriciti_api_key[0].secret_id
            version = "latest"
          }
        }
      }

      volume_mounts {
        name       = "subscription"
        mount_path = "/etc/deezwatts"
      }

      resources {
        limits = {
          cpu    = "1"
          memory = "1Gi"
        }
      }
    }

    volumes {
      name = "subscription"
      secret {
        secret = google_secret_manager_secret.viriciti_subscription[0].secret_id
        items {
          version = "latest"
          path    = "subscription.json"
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.viriciti_api_key != null && var.viriciti_subscription_json != null
      error_message = "viriciti_bridge_image needs viriciti_api_key and viriciti_subscription_json."
    }
  }

  depends_on = [
    google_secret_manager_secret_iam_member.bridge_reads,
    google_secret_manager_secret_version.viriciti_api_key,
    google_secret_manager_secret_version.viriciti_subscription,
  ]
}
