# The dataset, one table per entry of the generated tables.json, the _dedup views and quarantine.
# Schemas, partitioning and clustering come from terraform/schemas, which `deezwatts schema
# --write terraform/schemas` generates from the event catalog; nothing here repeats them.

locals {
  schema_dir = "${path.module}/../../schemas"
  tables     = { for t in jsondecode(file("${local.schema_dir}/tables.json")).tables : t.name => t }
}

resource "google_bigquery_dataset" "this" {
  project     = var.project_id
  dataset_id  = var.dataset_id
  location    = var.location
  description = "deezwatts: connected-vehicle events (one wide, day-partitioned table per feed; query the _dedup views)"
  labels      = var.labels

  # Never drop tables holding data when the dataset is destroyed.
  delete_contents_on_destroy = false
}

resource "google_bigquery_table" "table" {
  for_each = local.tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.this.dataset_id
  table_id    = each.key
  description = each.value.description
  labels      = var.labels
  schema      = file("${local.schema_dir}/${each.value.schema_file}")

  time_partitioning {
    type          = "DAY"
    field         = each.value.partition_column
    expiration_ms = var.partition_expiration_days == null ? null : var.partition_expiration_days * 86400000
  }
  require_partition_filter = var.require_partition_filter
  clustering               = each.value.clustering

  deletion_protection = var.deletion_protection
}

# insertId dedup is best-effort for about a minute and redeliveries come later: users query these
# views, which keep the first copy of each event_key (the same query as the DuckDB sink's views).
resource "google_bigquery_table" "dedup" {
  for_each = local.tables

  project     = var.project_id
  dataset_id  = google_bigquery_dataset.this.dataset_id
  table_id    = each.value.dedup_view
  description = "${each.key} without duplicates: the first copy of each event_key by received_at"
  labels      = var.labels

  view {
    use_legacy_sql = false
    query          = <<-SQL
      SELECT * EXCEPT (dedup_rank)
      FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY event_key ORDER BY received_at) AS dedup_rank
        FROM `${var.project_id}.${google_bigquery_dataset.this.dataset_id}.${google_bigquery_table.table[each.key].table_id}`
      )
      WHERE dedup_rank = 1
    SQL
  }

  # A view holds no data; replacing one loses nothing.
  deletion_protection = false
}

# Quarantine entries that no `deezwatts requeue` has closed. requeue never updates or deletes
# (BigQuery cannot change rows still in the streaming buffer): it appends one row per entry to
# quarantine_resolutions, and an entry (its event_key and received_at) leaves this view once an
# outcome that closes it is recorded. Copies of one entry (a retried write) show once. The DuckDB
# sink creates the same view (DuckDbSchema.createOpenView).
resource "google_bigquery_table" "quarantine_open" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.this.dataset_id
  table_id    = "quarantine_open"
  description = "quarantine entries not yet stored by deezwatts requeue: no stored, partly_stored or refused resolution"
  labels      = var.labels

  view {
    use_legacy_sql = false
    query          = <<-SQL
      SELECT * EXCEPT (entry_rank)
      FROM (
        SELECT q.*, ROW_NUMBER() OVER (PARTITION BY q.event_key, q.received_at) AS entry_rank
        FROM `${var.project_id}.${google_bigquery_dataset.this.dataset_id}.${google_bigquery_table.table["quarantine"].table_id}` q
        WHERE NOT EXISTS (
          SELECT 1
          FROM `${var.project_id}.${google_bigquery_dataset.this.dataset_id}.${google_bigquery_table.table["quarantine_resolutions"].table_id}` r
          WHERE r.entry_key = q.event_key
            AND r.received_at = q.received_at
            AND r.outcome IN ('stored', 'partly_stored', 'refused')
        )
      )
      WHERE entry_rank = 1
    SQL
  }

  # A view holds no data; replacing one loses nothing.
  deletion_protection = false
}
