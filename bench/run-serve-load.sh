#!/usr/bin/env bash
# Warm throughput, latency and memory of deezwatts serve (issue #4): for each sink and client count,
# a fresh serve (on a fresh DuckDB file, or on the BigQuery sink the cloud function uses, pointed at
# a local insertAll stand-in), a short warm-up, then concurrent distinct 10,000-event bulks for
# SECONDS; bulks/s, events/s, p50/p99, errors, peak RSS; then the stored count is checked.
# Usage: bench/run-serve-load.sh [SECONDS]   (default 60)
# Environment: SINKS (default "duckdb,bigquery,bigquery-sw": DuckDB, insertAll, Storage Write API); CLIENTS (default "2,4"); JVM_OPTS for serve
# (default -Xmx384m, the heap of a 512 MiB instance); SKIP_BUILD=1 to use the jars already built.
# Takes about 1.2 minutes per sink and client count with the defaults (plus the build).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
clients=${CLIENTS:-2,4}
sinks=${SINKS:-duckdb,bigquery,bigquery-sw}
jvm_opts=${JVM_OPTS:--Xmx384m}
. bench/serve-jars.sh
java -Xmx512m -cp "$work/jars/benchmarks.jar" io.deezwatts.bench.ServeLoad --sinks "$sinks" --clients "$clients" \
  --seconds "$seconds" --warmup-seconds 5 --jvm-opts "$jvm_opts" \
  --cli-jar "$work/jars/deezwatts.jar" --work "$work"
