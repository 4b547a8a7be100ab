#!/usr/bin/env bash
# Builds and runs the decoder benchmarks; prints JMH's table and the heap probe.
# Usage: bench/run.sh [JMH options]   e.g. bench/run.sh -f 1 -wi 3 -i 3
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -Pbench -DskipTests -Dspotless.check.skip=true package -pl bench -am
jar=bench/target/benchmarks.jar
java -Xmx64m -Xms64m -cp "$jar" io.deezwatts.bench.HeapProbe 10000
java -jar "$jar" DecodeBenchmark -prof gc "$@"
