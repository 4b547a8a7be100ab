#!/usr/bin/env bash
# The bigquery: sink's Storage Write API against insertAll (issue #14), every figure in one run:
#  1. SinkBench: fee per million events and events/s per instance, the same 10,000-event bulks
#     through both APIs in one JVM against local stand-ins (BULKS bulks, ROUNDS rounds);
#  2. ColdStart: the function's first 200 on the Storage Write stand-in (a-sw) and on insertAll (a)
#     against the hello-world function (b), interleaved (COLD_RUNS runs);
#  3. ServeLoad: peak RSS of serve with 4 clients (CLIENTS) on each BigQuery API (LOAD_SECONDS).
# Usage: bench/run-bigquery.sh   Environment: BULKS (10), ROUNDS (5), COLD_RUNS (5), CLIENTS (4),
# LOAD_SECONDS (60), JVM_OPTS (-Xmx384m), SKIP_BUILD=1 to use the jars already built, MAVEN_REPO
# for the local Maven repository (default ~/.m2/repository). Takes about 6 minutes plus the build.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/serve-jars.sh
uptime
echo "== 1. SinkBench: fee per million events, events/s per instance"
java -Xmx1g -cp "$work/jars/benchmarks.jar" io.deezwatts.bench.SinkBench "${BULKS:-10}" "${ROUNDS:-5}" \
  2> "$work/sink-bench.stderr"
echo "== 2. ColdStart: first 200 against hello-world"
SKIP_BUILD=1 bench/run-serve.sh "${COLD_RUNS:-5}"
echo "== 3. ServeLoad: peak RSS with ${CLIENTS:-4} clients"
SKIP_BUILD=1 SINKS=bigquery,bigquery-sw CLIENTS="${CLIENTS:-4}" bench/run-serve-load.sh "${LOAD_SECONDS:-60}"
uptime
