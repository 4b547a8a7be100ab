# Alerts: what an operator must hear about without reading logs (README, Operations).
# Each policy notifies the channels below: the e-mail address in alert_email, plus any channel ids
# in alert_notification_channels (Slack, PagerDuty, SMS made in the console).

resource "google_monitoring_notification_channel" "email" {
  count        = var.alert_email == null ? 0 : 1
  project      = var.project_id
  display_name = "${var.name_prefix} operators"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.apis]
}

locals {
  alert_channels = concat(google_monitoring_notification_channel.email[*].id, var.alert_notification_channels)
}

# Bulks the Pub/Sub function could not store after every delivery attempt wait on the dead-letter
# subscription: replay them with `deezwatts replay --from pubsub:...` once the cause is fixed.
resource "google_monitoring_alert_policy" "dead_letters" {
  project      = var.project_id
  display_name = "${var.name_prefix}: bulks waiting on the dead-letter subscription"
  combiner     = "OR"

  conditions {
    display_name = "undelivered dead letters above 0 for 5 minutes"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.dead_letter.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Bulks were parked on ${google_pubsub_subscription.dead_letter.id}. Find why in the logs (README, Operations), fix it, then: `deezwatts replay --from pubsub:${google_pubsub_subscription.dead_letter.id} --to pubsub:${google_pubsub_topic.ingest.id}`"
  }

  notification_channels = local.alert_channels
  user_labels           = var.labels
  depends_on            = [google_project_service.apis]
}

# Requests the ingest functions answered with 5xx: storage failing (503, retried) or failed for
# good or misconfigured (500).
resource "google_monitoring_alert_policy" "function_errors" {
  project      = var.project_id
  display_name = "${var.name_prefix}: ingest functions answering errors"
  combiner     = "OR"

  conditions {
    display_name = "5xx responses of the ingest functions"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = one_of(\"${google_cloudfunctions2_function.http.name}\", \"${google_cloudfunctions2_function.pubsub.name}\") AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "The ingest functions answered 5xx. Their log says why: severity>=WARNING and jsonPayload.outcome (README, Operations)."
  }

  notification_channels = local.alert_channels
  user_labels           = var.labels
  depends_on            = [google_project_service.apis]
}

# One entry per bulk that had events quarantined (or was quarantined whole); its feed as a label.
# The quarantined field of each entry says how many events; chart its sum in Logs Explorer.
resource "google_logging_metric" "quarantined" {
  project = var.project_id
  name    = "${var.name_prefix}-quarantined-bulks"
  filter  = "resource.type = \"cloud_run_revision\" AND jsonPayload.quarantined > 0"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "deezwatts bulks with quarantined events"
    labels {
      key         = "feed"
      value_type  = "STRING"
      description = "The feed of the bulk"
    }
  }

  label_extractors = {
    feed = "EXTRACT(jsonPayload.feed)"
  }

  depends_on = [google_project_service.apis]
}

resource "google_monitoring_alert_policy" "quarantine_rate" {
  project      = var.project_id
  display_name = "${var.name_prefix}: events being quarantined"
  combiner     = "OR"

  conditions {
    display_name = "bulks with quarantined events per minute above the threshold"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.quarantined.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.quarantine_alert_per_minute
      duration        = "0s"
      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Events are being set aside in the quarantine table: a vendor change or a catalog gap. `SELECT reason, count(*) FROM quarantine GROUP BY 1 ORDER BY 2 DESC` shows why."
  }

  notification_channels = local.alert_channels
  user_labels           = var.labels
}
