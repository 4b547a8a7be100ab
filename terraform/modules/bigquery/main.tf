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
