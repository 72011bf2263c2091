"""Benchmark: the TensorFlow CNN tutorial's model against the course's recipe, and the data loader.

Usage (from the repository root, with the package installed; nothing else running)::

    python benchmarks/cnn_benchmark.py --archive ../shared/data/cifar-10-sample-python.tar.gz

Stages (``--stages``, default all), each measurement in a fresh subprocess so that
peak memory (``ru_maxrss``) belongs to one run:

* ``accuracy``: on the same split (the lessons' seed), three training seeds each of

  - the *reference*: the TensorFlow tutorial CNN written exactly as in
    https://www.tensorflow.org/tutorials/images/cnn (Conv32-Pool-Conv64-Pool-Conv64,
    Dense 64, Dense 10 logits, Adam, ``from_logits`` cross-entropy, 10 epochs,
    batch 32), in float32;
  - the course's recipe (:mod:`cifar_tutorial.recipe`) trained by
    ``python -m cifar_tutorial train --profile full --seed S``, in the automatic
    precision (``CIFAR_TUTORIAL_PRECISION=auto``) and forced to float32, so
    that ``train --seed 42`` reproduces its row;

  test accuracy, training seconds (``fit`` only), images per second, peak memory, medians and ratios.
* ``loader``: :func:`cifar_tutorial.datasets.load_cifar10` against Keras' own
  ``load_batch`` (what ``keras.datasets.cifar10.load_data`` calls) over the
  same files: an official-format archive of 50,000 + 10,000 images built by
  tiling the sample's real images (for time and memory only), median of three
  runs each.

Results go to ``benchmarks/results/<stage>.json`` and are rendered, with the
machine and library versions, into ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"
ACCURACY_SEEDS = (42, 7, 2026)  # 42 is the lessons' seed (config.SEED); the others show the spread
LOADER_REPEATS = 3


def _peak_memory_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --------------------------------------------------------------------------- one measurement
def measure_reference(spec: dict) -> dict:
    """The TensorFlow tutorial's CNN, as the tutorial writes it."""
    import cifar_tutorial

    cifar_tutorial.quiet_startup()
    import keras
    from keras import layers, models

    from cifar_tutorial import data
    from cifar_tutorial.config import SEED

    keras.utils.set_random_seed(spec["seed"])
    splits = data.prepare_splits(None, seed=SEED, path=spec["archive"])
    # The tutorial scales the pixels to [0, 1] before training: "train_images / 255.0".
    x_train, x_val, x_test = (x / 255.0 for x in (splits.x_train, splits.x_val, splits.x_test))
    # https://www.tensorflow.org/tutorials/images/cnn, "Create the convolutional base" and "Add Dense layers on top"
    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(32, 32, 3)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.Dense(10))
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, splits.y_train, epochs=10, validation_data=(x_val, splits.y_val), verbose=0)
    seconds = time.perf_counter() - start
    _, test_accuracy = model.evaluate(x_test, splits.y_test, verbose=0)
    return {"model": "tutorial_cnn", "precision": "float32", "seed": spec["seed"], "epochs": 10,
            "train_images": len(splits.x_train), "test_accuracy": round(float(test_accuracy), 4),
            "train_seconds": round(seconds, 1), "images_per_second": round(10 * len(splits.x_train) / seconds),
            "peak_memory_mb": _peak_memory_mb(), "parameters": model.count_params()}


def measure_recipe(spec: dict) -> dict:
    """``python -m cifar_tutorial train`` in a subprocess: the last line of its output is JSON."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "cifar_tutorial", "train", "--profile", "full", "--seed", str(spec["seed"]),
                   "--archive", spec["archive"], "--output", str(Path(folder) / "course_cnn.keras")]
        env = {**os.environ, "CIFAR_TUTORIAL_PRECISION": spec["precision"]}
        out = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return {"model": "course_recipe", "setting": spec["precision"], "precision": result["precision"],
            "seed": result["seed"], "epochs": result["epochs"], "train_images": result["train_images"],
            "test_accuracy": round(result["test_accuracy"], 4),
            "test_accuracy_without_tta": round(result["test_accuracy_without_tta"], 4),
            "train_seconds": result["train_seconds"],
            "images_per_second": round(result["epochs"] * result["train_images"] / result["train_seconds"]),
            "peak_memory_mb": result["peak_memory_mb"],
            "command": f"CIFAR_TUTORIAL_PRECISION={spec['precision']} python -m cifar_tutorial train "
                       f"--profile full --seed {spec['seed']} --archive {Path(spec['archive']).name}"}


def tiled_archive(sample: str, folder: Path, train_per_batch: int = 10_000, test_images: int = 10_000) -> Path:
    """An archive in the official layout (folder, file names, dict keys, uint8 ``(n, 3072)`` data)
    with the sample's real images tiled to the official sizes, for timing only."""
    import numpy as np

    from cifar_tutorial.datasets import CIFAR10

    path = folder / "cifar-10-tiled-python.tar.gz"
    with tarfile.open(sample) as src, tarfile.open(path, "w:gz", compresslevel=1) as dst:
        for member in src:
            if not member.isfile():
                continue
            raw = src.extractfile(member).read()
            name = Path(member.name).name
            if name in (*CIFAR10.train_members, CIFAR10.test_member):
                batch = pickle.loads(raw, encoding="bytes")  # the shared sample: trusted, ours
                n = train_per_batch if name != CIFAR10.test_member else test_images
                reps = -(-n // len(batch[b"labels"]))
                # Protocol 4: Python 3 cannot write Python 2's str objects, and its protocol-2
                # bytes go through _codecs.encode, which Keras' restricted unpickler refuses.
                raw = pickle.dumps({b"batch_label": batch[b"batch_label"],
                                    b"labels": (list(batch[b"labels"]) * reps)[:n],
                                    b"data": np.tile(batch[b"data"], (reps, 1))[:n]}, protocol=4)
            info = tarfile.TarInfo(member.name)
            info.size = len(raw)
            dst.addfile(info, io.BytesIO(raw))
    return path


def measure_loader(spec: dict) -> dict:
    import numpy as np

    if spec["loader"] == "cifar_tutorial":
        from cifar_tutorial import data

        start = time.perf_counter()
        (x_train, y_train), (x_test, y_test), _ = data.load_cifar10(spec["archive"])
    else:  # Keras' own reader, over the extracted files, as keras.datasets.cifar10.load_data does
        from keras.src.datasets.cifar import load_batch

        import cifar_tutorial  # noqa: F401  (quiet TensorFlow import)

        start = time.perf_counter()
        with tarfile.open(spec["archive"]) as tar:
            tar.extractall(spec["extract_to"], filter="data")
        folder = Path(spec["extract_to"]) / "cifar-10-batches-py"
        parts = [load_batch(str(folder / f"data_batch_{i}")) for i in range(1, 6)]
        x_train = np.concatenate([x for x, _ in parts]).transpose(0, 2, 3, 1)
        y_train = np.concatenate([y for _, y in parts])
        x_test, y_test = load_batch(str(folder / "test_batch"))
        x_test = x_test.transpose(0, 2, 3, 1)
    seconds = time.perf_counter() - start
    return {"loader": spec["loader"], "train_images": len(x_train), "test_images": len(x_test),
            "seconds": round(seconds, 2), "peak_memory_mb": _peak_memory_mb()}


MEASURES = {"reference": measure_reference, "recipe": measure_recipe, "loader": measure_loader}


def run_isolated(kind: str, spec: dict) -> dict:
    """Run one measurement in a fresh Python process and return its result."""
    out = subprocess.run([sys.executable, __file__, "--measure", kind, json.dumps(spec)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"measurement {kind} {spec} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(json.dumps(result), flush=True)
    return result


# --------------------------------------------------------------------------- stages
def stage_accuracy(archive):
    rows = []
    for seed in ACCURACY_SEEDS:
        rows.append(run_isolated("reference", {"archive": archive, "seed": seed}))
        for setting in ("auto", "float32"):
            rows.append(run_isolated("recipe", {"archive": archive, "seed": seed, "precision": setting}))
    return rows


def stage_loader(archive):
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        tiled = str(tiled_archive(archive, Path(folder)))
        for repeat in range(LOADER_REPEATS):
            for loader in ("cifar_tutorial", "keras_load_batch"):
                extract_to = tempfile.mkdtemp(dir=folder)
                rows.append({**run_isolated("loader", {"archive": tiled, "loader": loader, "extract_to": extract_to}),
                             "repeat": repeat + 1})
    return rows


STAGES = {"accuracy": stage_accuracy, "loader": stage_loader}


# --------------------------------------------------------------------------- report
def machine() -> dict:
    import cifar_tutorial

    cifar_tutorial.quiet_startup()
    import keras
    import numpy
    import tensorflow as tf

    from cifar_tutorial import mixed_precision
    from cifar_tutorial.machine import cpu_model

    return {"cpu": cpu_model(), "cores": os.cpu_count(), "python": platform.python_version(),
            "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": numpy.__version__,
            "auto_precision": str(mixed_precision.choose_policy("auto", mixed_precision.cpu_flags())),
            "date": time.strftime("%Y-%m-%d")}


def _table(rows, columns):
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    return head + "".join("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |\n" for r in rows)


def _median(rows, key):
    return statistics.median(r[key] for r in rows)


def _accuracy_summary(rows) -> str:
    reference = [r for r in rows if r["model"] == "tutorial_cnn"]
    lines = ["\n| model | precision | median test accuracy | median training seconds | median images/s | "
             "median peak memory (MB) | accuracy / reference | seconds / reference |\n|---|---|---|---|---|---|---|---|\n"]
    ref_acc, ref_s = _median(reference, "test_accuracy"), _median(reference, "train_seconds")
    groups = [("tutorial_cnn", "float32", reference)]
    for setting in ("auto", "float32"):
        mine = [r for r in rows if r["model"] == "course_recipe" and r["setting"] == setting]
        if mine:
            groups.append(("course_recipe", f"{setting} ({mine[0]['precision']})", mine))
    for model, precision, mine in groups:
        acc, sec = _median(mine, "test_accuracy"), _median(mine, "train_seconds")
        lines.append(f"| {model} | {precision} | {acc:.1%} | {sec:.0f} | {_median(mine, 'images_per_second'):.0f} | "
                     f"{_median(mine, 'peak_memory_mb'):.0f} | {acc / ref_acc:.2f} | {sec / ref_s:.2f} |\n")
    if len(groups) == 3:
        auto, f32 = groups[1][2], groups[2][2]
        lines.append(f"\nThe recipe in the automatic precision ({auto[0]['precision']}) against float32, medians: "
                     f"training seconds x{_median(auto, 'train_seconds') / _median(f32, 'train_seconds'):.2f}, "
                     f"test accuracy {100 * (_median(auto, 'test_accuracy') - _median(f32, 'test_accuracy')):+.1f} points.\n")
    return "".join(lines)


def _loader_summary(rows) -> str:
    ours = [r for r in rows if r["loader"] == "cifar_tutorial"]
    keras_rows = [r for r in rows if r["loader"] == "keras_load_batch"]
    a, b = _median(ours, "seconds"), _median(keras_rows, "seconds")
    ma, mb = _median(ours, "peak_memory_mb"), _median(keras_rows, "peak_memory_mb")
    return (f"\nMedians over {len(ours)} runs: `load_cifar10` {a:.2f} s and {ma:.0f} MB peak; Keras' `load_batch` "
            f"(extraction included) {b:.2f} s and {mb:.0f} MB peak; ratio ours / Keras: time {a / b:.2f}, "
            f"memory {ma / mb:.2f}. The Keras process imports TensorFlow (about 0.5 GB of its peak); "
            "`load_cifar10` here runs in a process that imports the package, so TensorFlow too.\n")


def render() -> str:
    parts = ["# Benchmark results\n\n",
             "Written by `benchmarks/cnn_benchmark.py` (do not edit by hand). Reference: the TensorFlow CNN "
             "tutorial's model, as the tutorial writes it; *course_recipe*: `cifar_tutorial.recipe` trained by "
             "`python -m cifar_tutorial train --profile full`. Training seconds are `fit` only, wall-clock; "
             "test accuracy of the course recipe is of the saved model (flip test-time augmentation included "
             "where the validation set chose it; `test_accuracy_without_tta` without).\n"]
    for stage in STAGES:
        path = RESULTS_DIR / f"{stage}.json"
        if not path.exists():
            continue
        doc = json.loads(path.read_text())
        m = doc["machine"]
        parts.append(f"\n## Stage `{stage}`\n\nMachine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, "
                     f"TensorFlow {m['tensorflow']}, Keras {m['keras']}, NumPy {m['numpy']}; automatic precision "
                     f"here: {m['auto_precision']}; {m['date']}. Data: `{doc['data']}`. "
                     f"Command: `{doc['command']}`.\n\n")
        rows = doc["rows"]
        if stage == "accuracy":
            cols = ["model", "setting", "precision", "seed", "epochs", "train_images", "test_accuracy",
                    "test_accuracy_without_tta", "train_seconds", "images_per_second", "peak_memory_mb"]
            parts.append(_table(rows, cols))
            parts.append(_accuracy_summary(rows))
            parts.append("\nEach course-recipe row is reproduced by its command, e.g. "
                         f"`{next(r['command'] for r in rows if r['model'] == 'course_recipe')}`.\n")
        else:
            parts.append(_table(rows, ["loader", "repeat", "train_images", "test_images", "seconds", "peak_memory_mb"]))
            parts.append(_loader_summary(rows))
    return "".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", default=os.environ.get("CIFAR10_ARCHIVE"),
                        help="CIFAR-10 archive (default: $CIFAR10_ARCHIVE)")
    parser.add_argument("--stages", nargs="*", default=list(STAGES), choices=list(STAGES))
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from results/*.json")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, spec = args.measure
        print(json.dumps(MEASURES[kind](json.loads(spec))))
        return 0
    if not args.render:
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
    (HERE / "RESULTS.md").write_text(render())
    print(f"wrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
