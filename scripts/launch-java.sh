#!/usr/bin/env bash
# Sourced by ./nrj and scripts/nrj-trainer: starts java on the JDK 25 that find-jdk25.sh found, with
# the flags nrj runs at full speed with:
#   --add-modules jdk.incubator.vector   the CPU backend's Vector API kernels (without it they run
#                                        scalar, several times slower, and nrj warns once)
#   --enable-native-access=ALL-UNNAMED   FFM: the CUDA libraries, isatty for the progress line
#   -XX:+UseParallelGC, -Djava.awt.headless=true (plots without a display)
# The JVM prints "WARNING: Using incubator modules: jdk.incubator.vector" on stderr before main,
# and no option turns it off: stderr (fd 2) goes through grep to drop that line, and the real
# stderr is handed over as fd 3, which nrj's main writes to from then on (-Dnrj.stderr.fd=3,
# io.nrj.runtime.launch.InheritedStderr). So what nrj prints keeps its order with stdout, even in a
# log file; only the JVM's own start-up lines pass the filter.
nrj_exec_java() {
  exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
    -XX:+UseParallelGC -Djava.awt.headless=true -Dnrj.stderr.fd=3 ${NRJ_JAVA_OPTS:-} "$@" \
    3>&2 2> >(grep -v -e '^WARNING: Using incubator modules' >&2)
}
