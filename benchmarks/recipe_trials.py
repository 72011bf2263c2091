"""Second round of trials on the course's recipe itself (issue "Train 2-4x faster on a CPU").

Unlike ``fast_recipe_trials.py`` (the first round, with its own model builder),
each trial here trains :func:`cifar_tutorial.recipe.make_model` compiled by
:func:`cifar_tutorial.recipe.compile_model`, as ``python -m cifar_tutorial
train`` does, on the seed-42 split of the CIFAR-10 sample (4,576 train / 509
validation / 1,017 test), with a few knobs changed, and prints one JSON line:
test accuracy plain, with flip test-time augmentation, and as the ``train``
command reports it (flip TTA kept only if it scores higher on validation),
training seconds (``fit`` only) and the median epoch time after the first.
Run one trial at a time on an otherwise idle machine.

Usage (repository root)::

    python benchmarks/recipe_trials.py ARCHIVE '[{"name": "x", "precision": "bfloat16", "epochs": 14}]'

Keys (defaults in ``DEFAULTS``): ``precision`` (``bfloat16`` or ``float32``),
``epochs``, ``seed``, ``lr`` (peak learning rate), ``wd`` (weight decay),
``ls`` (label smoothing), ``widths``, ``bs`` (batch size), ``jit``
(``model.compile(jit_compile=...)``: ``"auto"``, Keras' default, ``true`` or
``false``), ``steps_per_execution`` (``model.compile``'s: optimizer steps
per call of the compiled training function), ``shift_interpolation``
(``RandomTranslation``'s ``interpolation``: ``"bilinear"``, the recipe's, or
``"nearest"``, whole-pixel shifts), ``inter_op_threads``
(``tf.config.threading.set_inter_op_parallelism_threads``; 0 keeps
TensorFlow's default; it can be set only before the first trial of a run).

Besides flip TTA, each line gives ``test_tta_shift``: airbench's second TTA
level (``KellerJordan/cifar10-airbench``, ``tta_level=2``), the mean of the
flip-TTA probabilities of the image (weight 1/2) and of the image shifted one
pixel up-left and one pixel down-right (1/4 each, edges reflected).

The configurations run and their output are in ``results/recipe_trials.jsonl``
(its lines also carry ``"warmup": 0.2``, the recipe's warm-up fraction, from a
knob no trial changed, since removed).
"""
import json
import sys
import time

import cifar_tutorial

cifar_tutorial.quiet_startup()
import keras
import numpy as np
import tensorflow as tf

from cifar_tutorial import data, inference, mixed_precision, recipe, training
from cifar_tutorial.config import SEED

DEFAULTS = dict(precision="bfloat16", epochs=14, seed=42, lr=recipe.PEAK_LEARNING_RATE, wd=recipe.WEIGHT_DECAY,
                ls=recipe.LABEL_SMOOTHING, widths=list(recipe.WIDTHS), bs=recipe.BATCH_SIZE, jit="auto",
                steps_per_execution=1, shift_interpolation="bilinear", inter_op_threads=0)


def accuracy(model, x, y, flip_tta=False):
    probabilities = inference.predict_probabilities(model, x, flip_tta=flip_tta, batch_size=512)
    return float(np.mean(probabilities.argmax(axis=1) == y))


def shifted(x, dy, dx):
    """Images ``(N, H, W, C)`` shifted by whole pixels, edges reflected."""
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    return padded[:, 1 + dy:1 + dy + x.shape[1], 1 + dx:1 + dx + x.shape[2]]


def accuracy_tta_shift(model, x, y):
    def predict(images):  # flip TTA of each shifted view
        return inference.predict_probabilities(model, images, flip_tta=True, batch_size=512)

    p = 0.5 * predict(x) + 0.25 * predict(shifted(x, -1, -1)) + 0.25 * predict(shifted(x, 1, 1))
    return float(np.mean(p.argmax(axis=1) == y))


def run(cfg, splits):
    cfg = {**DEFAULTS, **cfg}
    mixed_precision.set_precision(cfg["precision"])
    if cfg["inter_op_threads"]:
        tf.config.threading.set_inter_op_parallelism_threads(cfg["inter_op_threads"])
    keras.utils.set_random_seed(cfg["seed"])
    model = recipe.make_model(splits.x_train, widths=tuple(cfg["widths"]))
    model.get_layer("random_shift").interpolation = cfg["shift_interpolation"]
    steps = recipe.steps_per_epoch(len(splits.x_train), cfg["bs"])
    recipe.compile_model(model, epochs=cfg["epochs"], steps_per_epoch=steps, peak_learning_rate=cfg["lr"],
                         weight_decay=cfg["wd"], label_smoothing=cfg["ls"])
    if cfg["jit"] != "auto" or cfg["steps_per_execution"] != 1:
        model.compile(optimizer=model.optimizer, loss=model.loss, jit_compile=cfg["jit"],
                      steps_per_execution=cfg["steps_per_execution"],
                      metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    timer = training.EpochTimer()
    start = time.perf_counter()
    history = model.fit(splits.x_train, splits.y_train, validation_data=(splits.x_val, splits.y_val),
                        epochs=cfg["epochs"], batch_size=cfg["bs"], verbose=0, callbacks=[timer])
    seconds = time.perf_counter() - start
    test, test_tta = accuracy(model, splits.x_test, splits.y_test), accuracy(model, splits.x_test, splits.y_test, True)
    val, val_tta = accuracy(model, splits.x_val, splits.y_val), accuracy(model, splits.x_val, splits.y_val, True)
    test_tta_shift = accuracy_tta_shift(model, splits.x_test, splits.y_test)
    val_tta_shift = accuracy_tta_shift(model, splits.x_val, splits.y_val)
    return {**cfg, "jit_compile": str(model.jit_compile), "params": model.count_params(),
            "test": round(test, 4), "test_tta": round(test_tta, 4),
            "test_reported": round(test_tta if val_tta > val else test, 4),
            "test_tta_shift": round(test_tta_shift, 4), "val": round(val, 4), "val_tta": round(val_tta, 4),
            "val_tta_shift": round(val_tta_shift, 4),
            "val_epoch1": round(history.history["val_accuracy"][0], 4),
            "val_last": round(history.history["val_accuracy"][-1], 4),
            "train_s": round(seconds, 1), "first_epoch_s": round(timer.seconds[0], 2),
            "epoch_s_median": round(float(np.median(timer.seconds[1:])), 2)}


if __name__ == "__main__":
    splits = data.prepare_splits(None, seed=SEED, path=sys.argv[1])
    for config in json.loads(sys.argv[2]):
        print(json.dumps(run(config, splits)), flush=True)
