package io.nrj.tests.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: "./mvnw install (the first Maven habit) fails: nrj-tests did not assign a file to the
 * build artifact". The tests module makes no jar (skipIfEmpty); install and deploy now skip it.
 * Runs the jar and install goals of this module's own POM, as the install lifecycle would.
 */
class BuildInstallTest {
  @Test
  void theTestsModuleInstallsNothingInsteadOfFailing() throws Exception {
    Processes.Result r = Processes.run(
        List.of(Processes.ROOT.resolve("mvnw").toString(), "-B", "-ntp", "-f", Processes.ROOT.resolve("tests/pom.xml").toString(),
            "jar:jar", "install:install"),
        Map.of(), 300);
    String log = r.out() + r.err();
    assertEquals(0, r.code(), log);
    assertTrue(log.contains("Skipping artifact installation"), log);
    assertTrue(log.contains("BUILD SUCCESS"), log);
  }
}
