package io.nrj.runtime.cuda;

/** Conditions on single libraries, for tests of the missing-library paths. */
public final class NativeLibrariesProbe {
  private NativeLibrariesProbe() {}

  /** libnvrtc.so.13 loads (NVRTC compiles without a device). */
  public static boolean nvrtcPresent() {
    try {
      NativeLibraries.lookup("libnvrtc.so.13");
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  /** libcudnn.so.9 loads (its descriptors are host-side: no device needed). */
  public static boolean cudnnPresent() {
    return !cudnnMissing();
  }

  /** libcudnn.so.9 cannot be found (true on the build machine). */
  public static boolean cudnnMissing() {
    try {
      NativeLibraries.lookup("libcudnn.so.9");
      return false;
    } catch (Throwable e) {
      return true;
    }
  }
}
