variable "project_id" {
  type        = string
  description = "Google Cloud project to deploy into."
}

variable "region" {
  type        = string
  description = "Region of the functions, the scheduler jobs and the source bucket, e.g. europe-west1."
  default     = "europe-west1"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (lowercase letters, digits and hyphens)."
  default     = "deezwatts"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}$", var.name_prefix))
    error_message = "name_prefix takes 2 to 19 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels on the resources that take them."
  default     = {}
}

variable "enable_apis" {
  type        = bool
  description = "Enable the Google APIs this deployment uses. Turn off when the project's APIs are managed elsewhere."
  default     = true
}

# --- BigQuery -------------------------------------------------------------------------------

variable "dataset_id" {
  type        = string
  description = "BigQuery dataset for the tables and _dedup views."
  default     = "deezwatts"
}

variable "bigquery_location" {
  type        = string
  description = "BigQuery location of the dataset (EU, US or a region). It cannot change once created."
  default     = "EU"
}

variable "require_partition_filter" {
  type        = bool
  description = "Refuse queries on the tables without a filter on the partition column (see the bigquery module)."
  default     = false
}

variable "partition_expiration_days" {
  type        = number
  description = "Delete partitions older than this many days; null keeps data forever."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the tables from terraform destroy. Turn off only to tear a test deployment down."
  default     = true
}

# --- Function source ------------------------------------------------------------------------

variable "function_source_zip" {
  type        = string
  description = "The functions' deployable archive built by `./mvnw -B -DskipTests package` (the functions-gcp jar with its libs/). Null: functions-gcp/target/deezwatts-gcf.zip in this checkout."
  default     = null
}

variable "build_service_account" {
  type        = string
  description = "Service account Cloud Build uses to build the functions (projects/P/serviceAccounts/EMAIL); null: the project's default build account."
  default     = null
}

variable "function_memory" {
  type        = string
  description = "Memory of each function instance."
  default     = "1Gi"
}

variable "function_max_instances" {
  type        = number
  description = "Most instances of each ingest function."
  default     = 20
}

variable "function_timeout_seconds" {
  type        = number
  description = "Timeout of each function; keep deadline_seconds below it."
  default     = 60
}

# --- Ingest settings shared by the functions --------------------------------------------------

variable "default_feed" {
  type        = string
  description = "DEEZWATTS_FEED: the feed of pushes to / and of Pub/Sub messages without a feed attribute (data-streams or legacy-push)."
  default     = "data-streams"

  validation {
    condition     = contains(["data-streams", "legacy-push"], var.default_feed)
    error_message = "default_feed is data-streams or legacy-push."
  }
}

variable "deadline_seconds" {
  type        = number
  description = "DEEZWATTS_DEADLINE_SECONDS: how long storing one bulk may take, retries included; under function_timeout_seconds."
  default     = 50
}

variable "http_token" {
  type        = string
  description = "The push endpoint's secret (DEEZWATTS_HTTP_TOKEN), stored in Secret Manager. Null: a random 48-character token is generated (read it with `terraform output -raw http_token`)."
  default     = null
  sensitive   = true
}

variable "signature_public_keys" {
  type        = string
  description = "DEEZWATTS_SIGNATURE_PUBLIC_KEYS: PEM public keys that verify Connected Cars' X-Request-Signature; null: signatures are not verified."
  default     = null
}

variable "signature_tolerance_seconds" {
  type        = number
  description = "DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS: allowed clock skew of the signature's iat."
  default     = 300
}

# --- Pub/Sub --------------------------------------------------------------------------------

variable "connected_cars_publisher" {
  type        = string
  description = "IAM member Connected Cars publishes to the topic as, e.g. serviceAccount:their-sa@their-project.iam.gserviceaccount.com (they give it to you); null: no publisher is granted yet."
  default     = null
}

variable "pubsub_max_delivery_attempts" {
  type        = number
  description = "Deliveries of a message to the Pub/Sub function before it is moved to the dead-letter topic (5 to 100)."
  default     = 20

  validation {
    condition     = var.pubsub_max_delivery_attempts >= 5 && var.pubsub_max_delivery_attempts <= 100
    error_message = "pubsub_max_delivery_attempts is between 5 and 100."
  }
}

variable "attach_dead_letter_with_gcloud" {
  type        = bool
  description = "Attach the dead-letter topic to the subscription Eventarc creates for the Pub/Sub function, by running gcloud (it must be installed and logged in where terraform runs). False: do it by hand (README, Deploy to GCP)."
  default     = true
}

# --- Rivian -----------------------------------------------------------------------------------

variable "enable_rivian" {
  type        = bool
  description = "Deploy the Rivian poll function, its session secret and its Cloud Scheduler job."
  default     = false
}

variable "rivian_interval_minutes" {
  type        = number
  description = "Minutes between Rivian polls (a divisor of 60, at least 1); the function is told the same interval."
  default     = 5

  validation {
    condition     = contains([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60], var.rivian_interval_minutes)
    error_message = "rivian_interval_minutes is a divisor of 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60."
  }
}

# --- Connected Cars API (daily sync, automatic onboarding) -----------------------------------

variable "enable_cc_sync" {
  type        = bool
  description = "Deploy the daily Connected Cars sync function and its Cloud Scheduler job; needs cc_service_account_json and cc_namespace."
  default     = false
}

variable "cc_service_account_json" {
  type        = string
  description = "DEEZWATTS_CC_SERVICE_ACCOUNT: the Connected Cars service-account JSON file's content, stored in Secret Manager (pass it as TF_VAR_cc_service_account_json=\"$(cat file.json)\"); null: the Connected Cars settings are not deployed."
  default     = null
  sensitive   = true
}

variable "cc_namespace" {
  type        = string
  description = "DEEZWATTS_CC_NAMESPACE: the organization namespace Connected Cars gave you."
  default     = null
}

variable "cc_auto_stream_topics" {
  type        = list(number)
  description = "DEEZWATTS_CC_AUTO_STREAM_TOPICS: integration topic ids that consenting vehicles get data streams for; empty: none."
  default     = []
}

variable "cc_sync_schedule" {
  type        = string
  description = "Cloud Scheduler cron of the Connected Cars sync (in scheduler_time_zone)."
  default     = "17 3 * * *"
}

variable "scheduler_time_zone" {
  type        = string
  description = "Time zone of the Cloud Scheduler jobs."
  default     = "Etc/UTC"
}

# --- ViriCiti bridge (optional) ----------------------------------------------------------------

variable "viriciti_bridge_image" {
  type        = string
  description = "Container image of the deezwatts CLI built with Jib (README, Deploy to GCP); null: no ViriCiti bridge is deployed."
  default     = null
}

variable "viriciti_api_key" {
  type        = string
  description = "DEEZWATTS_VIRICITI_API_KEY for the bridge, stored in Secret Manager; required with viriciti_bridge_image."
  default     = null
  sensitive   = true
}

variable "viriciti_subscription_json" {
  type        = string
  description = "The bridge's subscription in ViriCiti's format ({\"vehicles\": {...}, ...}); required with viriciti_bridge_image."
  default     = null
}

variable "viriciti_url" {
  type        = string
  description = "DEEZWATTS_VIRICITI_URL: the live socket's base URL; null: the CLI's default."
  default     = null
}

# --- Alerts ---------------------------------------------------------------------------------------

variable "alert_email" {
  type        = string
  description = "E-mail address the alerts go to (a notification channel is created for it); null: only alert_notification_channels."
  default     = null
}

variable "alert_notification_channels" {
  type        = list(string)
  description = "Ids of existing Cloud Monitoring notification channels the alerts also go to (projects/P/notificationChannels/N)."
  default     = []
}

variable "quarantine_alert_per_minute" {
  type        = number
  description = "Alert when more events than this per minute (averaged over 10 minutes) are quarantined."
  default     = 10
}
