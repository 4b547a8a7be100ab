#!/usr/bin/env bash
# Oversized bodies (issue #15): RSS of deezwatts serve (DuckDB) after one normal bulk per port, then
# after a 400 MB body to each port, with a Content-Length and chunked; prints each answer's status,
# how much curl sent, and VmRSS/VmHWM. The body is a sparse file of zeros (no disk used).
# Usage: bench/run-serve-body-limit.sh   (from anywhere; about 30 s plus the build)
# Environment: SKIP_BUILD=1 to use cli/target/deezwatts.jar as built; BEFORE_CLASSES=DIR puts DIR
# first on the class path (say an older ServeCommand compiled against the jar) to measure it too,
# in the same run; PORT (default 18700; PORT+1 and PORT+10, PORT+11 are used too).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q -Dmaven.test.skip=true -Dspotless.check.skip=true package -pl cli -am
fi
work=bench/target/body-limit
rm -rf "$work" && mkdir -p "$work"
cp cli/target/deezwatts.jar "$work/"
truncate -s 400000000 "$work/zeros.bin"
base=${PORT:-18700}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

measure() { # LABEL CLASSPATH PORT
  local label=$1 cp=$2 port=$3 pid
  DEEZWATTS_HTTP_TOKEN=bench java -Xmx384m -cp "$cp" io.deezwatts.cli.Main serve --port "$port" \
    --sink "duckdb:$work/$label/serve.duckdb" >"$work/$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do grep -q '^Stop with' "$work/$label.log" && break; sleep 0.25; done
  rss() { awk '/VmRSS|VmHWM/{printf "%s %4d MiB  ", $1, $2/1024}' "/proc/$pid/status"; }
  curl -s -o /dev/null -H 'Authorization: Bearer bench' --data-binary @samples/data-streams.json \
    "http://127.0.0.1:$port/data-streams"
  curl -s -o /dev/null -H 'Authorization: Bearer bench' -H 'Content-Type: application/cloudevents+json' \
    --data-binary @cli/src/test/resources/pubsub/structured-envelope.json "http://127.0.0.1:$((port + 1))/"
  echo "$label: after one bulk per port:             $(rss)"
  for target in "$((port + 1))/ Pub/Sub" "$port/data-streams HTTP"; do
    local url=${target% *} name=${target#* }
    # -T streams the file: with a Content-Length, or chunked from stdin. No Expect: 100-continue.
    local a b
    a=$(curl -s -o /dev/null -w '%{http_code} after %{size_upload} bytes' -X POST -H 'Expect:' \
      -H 'Authorization: Bearer bench' -H 'Content-Type: application/cloudevents+json' \
      -T "$work/zeros.bin" "http://127.0.0.1:$url" || true)
    echo "$label: 400 MB to $name, Content-Length: $(printf '%-24s' "$a") $(rss)"
    b=$(curl -s -o /dev/null -w '%{http_code} after %{size_upload} bytes' -X POST -H 'Expect:' \
      -H 'Authorization: Bearer bench' -H 'Content-Type: application/cloudevents+json' \
      -T - "http://127.0.0.1:$url" <"$work/zeros.bin" || true)
    echo "$label: 400 MB to $name, chunked:        $(printf '%-24s' "$b") $(rss)"
  done
  kill "$pid" && wait "$pid" || true
}

if [ -n "${BEFORE_CLASSES:-}" ]; then
  measure before "$BEFORE_CLASSES:$work/deezwatts.jar" $((base + 10))
fi
measure current "$work/deezwatts.jar" "$base"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
