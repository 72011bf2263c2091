"""Seconds per epoch of the ``full`` profile on an archive in the official layout at full size.

The ``full`` profile trains on every image: 45,000 after the validation split of the official
archive. This script builds an archive in that layout from the sample's real images tiled to the
official sizes (``cnn_benchmark.tiled_archive``; timing only), then times two epochs of lesson 05's
baseline (the TensorFlow tutorial's CNN, at the profile's batch size) and of the course's recipe
(at its batch size of 128), and keeps the second epoch (the first includes graph building). It
writes ``benchmarks/results/full_profile_epoch_seconds.json``.

    python benchmarks/full_profile_epoch_seconds.py --archive ../shared/data/cifar-10-sample-python.tar.gz
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
from pathlib import Path

from cnn_benchmark import tiled_archive

RESULTS = Path(__file__).resolve().parent / "results" / "full_profile_epoch_seconds.json"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", required=True)
    parser.add_argument("--precision", default="float32")
    args = parser.parse_args(argv)
    os.environ["CIFAR_TUTORIAL_PRECISION"] = args.precision  # this script's own process

    import cifar_tutorial

    cifar_tutorial.quiet_startup()
    import keras
    from keras import layers

    from cifar_tutorial import data, machine, mixed_precision, recipe, training
    from cifar_tutorial.config import SEED, get_profile

    profile = get_profile("full")
    chosen = mixed_precision.set_precision()
    with tempfile.TemporaryDirectory(prefix="full-epochs-") as folder:
        splits = data.prepare_splits(profile.train_size, seed=SEED, path=tiled_archive(args.archive, Path(folder)))
    keras.utils.set_random_seed(SEED)
    baseline = keras.Sequential([
        keras.Input((32, 32, 3)), layers.Rescaling(1 / 255),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"), layers.Flatten(),
        layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax"),
    ])
    baseline.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    course_cnn = recipe.compile_model(recipe.make_model(splits.x_train), epochs=2,
                                      steps_per_epoch=recipe.steps_per_epoch(len(splits.x_train), recipe.BATCH_SIZE))
    rows = {}
    for name, model, batch_size, epochs in (("lesson 05 baseline", baseline, profile.batch_size, profile.epochs),
                                            ("course recipe", course_cnn, recipe.BATCH_SIZE, profile.recipe_epochs)):
        timer = training.EpochTimer()
        model.fit(splits.x_train, splits.y_train, validation_data=(splits.x_val, splits.y_val), epochs=2,
                  batch_size=batch_size, callbacks=[timer], verbose=0)
        rows[name] = {"batch_size": batch_size, "epoch_seconds": [round(s, 1) for s in timer.seconds],
                      "seconds_per_epoch": round(timer.seconds[-1], 1), "profile_epochs": epochs,
                      "estimated_minutes": round(timer.seconds[-1] * epochs / 60, 1)}
        print(f"{name}: {timer.seconds[-1]:.1f} s per epoch on {len(splits.x_train):,} images "
              f"(x {epochs} epochs of the full profile: about {timer.seconds[-1] * epochs / 60:.0f} min)", flush=True)
    report = {"what": "seconds per epoch (training and validation) of the full profile on an archive in the official "
                      "layout at full size (the sample's real images tiled; timing only), second of two epochs",
              "train_images": len(splits.x_train), "validation_images": len(splits.x_val),
              "precision": chosen.policy, "machine": machine.summary(), "date": datetime.date.today().isoformat(),
              "command": f"python benchmarks/full_profile_epoch_seconds.py --archive {Path(args.archive).name}",
              "models": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
