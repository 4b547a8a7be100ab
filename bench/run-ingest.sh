#!/usr/bin/env bash
# Ingest benchmark (issue #3): BULKS bulks x 10,000 events into a fresh DuckDB file, against
# decoding the same files alone; then the real CLI on the same files, end to end.
# Usage: bench/run-ingest.sh [BULKS]   (default 100; files are kept in target/ingest-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
bulks=${1:-100}
dir=bench/target/ingest-bench
./mvnw -B -q -Pbench -DskipTests -Dspotless.check.skip=true package -pl bench -am
java -Xmx1g -cp bench/target/benchmarks.jar io.deezwatts.bench.IngestBench "$bulks" "$dir"
rm -f "$dir/cli.duckdb" "$dir/cli.duckdb.wal"
echo "CLI end to end (JVM start included):"
/usr/bin/time -f "%e s elapsed, %M KB peak RSS" ./deezwatts ingest --source data-streams \
  --sink "duckdb:$dir/cli.duckdb" "$dir"/bulk-*.json
