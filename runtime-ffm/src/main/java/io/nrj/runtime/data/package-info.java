/**
 * Data sets and their loading: {@link io.nrj.runtime.data.DataSets} resolves {@code --data} (the
 * built-in {@code mnist}, MNIST IDX, CIFAR-10/100 binary, image folders) into a {@link
 * io.nrj.runtime.data.DataSet} of two {@link io.nrj.runtime.data.ImageSet}s; {@link
 * io.nrj.runtime.data.Augmentation} is the per-sample transform of spec §9; {@link
 * io.nrj.runtime.data.BatchLoader} cuts shuffled, augmented float NCHW batches ahead of the
 * training loop, deterministically for a given seed and epoch. Every problem with the user's files
 * is a {@link io.nrj.runtime.data.DataException} naming the file.
 */
package io.nrj.runtime.data;
