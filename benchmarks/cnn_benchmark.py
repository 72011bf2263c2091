"""Benchmark: the TensorFlow CNN tutorial's model against this project's best model.

Trains both, in one run, on the same data and machine, and reports for each:
test accuracy, training seconds, median seconds per epoch, images per second
and peak memory, with the ratios best / reference. Each measurement runs in a
fresh subprocess, so that peak memory (``ru_maxrss``) belongs to one model.

Usage (from the repository root, with the package installed)::

    python benchmarks/cnn_benchmark.py --archive ../shared/data/cifar-10-sample-python.tar.gz

Stages (``--stages``, default all):

* ``accuracy``: full training of both models on the archive's training set
  (the reference as in https://www.tensorflow.org/tutorials/images/cnn: Adam,
  10 epochs, batch 32; the best model with lesson 04's recipe and the ``full``
  profile's epochs), test accuracy on the test set, for the best model also
  with flip test-time augmentation (``models.with_flip_tta``); each model is
  trained from every seed in ``ACCURACY_SEEDS`` and the report gives medians.
* ``pipeline``: seconds per epoch of the best model for each input pipeline
  (NumPy arrays, ``tf.data`` with prefetch), batch size and XLA setting,
  three epochs each, median of the last two.
* ``onednn``: seconds per epoch of both models with TensorFlow's oneDNN
  optimisations on and off (``TF_ENABLE_ONEDNN_OPTS=0``).
* ``tiled``: seconds per epoch of both models on the training set tiled to
  50,000 images, the size of the full CIFAR-10 training set (epoch time only:
  repeated images say nothing about accuracy).

Results go to ``benchmarks/results/<stage>.json`` and are rendered, with the
machine and library versions, into ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
TILED_SIZE = 50_000


# --------------------------------------------------------------------------- one measurement
def _dataset(x, y, batch_size, pipeline, shuffle_seed):
    import tensorflow as tf

    if pipeline == "numpy":
        return (x, y), {"batch_size": batch_size, "shuffle": True}
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=shuffle_seed)
    return (ds.batch(batch_size).prefetch(tf.data.AUTOTUNE),), {}


def measure(spec: dict) -> dict:
    """Train one model as ``spec`` says and return its measurements."""
    import cifar_tutorial  # noqa: F401  (quiet TensorFlow import)
    import keras
    import numpy as np

    from cifar_tutorial import data, models, training
    from cifar_tutorial.config import SEED, get_profile

    keras.utils.set_random_seed(spec.get("seed", SEED))
    splits = data.prepare_splits(None, seed=SEED, path=spec["archive"])  # one split for every seed
    x_train, y_train = splits.x_train, splits.y_train
    if spec.get("tiled"):
        reps = int(np.ceil(TILED_SIZE / len(x_train)))
        x_train = np.tile(x_train, (reps, 1, 1, 1))[:TILED_SIZE]
        y_train = np.tile(y_train, reps)[:TILED_SIZE]
    epochs = spec["epochs"] or get_profile("full").epochs
    batch_size = spec["batch_size"]
    steps_per_epoch = training.steps_per_epoch(len(x_train), batch_size)
    if spec["model"] == "tutorial_cnn":
        model = models.compile_classifier(models.build_tutorial_cnn())
    else:
        model = training.compile_best_cnn(models.build_best_cnn(), epochs=epochs, steps_per_epoch=steps_per_epoch)
    if spec.get("jit_compile"):
        model.compile(optimizer=model.optimizer, loss=model.loss, metrics=["accuracy"], jit_compile=True)
    args, kwargs = _dataset(x_train, y_train, batch_size, spec["pipeline"], SEED)
    timer = training.EpochTimer()
    start = time.perf_counter()
    model.fit(*args, **kwargs, epochs=epochs, callbacks=[timer], verbose=0)
    seconds = time.perf_counter() - start
    later = timer.seconds[1:] or timer.seconds  # the first epoch includes tracing
    result = {
        **{k: v for k, v in spec.items() if k != "archive"},
        "epochs": epochs,
        "train_images": len(x_train),
        "train_seconds": round(seconds, 2),
        "median_epoch_seconds": round(statistics.median(later), 3),
        "images_per_second": round(len(x_train) / statistics.median(later), 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "parameters": model.count_params(),
    }
    if not spec.get("tiled"):
        result["test_accuracy"] = round(float(model.evaluate(splits.x_test, splits.y_test, verbose=0)[1]), 4)
        if spec["model"] == "best_cnn":  # lesson 04 saves the best model with flip test-time augmentation
            tta = models.with_flip_tta(model)
            result["test_accuracy_flip_tta"] = round(float(tta.evaluate(splits.x_test, splits.y_test, verbose=0)[1]), 4)
    return result


def run_isolated(spec: dict, env: dict | None = None) -> dict:
    """Run :func:`measure` in a fresh Python process (with ``env`` added to its
    environment) and return its result."""
    out = subprocess.run([sys.executable, __file__, "--measure", json.dumps(spec)],
                         capture_output=True, text=True, check=False, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise RuntimeError(f"measurement {spec} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


# --------------------------------------------------------------------------- stages
ACCURACY_SEEDS = (42, 7, 2026)  # 42 is the lessons' seed (config.SEED); the others show the spread


def stage_accuracy(archive):
    """Both models trained from each of :data:`ACCURACY_SEEDS` (weights,
    dropout, augmentation and shuffling; the data split stays the same)."""
    rows = []
    for seed in ACCURACY_SEEDS:
        rows.append(run_isolated({"model": "tutorial_cnn", "archive": archive, "epochs": 10, "batch_size": 32,
                                  "pipeline": "numpy", "seed": seed}))
        rows.append(run_isolated({"model": "best_cnn", "archive": archive, "epochs": None, "batch_size": 128,
                                  "pipeline": "numpy", "seed": seed}))
    return rows


def stage_pipeline(archive):
    rows = []
    for pipeline in ("numpy", "tf.data"):
        for batch_size in (64, 128, 256):
            rows.append(run_isolated({"model": "best_cnn", "archive": archive, "epochs": 3,
                                      "batch_size": batch_size, "pipeline": pipeline}))
    rows.append(run_isolated({"model": "best_cnn", "archive": archive, "epochs": 3, "batch_size": 128,
                              "pipeline": "tf.data", "jit_compile": True}))
    return rows


def stage_tiled(archive):
    return [
        run_isolated({"model": "tutorial_cnn", "archive": archive, "epochs": 2, "batch_size": 32,
                      "pipeline": "numpy", "tiled": True}),
        run_isolated({"model": "best_cnn", "archive": archive, "epochs": 2, "batch_size": 128,
                      "pipeline": "tf.data", "tiled": True}),
    ]


def stage_onednn(archive):
    """Both models with TensorFlow's oneDNN optimisations on (its default) and
    off (``TF_ENABLE_ONEDNN_OPTS=0``, which would also hide its start-up
    notice): 4 epochs each, median of the last 3."""
    rows = []
    for setting in ("1", "0"):
        for model, batch_size in (("tutorial_cnn", 32), ("best_cnn", 128)):
            row = run_isolated({"model": model, "archive": archive, "epochs": 4, "batch_size": batch_size,
                                "pipeline": "numpy"}, env={"TF_ENABLE_ONEDNN_OPTS": setting})
            rows.append({**row, "onednn": "on" if setting == "1" else "off"})
    return rows


STAGES = {"accuracy": stage_accuracy, "pipeline": stage_pipeline, "tiled": stage_tiled, "onednn": stage_onednn}


# --------------------------------------------------------------------------- report
def machine() -> dict:
    import cifar_tutorial  # noqa: F401  (quiet TensorFlow import)
    import keras
    import numpy
    import tensorflow as tf

    from cifar_tutorial.classroom import cpu_model

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": numpy.__version__,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
            "date": time.strftime("%Y-%m-%d")}


def _table(rows, columns):
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |\n" for r in rows)


def _medians(rows, model):
    """Per-column medians of ``model``'s rows (one row per seed), or ``None``."""
    mine = [r for r in rows if r["model"] == model]
    if not mine:
        return None
    keys = [k for k, v in mine[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return {k: round(statistics.median(r[k] for r in mine), 4) for k in keys if all(k in r for r in mine)}


def _accuracy_summary(rows, ref, best):
    seeds = sorted({r.get("seed") for r in rows if r["model"] == "best_cnn"})
    worst = min(r["test_accuracy_flip_tta"] for r in rows if r["model"] == "best_cnn")
    worst_plain = min(r["test_accuracy"] for r in rows if r["model"] == "best_cnn")
    text = (f"\nOver seeds {', '.join(map(str, seeds))}: the best model reached a median test accuracy of "
            f"{best['test_accuracy']:.1%} ({best['test_accuracy_flip_tta']:.1%} with flip test-time augmentation, "
            f"as lesson 04 saves it; lowest {worst:.1%}, lowest without it {worst_plain:.1%}) in a median of "
            f"{best['train_seconds']:.0f} s of training")
    if ref:
        text += f"; the tutorial CNN reached {ref['test_accuracy']:.1%} in {ref['train_seconds']:.0f} s"
    return text + ". Ratios below are of the medians.\n"


def render(archive_name: str) -> str:
    """RESULTS.md from every stage's JSON in ``results/``."""
    parts = ["# Benchmark results\n",
             "Written by `benchmarks/cnn_benchmark.py` (do not edit by hand). Reference: the "
             "TensorFlow CNN tutorial model; *best*: lesson 04's best model and recipe "
             "(`models.build_best_cnn`, `training.compile_best_cnn`). Seconds are wall-clock; "
             "medians are over epochs 2 and later.\n"]
    for stage in STAGES:
        path = RESULTS_DIR / f"{stage}.json"
        if not path.exists():
            continue
        doc = json.loads(path.read_text())
        m = doc["machine"]
        parts.append(f"\n## Stage `{stage}`\n\nMachine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, "
                     f"TensorFlow {m['tensorflow']}, Keras {m['keras']}, NumPy {m['numpy']}, oneDNN {m['onednn']}; "
                     f"{m['date']}. Data: `{doc['data']}`. Command: `{doc['command']}`.\n\n")
        rows = doc["rows"]
        cols = ["model", "seed", "onednn", "pipeline", "batch_size", "jit_compile", "tiled", "epochs", "train_images",
                "test_accuracy", "test_accuracy_flip_tta", "train_seconds", "median_epoch_seconds", "images_per_second", "peak_memory_mb"]
        cols = [c for c in cols if any(c in r for r in rows)]
        parts.append(_table(rows, cols))
        if stage == "pipeline":
            ranked = sorted(rows, key=lambda r: r["median_epoch_seconds"])
            def name(r):
                return f"{r['pipeline']}, batch {r['batch_size']}" + (", jit_compile" if r.get("jit_compile") else "")
            parts.append(f"\nFastest in this run: {name(ranked[0])} ({ranked[0]['median_epoch_seconds']} s/epoch); "
                         f"slowest: {name(ranked[-1])} ({ranked[-1]['median_epoch_seconds']} s/epoch). Each row is "
                         "the median of only two epochs, so differences under about 20% are within the spread "
                         "seen between repeated runs of one setting. Accuracies here are of 3-epoch runs and "
                         "only show that training ran.\n")
        if stage == "onednn":
            for model in ("tutorial_cnn", "best_cnn"):
                on = next((r for r in rows if r["model"] == model and r["onednn"] == "on"), None)
                off = next((r for r in rows if r["model"] == model and r["onednn"] == "off"), None)
                if on and off:
                    parts.append(f"\n{model}: oneDNN off takes {off['median_epoch_seconds'] / on['median_epoch_seconds']:.2f} "
                                 "times as long per epoch as oneDNN on.\n")
            continue
        ref, best = _medians(rows, "tutorial_cnn"), _medians(rows, "best_cnn")
        if stage == "accuracy" and best:
            parts.append(_accuracy_summary(rows, ref, best))
        if ref and best:
            ratios = {k: round(best[k] / ref[k], 2) for k in
                      ("test_accuracy", "train_seconds", "median_epoch_seconds", "images_per_second", "peak_memory_mb")
                      if k in best and k in ref and ref[k]}
            parts.append("\nRatios best / reference" + (" (medians over seeds)" if stage == "accuracy" else "") + ": " + ", ".join(f"{k} {v}" for k, v in ratios.items()) + ".\n")
    return "".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", default=os.environ.get("CIFAR10_ARCHIVE"),
                        help="CIFAR-10 archive (default: $CIFAR10_ARCHIVE)")
    parser.add_argument("--stages", nargs="*", default=list(STAGES), choices=list(STAGES))
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results/*.json")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(json.loads(args.measure))))
        return 0
    if args.render:
        data_name = json.loads(next(RESULTS_DIR.glob("*.json")).read_text())["data"]
        (HERE / "RESULTS.md").write_text(render(data_name))
        return 0
    if not args.archive:
        parser.error("give --archive or set CIFAR10_ARCHIVE")
    archive = str(Path(args.archive).resolve())
    RESULTS_DIR.mkdir(exist_ok=True)
    command = "python benchmarks/cnn_benchmark.py --archive " + Path(args.archive).name + " --stages " + " ".join(args.stages)
    for stage in args.stages:
        print(f"== stage {stage}", flush=True)
        rows = STAGES[stage](archive)
        doc = {"machine": machine(), "data": Path(archive).name, "command": command, "rows": rows}
        (RESULTS_DIR / f"{stage}.json").write_text(json.dumps(doc, indent=2) + "\n")
    (HERE / "RESULTS.md").write_text(render(Path(archive).name))
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
