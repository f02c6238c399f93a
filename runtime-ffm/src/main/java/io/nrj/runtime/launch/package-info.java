/**
 * What {@code nrj} and every generated trainer's {@code main} share on the command line, so the two
 * cannot drift apart: the {@code train} options ({@link io.nrj.runtime.launch.TrainOptions}, one
 * picocli definition), the trainer entry point generated mains delegate to ({@link
 * io.nrj.runtime.launch.TrainerMain}), the picocli set-up with DESIGN.md's exit codes ({@link
 * io.nrj.runtime.launch.CommandLines}: 0 ok, 1 user error with one message and no stack trace, 2
 * usage error), the version with its git commit ({@link io.nrj.runtime.launch.NrjVersion}) and the
 * launcher scripts' standard-error hand-over ({@link io.nrj.runtime.launch.InheritedStderr}).
 *
 * <p>It is not the {@code nrj} command itself (module {@code cli}), and it parses nothing by hand.
 */
package io.nrj.runtime.launch;
