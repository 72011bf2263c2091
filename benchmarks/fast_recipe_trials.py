"""Trials behind the fast recipe (issue "Train 2-4x faster on a CPU").

Each JSON config trains one variant on the CIFAR-10 sample (seed-42 split:
4,576 train / 509 validation / 1,017 test) in one precision and prints one JSON
line: test accuracy (plain and with flip test-time augmentation), validation
accuracy after epoch 1 and at the end, and training seconds. Run one trial at a
time on an otherwise idle machine: two trainings at once on 2 cores spoil the
timings.

Usage (repository root)::

    python benchmarks/fast_recipe_trials.py ARCHIVE '[{"name": "x", "precision": "bfloat16", "epochs": 12}]'

Keys (defaults in ``DEFAULTS``): ``widths`` (three block widths), ``order``
(``"conv_pool_bn"``, airbench's, or ``"conv_bn_pool"``), ``whiten`` (a frozen
2x2 patch-whitening first layer), ``bn_momentum``, ``act``, ``opt``
(``sgd``: Nesterov SGD; ``adamw``), ``lr``, ``wd``, ``ls`` (label smoothing),
``ema`` (Keras' optimizer EMA of weights), ``sched`` (``cosine``: warm-up
then cosine decay; anything else: constant), ``bs``, ``translate`` (pixels),
``train_size`` (images before the validation split; ``None``: all).

The configurations run and their output are in ``results/fast_recipe_trials.jsonl``.
"""
import dataclasses
import json
import sys
import time

import cifar_tutorial

cifar_tutorial.quiet_startup()
import keras
import numpy as np
from keras import layers

from cifar_tutorial import data, mixed_precision, recipe, training

DEFAULTS = dict(widths=[32, 64, 128], order="conv_pool_bn", whiten=False, bn_momentum=0.6, act="gelu",
                opt="sgd", lr=0.05, wd=5e-4, ls=0.2, ema=False, sched="cosine", bs=128, translate=2,
                epochs=12, precision="bfloat16", seed=42, head="gmp", train_size=None)


def whitening_kernel(x, eps=5e-4):
    """2x2 patch whitening (airbench): eigenvectors of the patch covariance / sqrt(eigenvalue).

    Kept as the recorded trials ran it (at most 400,000 patches of the first 5,000 images);
    the package's version, used by the recipe, is ``recipe.patch_whitening_kernel``."""
    patches = np.lib.stride_tricks.sliding_window_view(x[:5000], (2, 2), axis=(1, 2))  # N,31,31,3,2,2
    patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, 12).astype(np.float64)
    patches = patches[:: max(1, len(patches) // 400_000)]
    cov = np.cov(patches, rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    filters = (eigenvectors / np.sqrt(eigenvalues + eps)).T.reshape(12, 2, 2, 3)  # out, h, w, c
    filters = np.concatenate([filters, -filters])  # 24 filters
    return filters.transpose(1, 2, 3, 0).astype(np.float32)  # h, w, c, out


def build(cfg, x_train):
    w1, w2, w3 = cfg["widths"]
    inputs = keras.Input((32, 32, 3))
    x = layers.RandomFlip("horizontal")(inputs)
    t = cfg["translate"] / 32
    if t:
        x = layers.RandomTranslation(t, t, fill_mode="reflect")(x)
    if cfg["whiten"]:
        whiten = layers.Conv2D(24, 2, padding="valid", use_bias=True, name="whiten", trainable=False)
        x = whiten(x)
        x = layers.Activation(cfg["act"])(x)
    for i, w in enumerate((w1, w2, w3)):
        x = layers.Conv2D(w, 3, padding="same", use_bias=False)(x)
        if cfg["order"] == "conv_pool_bn":
            x = layers.MaxPooling2D()(x)
            x = layers.BatchNormalization(momentum=cfg["bn_momentum"])(x)
            x = layers.Activation(cfg["act"])(x)
            x = layers.Conv2D(w, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=cfg["bn_momentum"])(x)
            x = layers.Activation(cfg["act"])(x)
        else:
            x = layers.BatchNormalization(momentum=cfg["bn_momentum"])(x)
            x = layers.Activation(cfg["act"])(x)
            x = layers.Conv2D(w, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=cfg["bn_momentum"])(x)
            x = layers.Activation(cfg["act"])(x)
            x = layers.MaxPooling2D()(x)
    x = layers.GlobalMaxPooling2D()(x) if cfg["head"] == "gmp" else layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(10)(x)
    outputs = layers.Activation("softmax", dtype="float32")(x)
    model = keras.Model(inputs, outputs)
    if cfg["whiten"]:
        kernel = whitening_kernel(x_train)
        whiten.set_weights([kernel, np.zeros(24, np.float32)])
    return model


def run(cfg, s):
    cfg = {**DEFAULTS, **cfg}
    mixed_precision.set_precision(cfg["precision"])
    keras.utils.set_random_seed(cfg["seed"])
    model = build(cfg, s.x_train)
    steps = cfg["epochs"] * recipe.steps_per_epoch(len(s.x_train), cfg["bs"])
    warm = max(1, int(steps * 0.2))
    if cfg["sched"] == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(cfg["lr"] / 10, steps - warm, alpha=0.0,
                                                    warmup_target=cfg["lr"], warmup_steps=warm)
    else:
        lr = cfg["lr"]
    kw = dict(use_ema=cfg["ema"], ema_momentum=0.99) if cfg["ema"] else {}
    if cfg["opt"] == "sgd":
        opt = keras.optimizers.SGD(lr, momentum=0.9, nesterov=True, weight_decay=cfg["wd"], **kw)
    else:
        opt = keras.optimizers.AdamW(lr, weight_decay=cfg["wd"], **kw)
    model.compile(optimizer=opt, loss=keras.losses.CategoricalCrossentropy(label_smoothing=cfg["ls"]),
                  metrics=["accuracy"])
    timer = training.EpochTimer()
    start = time.perf_counter()
    h = model.fit(s.x_train, data.one_hot(s.y_train), validation_data=(s.x_val, data.one_hot(s.y_val)),
                  epochs=cfg["epochs"], batch_size=cfg["bs"], verbose=0, callbacks=[timer])
    seconds = time.perf_counter() - start
    p = model.predict(s.x_test, verbose=0, batch_size=512)
    pf = model.predict(s.x_test[:, :, ::-1], verbose=0, batch_size=512)
    return {**cfg, "params": model.count_params(),
            "test": round(float((p.argmax(1) == s.y_test).mean()), 4),
            "test_tta": round(float(((p + pf).argmax(1) == s.y_test).mean()), 4),
            "val_epoch1": round(h.history["val_accuracy"][0], 4),
            "val_last": round(h.history["val_accuracy"][-1], 4),
            "train_s": round(seconds, 1), "epoch_s_median": round(float(np.median(timer.seconds[1:])), 2)}


if __name__ == "__main__":
    cache = {}
    for config in json.loads(sys.argv[2]):
        size = config.get("train_size")
        if size not in cache:
            s = data.prepare_splits(size, seed=42, path=sys.argv[1])
            # These trials' models take pixels in [0, 1] (no Rescaling layer), as when they were run.
            cache[size] = dataclasses.replace(s, x_train=data.scale_pixels(s.x_train), x_val=data.scale_pixels(s.x_val),
                                              x_test=data.scale_pixels(s.x_test))
        print(json.dumps(run(config, cache[size])), flush=True)
