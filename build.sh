#!/usr/bin/env bash
# Runs the Maven wrapper with a JDK 25 found on this machine. Default goal: verify (all tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
source scripts/find-jdk25.sh
if [ $# -eq 0 ]; then set -- verify; fi
exec ./mvnw -B -ntp "$@"
