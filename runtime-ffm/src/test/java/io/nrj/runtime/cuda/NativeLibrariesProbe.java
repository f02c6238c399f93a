package io.nrj.runtime.cuda;

/** Conditions on single libraries, for tests of the missing-library paths. */
public final class NativeLibrariesProbe {
  private NativeLibrariesProbe() {}

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
