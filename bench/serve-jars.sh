# Sourced by run-serve.sh and run-serve-load.sh (from the repository root): builds the bench jars
# (into MAVEN_REPO when set) unless SKIP_BUILD is set, then copies them to $work/jars, so that a build running meanwhile
# cannot rewrite a jar under a running JVM. Sets work=bench/target/serve-bench.
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -q ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} -Pbench -DskipTests -Dspotless.check.skip=true \
    package -pl bench -am
fi
work=bench/target/serve-bench
mkdir -p "$work/jars"
cp bench/target/benchmarks.jar cli/target/deezwatts.jar "$work/jars/"
if ! unzip -p "$work/jars/deezwatts.jar" META-INF/MANIFEST.MF | grep -q '^Main-Class'; then
  echo "cli/target/deezwatts.jar is not the runnable jar (is another build writing it?)" >&2
  exit 1
fi
