#!/usr/bin/env bash
# Sourced by build.sh and nrj: sets JAVA_HOME to a JDK 25 or newer, or exits with one clear line.
# Order: $JAVA_HOME if it is 25+, then /usr/lib/jvm/*, then /opt/*jdk*, then java on PATH.
nrj_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }
nrj_find_jdk25() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/*jdk* /opt/java/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    local v; v=$(nrj_java_major "$c")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$c"; return 0; fi
  done
  return 1
}
if ! NRJ_JDK=$(nrj_find_jdk25); then
  echo "nrj: no JDK 25 found (looked at \$JAVA_HOME, /usr/lib/jvm, /opt); install one, e.g. 'apt-get install temurin-25-jdk', or set JAVA_HOME" >&2
  exit 1
fi
export JAVA_HOME="$NRJ_JDK"
