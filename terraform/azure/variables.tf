variable "subscription_id" {
  type        = string
  description = "Azure subscription to deploy into."
}

variable "location" {
  type        = string
  description = "Azure region, e.g. westeurope."
  default     = "westeurope"
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (lowercase letters and digits, 2 to 11); a random suffix makes global names unique."
  default     = "deezwatts"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,10}$", var.name_prefix))
    error_message = "name_prefix takes 2 to 11 lowercase letters and digits, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every Azure resource."
  default     = {}
}

# --- Event Hubs -------------------------------------------------------------------------------

variable "eventhub_sku" {
  type        = string
  description = "Event Hubs namespace tier: Standard or Premium (Basic allows no consumer group of our own)."
  default     = "Standard"

  validation {
    condition     = contains(["Standard", "Premium"], var.eventhub_sku)
    error_message = "eventhub_sku is Standard or Premium."
  }
}

variable "eventhub_capacity" {
  type        = number
  description = "Throughput (or processing) units of the namespace."
  default     = 1
}

variable "eventhub_partitions" {
  type        = number
  description = "Partitions of the ingest hub; it cannot shrink later on Standard."
  default     = 4
}

variable "eventhub_retention_days" {
  type        = number
  description = "Days the hubs keep events (1 to 7 on Standard)."
  default     = 7
}

# --- Function App -----------------------------------------------------------------------------

variable "function_plan_sku" {
  type        = string
  description = "App Service plan of the Function App: Y1 (consumption) or an Elastic Premium plan such as EP1."
  default     = "Y1"
}

variable "function_package_dir" {
  type        = string
  description = "The staged Function App that `./mvnw -B -DskipTests package` builds (azure-functions-maven-plugin). Null: functions-azure/target/azure-functions/deezwatts in this checkout."
  default     = null
}

variable "default_feed" {
  type        = string
  description = "DEEZWATTS_FEED: the feed of pushes to /api/ and of Event Hubs messages without a feed property."
  default     = "data-streams"

  validation {
    condition     = contains(["data-streams", "legacy-push"], var.default_feed)
    error_message = "default_feed is data-streams or legacy-push."
  }
}

variable "deadline_seconds" {
  type        = number
  description = "DEEZWATTS_DEADLINE_SECONDS: how long storing one bulk may take, retries included."
  default     = 50
}

variable "http_token" {
  type        = string
  description = "The push endpoint's secret (DEEZWATTS_HTTP_TOKEN), stored in Key Vault. Null: a random 48-character token."
  default     = null
  sensitive   = true
}

variable "signature_public_keys" {
  type        = string
  description = "DEEZWATTS_SIGNATURE_PUBLIC_KEYS: PEM public keys that verify X-Request-Signature; null: not verified."
  default     = null
}

variable "signature_tolerance_seconds" {
  type        = number
  description = "DEEZWATTS_SIGNATURE_TOLERANCE_SECONDS: allowed clock skew of the signature's iat."
  default     = 300
}

variable "enable_rivian" {
  type        = bool
  description = "Run the RivianPoll timer, with its session secret in Key Vault (added after `deezwatts rivian login`, README)."
  default     = false
}

variable "rivian_interval_minutes" {
  type        = number
  description = "Minutes between Rivian polls (a divisor of 60)."
  default     = 5

  validation {
    condition     = contains([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60], var.rivian_interval_minutes)
    error_message = "rivian_interval_minutes is a divisor of 60: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60."
  }
}

variable "cc_service_account_json" {
  type        = string
  description = "DEEZWATTS_CC_SERVICE_ACCOUNT: the Connected Cars service-account JSON (pass as TF_VAR_cc_service_account_json=\"$(cat file.json)\"), stored in Key Vault; null: the CcSync timer is disabled."
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
  description = "DEEZWATTS_CC_AUTO_STREAM_TOPICS: integration topic ids consenting vehicles get streams for."
  default     = []
}

variable "cc_sync_schedule" {
  type        = string
  description = "DEEZWATTS_CC_SYNC_SCHEDULE: NCRONTAB (six fields, UTC) of the daily Connected Cars sync."
  default     = "0 17 3 * * *"
}

# --- BigQuery (Google Cloud) -------------------------------------------------------------------

variable "gcp_project_id" {
  type        = string
  description = "Google Cloud project of the BigQuery dataset and of the workload identity pool."
}

variable "bigquery_dataset_id" {
  type        = string
  description = "BigQuery dataset the functions write to."
  default     = "deezwatts"
}

variable "create_bigquery_dataset" {
  type        = bool
  description = "Create the dataset, tables and views here. False when the gcp root (or anyone) already created the dataset."
  default     = true
}

variable "bigquery_location" {
  type        = string
  description = "BigQuery location when the dataset is created here."
  default     = "EU"
}

variable "require_partition_filter" {
  type        = bool
  description = "Refuse queries on the tables without a partition filter (see the bigquery module)."
  default     = false
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the BigQuery tables from terraform destroy."
  default     = true
}

variable "enable_gcp_apis" {
  type        = bool
  description = "Enable the Google APIs the federation and BigQuery need (IAM, IAM credentials, STS, BigQuery)."
  default     = true
}

# --- Alerts ---------------------------------------------------------------------------------------

variable "alert_email" {
  type        = string
  description = "E-mail address the alerts go to (through the operators action group); null: only alert_action_group_ids."
  default     = null
}

variable "alert_action_group_ids" {
  type        = list(string)
  description = "Ids of existing action groups the alerts also go to."
  default     = []
}
