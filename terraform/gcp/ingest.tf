# The ingest functions: HTTP push (Connected Cars pushes to its URL with the secret) and Pub/Sub
# (Connected Cars publishes to the topic). Both store into BigQuery through the same core.

# --- The push secret ----------------------------------------------------------------------------

resource "random_password" "http_token" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret" "http_token" {
  project   = var.project_id
  secret_id = "${var.name_prefix}-http-token"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "http_token" {
  secret      = google_secret_manager_secret.http_token.id
  secret_data = coalesce(var.http_token, random_password.http_token.result)
}

resource "google_secret_manager_secret_iam_member" "ingest_reads_http_token" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.http_token.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.ingest.member
}

# --- The Connected Cars service account (API access), when configured -----------------------------

resource "google_secret_manager_secret" "cc_service_account" {
  count     = local.cc_enabled ? 1 : 0
  project   = var.project_id
  secret_id = "${var.name_prefix}-cc-service-account"
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.apis]
}

resource "google_secret_manager_secret_version" "cc_service_account" {
  count       = local.cc_enabled ? 1 : 0
  secret      = google_secret_manager_secret.cc_service_account[0].id
  secret_data = var.cc_service_account_json
}

resource "google_secret_manager_secret_iam_member" "reads_cc_service_account" {
  for_each = local.cc_enabled ? merge(
    { ingest = google_service_account.ingest.member },
    var.enable_cc_sync ? { cc_sync = google_service_account.cc_sync[0].member } : {},
  ) : {}

  project   = var.project_id
  secret_id = google_secret_manager_secret.cc_service_account[0].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

# --- HTTP push function ---------------------------------------------------------------------------

resource "google_cloudfunctions2_function" "http" {
  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-http"
  description = "Connected Cars push endpoint: POST /data-streams, /legacy/account, /legacy/car"
  labels      = local.function_labels

  build_config {
    runtime         = "java17"
    entry_point     = "io.deezwatts.gcp.HttpIngestFunction"
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
    timeout_seconds                = var.function_timeout_seconds
    max_instance_count             = var.function_max_instances
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.ingest.email
    environment_variables          = merge(local.base_env, local.ingest_env, local.cc_env)

    secret_environment_variables {
      key        = "DEEZWATTS_HTTP_TOKEN"
      project_id = var.project_id
      secret     = google_secret_manager_secret.http_token.secret_id
      version    = "latest"
    }

    dynamic "secret_environment_variables" {
      for_each = local.cc_enabled ? [1] : []
      content {
        key        = "DEEZWATTS_CC_SERVICE_ACCOUNT"
        project_id = var.project_id
        secret     = google_secret_manager_secret.cc_service_account[0].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_secret_manager_secret_version.http_token,
    google_secret_manager_secret_iam_member.ingest_reads_http_token,
    google_secret_manager_secret_iam_member.reads_cc_service_account,
  ]
}

# Connected Cars calls the endpoint without Google credentials: the function checks the secret
# (and optionally the request signature) itself, in constant time.
resource "google_cloud_run_service_iam_member" "http_public" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.http.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Pub/Sub: the topic Connected Cars publishes to, the function, and the dead-letter topic -------

resource "google_pubsub_topic" "ingest" {
  project = var.project_id
  name    = "${var.name_prefix}-ingest"
  labels  = var.labels

  # Messages wait up to a day for the function (it may be failing while BigQuery is down).
  message_retention_duration = "86400s"

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic_iam_member" "connected_cars_publishes" {
  count   = var.connected_cars_publisher == null ? 0 : 1
  project = var.project_id
  topic   = google_pubsub_topic.ingest.name
  role    = "roles/pubsub.publisher"
  member  = var.connected_cars_publisher
}

resource "google_pubsub_topic" "dead_letter" {
  project = var.project_id
  name    = "${var.name_prefix}-ingest-dead-letter"
  labels  = var.labels

  depends_on = [google_project_service.apis]
}

# The dead-letter topic's own subscription keeps what failed for a week, to inspect and replay.
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project_id
  name                       = "${var.name_prefix}-ingest-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  retain_acked_messages      = false
  ack_deadline_seconds       = 60
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

# Pub/Sub's service agent moves undeliverable messages: it publishes to the dead-letter topic.
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${local.pubsub_agent}"
}

resource "google_cloudfunctions2_function" "pubsub" {
  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-pubsub"
  description = "Stores the bulks Connected Cars publishes to ${google_pubsub_topic.ingest.name}"
  labels      = local.function_labels

  build_config {
    runtime         = "java17"
    entry_point     = "io.deezwatts.gcp.PubSubIngestFunction"
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
    timeout_seconds                = var.function_timeout_seconds
    max_instance_count             = var.function_max_instances
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.ingest.email
    environment_variables          = merge(local.base_env, local.ingest_env, local.cc_env)

    dynamic "secret_environment_variables" {
      for_each = local.cc_enabled ? [1] : []
      content {
        key        = "DEEZWATTS_CC_SERVICE_ACCOUNT"
        project_id = var.project_id
        secret     = google_secret_manager_secret.cc_service_account[0].secret_id
        version    = "latest"
      }
    }
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.ingest.id
    service_account_email = google_service_account.trigger.email
    # The function throws when storing failed; without retries Eventarc would drop that bulk.
    retry_policy = "RETRY_POLICY_RETRY"
  }

  depends_on = [google_secret_manager_secret_iam_member.reads_cc_service_account]
}

# The trigger's identity may invoke the function; Pub/Sub's agent mints its tokens.
resource "google_cloud_run_service_iam_member" "trigger_invokes_pubsub" {
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.pubsub.name
  role     = "roles/run.invoker"
  member   = google_service_account.trigger.member
}

resource "google_service_account_iam_member" "agent_signs_for_trigger" {
  service_account_id = google_service_account.trigger.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${local.pubsub_agent}"
}

# Eventarc creates the push subscription itself, so terraform cannot set its dead-letter policy;
# gcloud does, once the trigger exists (and again whenever it is replaced).
resource "terraform_data" "dead_letter_policy" {
  count = var.attach_dead_letter_with_gcloud ? 1 : 0

  triggers_replace = [
    google_cloudfunctions2_function.pubsub.event_trigger[0].trigger,
    google_pubsub_topic.dead_letter.id,
    var.pubsub_max_delivery_attempts,
  ]

  provisioner "local-exec" {
    interpreter = ["bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      sub=$(gcloud eventarc triggers describe "$TRIGGER" --format='value(transport.pubsub.subscription)')
      if [ -z "$sub" ]; then echo "no Pub/Sub subscription found for $TRIGGER" >&2; exit 1; fi
      gcloud pubsub subscriptions update "$sub" --dead-letter-topic="$DEAD_LETTER_TOPIC" \
        --max-delivery-attempts="$MAX_ATTEMPTS" --min-retry-delay=10s --max-retry-delay=600s
      gcloud pubsub subscriptions add-iam-policy-binding "$sub" \
        --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.subscriber >/dev/null
    EOT
    environment = {
      TRIGGER           = google_cloudfunctions2_function.pubsub.event_trigger[0].trigger
      DEAD_LETTER_TOPIC = google_pubsub_topic.dead_letter.id
      MAX_ATTEMPTS      = tostring(var.pubsub_max_delivery_attempts)
      PUBSUB_AGENT      = local.pubsub_agent
    }
  }

  depends_on = [google_pubsub_topic_iam_member.agent_publishes_dead_letters]
}
