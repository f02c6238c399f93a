package io.nrj.runtime.cuda;

import static io.nrj.runtime.bindings.cudnn_h.CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED;
import static io.nrj.runtime.bindings.cudnn_h.cudnnGetErrorString;
import static io.nrj.runtime.bindings.cudnn_h.cudnnGetLastErrorString;

import java.lang.foreign.Arena;

/**
 * Status checks for cuDNN. {@code cudnnGetErrorString} gives the enum name; {@code
 * cudnnGetLastErrorString} (cuDNN 9) the explanation, which is what names the bad parameter.
 */
public final class Cudnn {
  private static final int MESSAGE_BYTES = 1024;

  private Cudnn() {}

  public static void check(int status, String call) {
    if (status == 0) {
      return;
    }
    String name = Cuda.string(cudnnGetErrorString(status));
    String text;
    try (var arena = Arena.ofConfined()) {
      var buffer = arena.allocate(MESSAGE_BYTES);
      cudnnGetLastErrorString(buffer, MESSAGE_BYTES);
      text = buffer.getString(0);
    }
    throw status == CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED()
        ? new CudaOutOfMemoryException(call, status, name, text)
        : new CudaException(call, status, name, text);
  }
}
