output "http_endpoint" {
  description = "The push endpoint to hand Connected Cars: append /data-streams, /legacy/account or /legacy/car."
  value       = google_cloudfunctions2_function.http.service_config[0].uri
}

output "http_token" {
  description = "The push endpoint's secret, to hand Connected Cars (Authorization: Bearer <token>). `terraform output -raw http_token`."
  value       = google_secret_manager_secret_version.http_token.secret_data
  sensitive   = true
}

output "pubsub_topic" {
  description = "The topic to hand Connected Cars (full name) when they publish instead of pushing."
  value       = google_pubsub_topic.ingest.id
}

output "dead_letter_subscription" {
  description = "Pull subscription holding the Pub/Sub bulks the function failed to store after every retry."
  value       = google_pubsub_subscription.dead_letter.id
}

output "sink_uri" {
  description = "DEEZWATTS_SINK of the deployed functions; also usable with `deezwatts ingest --sink`."
  value       = module.bigquery.sink_uri
}

output "dataset_id" {
  description = "The BigQuery dataset."
  value       = module.bigquery.dataset_id
}

output "rivian_session_secret" {
  description = "Secret Manager secret for the Rivian session: add its first version after `deezwatts rivian login` (null when Rivian is off)."
  value       = local.rivian_enabled ? google_secret_manager_secret.rivian_session[0].secret_id : null
}

output "service_accounts" {
  description = "The deployment's service accounts by job."
  value = merge(
    {
      ingest    = google_service_account.ingest.email
      trigger   = google_service_account.trigger.email
      scheduler = google_service_account.scheduler.email
    },
    local.rivian_enabled ? { rivian = google_service_account.rivian[0].email } : {},
    var.enable_cc_sync ? { cc_sync = google_service_account.cc_sync[0].email } : {},
    local.bridge_enabled ? { viriciti = google_service_account.bridge[0].email } : {},
  )
}
