package io.nrj.examples;

import io.nrj.processor.api.Classifier;
import io.nrj.processor.api.Conv;
import io.nrj.processor.api.MaxPool;
import io.nrj.processor.api.Network;
import io.nrj.processor.api.Schedule;

/**
 * A tiny MNIST network with a plain schedule (no rejuvenation, so exactly the epochs asked for),
 * for running a generated {@code main} quickly in tests. Its trainer is generated at test-compile.
 */
@Network(input = "1x28x28", classes = 10, schedule = TinyPlain.Plain.class)
interface TinyPlain {
  @Conv(value = 4, kernel = 5, stride = 2, input = true)
  void conv1();

  @MaxPool(2)
  void pool1();

  @Classifier
  void classifier();

  @Schedule(dataset = "mnist", epochs = 1, batch = 32, testBatch = 32, lr = 0.05)
  interface Plain {}
}
