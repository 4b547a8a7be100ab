output "project_id" {
  description = "Project that holds the dataset."
  value       = google_bigquery_dataset.this.project
}

output "dataset_id" {
  description = "The dataset id."
  value       = google_bigquery_dataset.this.dataset_id
}

output "sink_uri" {
  description = "The DEEZWATTS_SINK value that stores into this dataset."
  value       = "bigquery:${google_bigquery_dataset.this.project}.${google_bigquery_dataset.this.dataset_id}"
}

output "tables" {
  description = "Table name => table id (project:dataset.table)."
  value       = { for name, t in google_bigquery_table.table : name => t.id }
}

output "dedup_views" {
  description = "Table name => its _dedup view's id."
  value       = { for name, v in google_bigquery_table.dedup : name => v.id }
}
