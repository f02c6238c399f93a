package io.nrj.runtime.model;

import io.nrj.dsl.ir.NrSettings.CrossMode;
import io.nrj.dsl.ir.Widths;
import io.nrj.runtime.HostParams;
import io.nrj.runtime.nr.MixedLayout;

/** Public access to {@link NetFixtures}' hand-made rejuvenated chain for tests in other packages. */
public final class NetFixturesAccess {
  private NetFixturesAccess() {}

  public static final Widths MIXED_WIDTHS = NetFixtures.MIXED_WIDTHS;

  public static MixedLayout mixedLayout(CrossMode cross) {
    return NetFixtures.mixedLayout(cross);
  }

  public static HostParams mixedParams(long seed, float cross) {
    return NetFixtures.mixedParams(seed, cross);
  }
}
