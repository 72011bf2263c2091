"""Class-profile trials: the TensorFlow tutorial CNN against lesson 04's final
recipe for a few (training images, epochs, batch size) settings, to choose the
``class`` profile (each training cell about a minute on a 2-core CPU, best model
clearly ahead). Usage: ``python benchmarks/class_profile_trials.py ARCHIVE``.
Output of the run on 2026-11-23 on the CIFAR-10 sample:
``results/class_profile_trials.jsonl``.
"""
import sys
import json, time, warnings
warnings.simplefilter("ignore")
import cifar_tutorial, keras, numpy as np
from cifar_tutorial import data, models, training
for n, epochs, bs in [(2000, 15, 64), (4000, 8, 32), (2000, 12, 32)]:
    s = data.prepare_splits(n, seed=42, path=sys.argv[1])
    out = {"train_size": n, "epochs": epochs, "bs": bs}
    keras.utils.set_random_seed(42)
    r = training.fit_and_evaluate(models.compile_classifier(models.build_tutorial_cnn()), s, epochs=epochs, batch_size=bs, verbose=0)
    out["tutorial"] = round(r.test_accuracy, 3); out["tutorial_s"] = round(r.seconds)
    keras.utils.set_random_seed(42)
    steps = training.steps_per_epoch(len(s.x_train), bs)
    m = training.compile_best_cnn(models.build_best_cnn(), epochs=epochs, steps_per_epoch=steps)
    r = training.fit_and_evaluate(m, s, epochs=epochs, batch_size=bs, verbose=0)
    out["best"] = round(r.test_accuracy, 3); out["best_s"] = round(r.seconds)
    print(json.dumps(out), flush=True)
