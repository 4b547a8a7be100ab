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

# Counts quarantined events, not bulks: each per-bulk log line with events set aside adds its
# quarantined field to a distribution, whose sum is the number of events. Its feed as a label.
resource "google_logging_metric" "quarantined" {
  project         = var.project_id
  name            = "${var.name_prefix}-quarantined-events"
  filter          = "resource.type = \"cloud_run_revision\" AND jsonPayload.quarantined > 0"
  value_extractor = "EXTRACT(jsonPayload.quarantined)"

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "1"
    display_name = "deezwatts quarantined events per bulk"
    labels {
      key         = "feed"
      value_type  = "STRING"
      description = "The feed of the bulk"
    }
  }

  bucket_options {
    exponential_buckets {
      num_finite_buckets = 16
      growth_factor      = 4
      scale              = 1
    }
  }

  label_extractors = {
    feed = "EXTRACT(jsonPayload.feed)"
  }

  depends_on = [google_project_service.apis]
}

locals {
  # Cloud Monitoring's PromQL name of the metric: the first / becomes :, other specials become _.
  quarantined_events_promql = "logging_googleapis_com:user_${replace(google_logging_metric.quarantined.name, "-", "_")}"
}

resource "google_monitoring_alert_policy" "quarantine_rate" {
  project      = var.project_id
  display_name = "${var.name_prefix}: events being quarantined"
  combiner     = "OR"

  conditions {
    display_name = "quarantined events per minute above the threshold"
    # A threshold condition cannot sum the values of a distribution metric; PromQL reads its _sum.
    condition_prometheus_query_language {
      query               = "sum(rate(${local.quarantined_events_promql}_sum{monitored_resource=\"cloud_run_revision\"}[10m])) * 60 > ${var.quarantine_alert_per_minute}"
      duration            = "0s"
      evaluation_interval = "60s"
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Events are being set aside in the quarantine table: a vendor change or a catalog gap. `SELECT reason, count(*) FROM quarantine GROUP BY 1 ORDER BY 2 DESC` shows why."
  }

  notification_channels = local.alert_channels
  user_labels           = var.labels
}
