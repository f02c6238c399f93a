/**
 * File formats and file-writing discipline shared by the runtime: {@link
 * io.nrj.runtime.io.Safetensors} (tensors and string metadata), {@link io.nrj.runtime.io.JsonCodec} (every
 * JSON read and written, on Jackson, with limits for untrusted headers), {@link io.nrj.runtime.io.AtomicFiles} (temporary
 * file, fsync, rename) and {@link io.nrj.runtime.io.InputFileException}, the base type of every
 * "this file cannot be used" error the CLI reports with exit status 1.
 */
package io.nrj.runtime.io;
