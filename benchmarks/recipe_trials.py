"""Recipe trials behind lesson 04's final recipe (``models.build_best_cnn``,
``training.compile_best_cnn``): each JSON config trains one variant of
``models.build_cnn`` (always with batch norm and augmentation) on the CIFAR-10
sample and prints its test accuracy (plain and with horizontal-flip test-time
augmentation), best validation accuracy and training seconds.

Usage (repository root)::

    python benchmarks/recipe_trials.py ARCHIVE '[{"name": "x", "epochs": 28, "sched": "cosine", "lr": 2e-3,
        "opt": "adamw", "ls": 0.1, "arch": {"dropout": 0.0, "head_dropout": 0.3}}]'

The configurations run on 2026-11-23 and their output are in
``results/recipe_trials.jsonl`` (the field ``gpu_s`` holds training seconds on
this 2-core CPU; some runs shared the CPU with other work, so their seconds are
upper bounds). The TensorFlow backend was used.
"""
import json, os, sys, time
import warnings; warnings.simplefilter("ignore")
import cifar_tutorial
import numpy as np, keras
from cifar_tutorial import data, models, training

s = data.prepare_splits(None, seed=0, path=sys.argv[1])
configs = json.loads(sys.argv[2])
for cfg in configs:
    keras.utils.set_random_seed(0)
    arch = dict(cfg.get("arch", {}))
    m = models.build_cnn(batch_norm=True, augmentation=True, **arch)
    epochs, bs = cfg["epochs"], cfg.get("bs", 128)
    steps = epochs * training.steps_per_epoch(len(s.x_train), bs)
    lr = cfg.get("lr", 1e-3)
    if cfg.get("sched") == "cosine":
        lr_s = keras.optimizers.schedules.CosineDecay(lr / 10, steps - steps // 5, alpha=0.01,
                                                      warmup_target=lr, warmup_steps=steps // 5)
    else:
        lr_s = lr
    opt_name = cfg.get("opt", "adam")
    if opt_name == "adamw":
        opt = keras.optimizers.AdamW(lr_s, weight_decay=cfg.get("wd", 5e-4))
    elif opt_name == "sgd":
        opt = keras.optimizers.SGD(lr_s, momentum=0.9, nesterov=True)
    else:
        opt = keras.optimizers.Adam(lr_s)
    ls = cfg.get("ls", 0.0)
    m.compile(optimizer=opt, loss=keras.losses.CategoricalCrossentropy(label_smoothing=ls), metrics=["accuracy"])
    t = time.perf_counter()
    if cfg.get("trainval"):
        xt, yt = np.concatenate([s.x_train, s.x_val]), np.concatenate([s.y_train, s.y_val])
    else:
        xt, yt = s.x_train, s.y_train
    h = m.fit(xt, data.one_hot(yt), validation_data=(s.x_val, data.one_hot(s.y_val)),
              epochs=epochs, batch_size=bs, verbose=0)
    dt = time.perf_counter() - t
    p = m.predict(s.x_test, verbose=0)
    pf = m.predict(s.x_test[:, :, ::-1], verbose=0)
    acc = float((p.argmax(1) == s.y_test).mean())
    acc_tta = float(((p + pf).argmax(1) == s.y_test).mean())
    print(json.dumps({**cfg, "test": round(acc, 4), "test_tta": round(acc_tta, 4),
                      "best_val": round(max(h.history["val_accuracy"]), 4), "gpu_s": round(dt, 1)}), flush=True)
