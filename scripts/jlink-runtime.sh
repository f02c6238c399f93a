#!/usr/bin/env bash
# Builds everything scripts/gpu-check.sh needs on a GPU machine that has no Java, in target/gpu-check/:
#   nrj-jre-25.tgz   a jlinked JDK 25 runtime: java.base, jdk.unsupported, java.logging, java.desktop,
#                    jdk.incubator.vector, jdk.compiler, plus whatever jdeps finds the jars use
#   nrj-cli.jar      the CLI (its manifest finds its dependencies in lib/)
#   lib/             the CLI's runtime dependencies, runtime-ffm's test classes as a jar,
#                    and the JUnit Platform console launcher
#   torch_anchors.py the PyTorch anchor script, copied from ../shared/tools or $NRJ_TORCH_ANCHORS
#                    when present
# The runtime is linked from this JDK's own image (no jmods needed, JEP 493) with uncompressed
# modules, which gzip packs smaller (about 32 MB) than jlink's zip compression does.
# Usage: scripts/jlink-runtime.sh [OUT_DIR]      (default target/gpu-check)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/find-jdk25.sh
out="${1:-target/gpu-check}"
junit_console="org.junit.platform:junit-platform-console-standalone:1.14.4"
# jdk.compiler: `nrj train/bench` compile the generated trainer in memory (ToolProvider).
base_modules="java.base,jdk.unsupported,java.logging,java.desktop,jdk.incubator.vector,jdk.compiler"

echo "== building the CLI and runtime-ffm's test classes (tests not run)"
./mvnw -B -ntp -q -DskipTests package -pl cli,runtime-ffm -am
rm -rf "$out"
mkdir -p "$out/lib"
# nrj-cli.jar's manifest Class-Path names lib/*.jar relative to the jar itself
cp cli/target/nrj-cli.jar "$out/"
cp cli/target/lib/*.jar "$out/lib/"
"$JAVA_HOME/bin/jar" --create --file "$out/lib/nrj-runtime-ffm-tests.jar" -C runtime-ffm/target/test-classes .
./mvnw -B -ntp -q -N dependency:copy -Dartifact="$junit_console" -DoutputDirectory="$out/lib"

# The PyTorch anchors of the same networks, for same-run ratios (gpu-check.sh step 5), when the
# shared tools folder is next to the checkout; the check runs without it.
for anchors in ../shared/tools/torch_anchors.py "${NRJ_TORCH_ANCHORS:-}"; do
  if [ -n "$anchors" ] && [ -f "$anchors" ]; then cp "$anchors" "$out/torch_anchors.py"; fi
done

echo "== modules"
found=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 \
  --class-path "$out/lib/*" "$out"/nrj-cli.jar "$out"/lib/nrj-*.jar 2>/dev/null || true)
modules=$(echo "$base_modules,$found" | tr ',' '\n' | sed '/^$/d' | sort -u | paste -sd, -)
echo "$modules"

echo "== jlink"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress zip-0 --output "$out/jre" > "$out/jlink.log" 2>&1 || { cat "$out/jlink.log" >&2; exit 1; }
rm -f "$out/jlink.log"
"$out/jre/bin/java" -version 2>&1 | head -1
tar -czf "$out/nrj-jre-25.tgz" -C "$out" jre
rm -rf "$out/jre"
du -sh "$out/nrj-jre-25.tgz" "$out/lib"
echo "== done: carry $out to the GPU machine and run scripts/gpu-check.sh there"
