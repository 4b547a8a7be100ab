#!/usr/bin/env bash
# The local store's bars (issue #15), each printing its figures:
#   write  WriteSpeed: deezwatts ingest of BULKS 10,000-event files against DuckDB's own
#          INSERT INTO t SELECT * FROM read_json(file) of the same files, in one JVM, ROUNDS rounds
#   crash  CrashResend: SIGKILL serve mid-bulk, restart, resend what got no 200 (3 rounds);
#          then two senders of the same bulks at once; stored must equal distinct sent
#   soak   Soak: serve fed distinct bulks up to ROWS rows with RSS sampled, deezwatts sql during
#          the load, then a restart on the same file
# Usage: bench/run-local-store.sh [write|crash|soak|all]
# Environment: BULKS (default 100), ROUNDS (3), ROWS (10000000), CLIENTS (2),
# JVM_OPTS for serve (default: the deezwatts launcher's -Xmx320m -XX:+UseSerialGC),
# SKIP_BUILD=1 to use the jars already built. Run it on a quiet machine; it prints the load.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
. bench/serve-jars.sh
jars="$work/jars"
jvm_opts=${JVM_OPTS:--Xmx320m -XX:+UseSerialGC}
if [ "$what" = write ] || [ "$what" = all ]; then
  java -Xmx1g -cp "$jars/benchmarks.jar" io.deezwatts.bench.WriteSpeed "${BULKS:-100}" \
    bench/target/write-speed "${ROUNDS:-3}"
fi
if [ "$what" = crash ] || [ "$what" = all ]; then
  java -Xmx512m -cp "$jars/benchmarks.jar" io.deezwatts.bench.CrashResend \
    --cli-jar "$jars/deezwatts.jar" --work bench/target/crash --jvm-opts "$jvm_opts"
fi
if [ "$what" = soak ] || [ "$what" = all ]; then
  java -Xmx512m -cp "$jars/benchmarks.jar" io.deezwatts.bench.Soak \
    --cli-jar "$jars/deezwatts.jar" --work bench/target/soak --rows "${ROWS:-10000000}" \
    --clients "${CLIENTS:-2}" --jvm-opts "$jvm_opts"
fi
