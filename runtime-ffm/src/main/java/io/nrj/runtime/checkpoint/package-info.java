/**
 * Training checkpoints as single safetensors files: {@link io.nrj.runtime.checkpoint.Checkpoint}
 * documents the tensor names and metadata keys, and how a resume reads them back.
 */
package io.nrj.runtime.checkpoint;
