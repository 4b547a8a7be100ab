variable "project_id" {
  type        = string
  description = "Google Cloud project that holds the dataset."
}

variable "dataset_id" {
  type        = string
  description = "BigQuery dataset id (letters, digits and underscores)."
  default     = "deezwatts"

  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,1024}$", var.dataset_id))
    error_message = "dataset_id takes letters, digits and underscores only."
  }
}

variable "location" {
  type        = string
  description = "BigQuery location of the dataset, e.g. EU, US or europe-west1. It cannot change once created."
  default     = "EU"
}

variable "require_partition_filter" {
  type        = bool
  description = "Refuse queries on the tables that do not filter on the partition column (time, or received_at for quarantine). The _dedup views rank rows over event_key, which hides such a filter from BigQuery, so with true, query the tables directly."
  default     = false
}

variable "partition_expiration_days" {
  type        = number
  description = "Delete partitions older than this many days; null keeps data forever."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Stop terraform from deleting or replacing the tables (and their data). Keep it on; turn it off only to tear a test deployment down."
  default     = true
}

variable "labels" {
  type        = map(string)
  description = "Labels on the dataset and tables."
  default     = {}
}
