#!/usr/bin/env bash
# Cold start (issue #4): process start to the first HTTP 200 for a 10,000-event bulk, for
# (a) HttpIngestFunction on the Functions Framework invoker storing with insertAll into a WireMock
# BigQuery stand-in, (a-sw) the same function storing through the Storage Write API into a gRPC
# stand-in, (b) an empty hello-world function on the same invoker, (c) deezwatts serve on DuckDB.
# Usage: bench/run-serve.sh [RUNS]   (default 5 runs per variant, interleaved, after one unmeasured)
# Environment: JVM_OPTS for the measured JVMs (default -Xmx384m, the heap of a 512 MiB instance);
# SKIP_BUILD=1 to use the jars already built; BEFORE_JAR=path/to/benchmarks.jar adds (a0), the
# function from another build (say the commit before a change), interleaved with the rest;
# APPCDS=1 adds (a+) and (b+), the function and hello each with a dynamic AppCDS archive made by
# one training run; SIGNED=1 signs every push (X-Request-Signature) and gives every variant the
# public key, so the functions verify it. Takes about 1.5 minutes (plus the build), more with the extra variants.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
jvm_opts=${JVM_OPTS:--Xmx384m}
wm_version=$(sed -n 's:.*<wiremock.version>\(.*\)</wiremock.version>.*:\1:p' pom.xml)
wiremock=${MAVEN_REPO:-$HOME/.m2/repository}/org/wiremock/wiremock-standalone/$wm_version/wiremock-standalone-$wm_version.jar
if [ ! -f "$wiremock" ]; then
  ./mvnw -B -q ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} dependency:get -Dartifact="org.wiremock:wiremock-standalone:$wm_version"
fi
. bench/serve-jars.sh
extra=()
if [ -n "${BEFORE_JAR:-}" ]; then
  cp "$BEFORE_JAR" "$work/jars/before-benchmarks.jar"
  extra+=(--before-jar "$work/jars/before-benchmarks.jar")
fi
if [ -n "${APPCDS:-}" ]; then
  extra+=(--appcds true)
fi
if [ -n "${SIGNED:-}" ]; then
  extra+=(--signed true)
fi
java -Xmx256m -cp "$work/jars/benchmarks.jar" io.deezwatts.bench.ColdStart --runs "$runs" \
  --jvm-opts "$jvm_opts" --cli-jar "$work/jars/deezwatts.jar" --wiremock-jar "$wiremock" --work "$work" \
  "${extra[@]}"
