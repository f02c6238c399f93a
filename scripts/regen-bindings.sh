#!/usr/bin/env bash
# Regenerates runtime-ffm/src/main/java/io/nrj/runtime/bindings/*_h.java from the declaration
# files runtime-ffm/src/main/bindings/*.decl (io.nrj.processor.ffm.BindingsGenerator). The
# processor's BindingsDriftTest fails until the regenerated files are committed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/find-jdk25.sh
classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
"$JAVA_HOME/bin/javac" --release 25 -d "$classes" processor/src/main/java/io/nrj/processor/ffm/*.java
"$JAVA_HOME/bin/java" -cp "$classes" io.nrj.processor.ffm.BindingsGenerator \
  runtime-ffm/src/main/bindings runtime-ffm/src/main/java/io/nrj/runtime/bindings
