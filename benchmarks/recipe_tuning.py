"""The recipe's learning rate and weight decay re-chosen on validation data only (lesson 07).

The recipe (``cifar_tutorial.recipe``) was first assembled in trials scored on the sample's test
images (``fast_recipe_trials.py``). Its ingredients are checked on validation accuracy by the
``recipe_ablation`` study (``studies.py``); this script re-chooses its two numeric optimiser
settings, the peak learning rate and the weight decay, on the **validation** split alone, so that
no setting of the recipe rests on the test set.

Design, fixed before the runs:

* Regime: the recipe as lesson 07 trains it in the class profile (the sample's 4,576 training
  images, 8 epochs, batch 128, float32), scored by validation accuracy at the last epoch in
  inference mode on the lessons' 509-image validation split. The test set is not used.
* Grid: peak learning rate 0.05, 0.15 (the recipe's) and 0.4 at weight decay 5e-4; weight decay
  5e-5 and 5e-3 at peak learning rate 0.15 (one setting changed at a time, as in the ablation).
* Seeds 2001-2003, not those of the studies (1001-1005), so the choice does not reuse the runs
  that judge the recipe afterwards.
* Rule: the recipe keeps its setting unless another value beats it by the course's rule
  (``metrics.paired_difference``, Student's t 95% interval of the mean paired difference over the
  seeds, excluding zero); then the best such value would replace it, and the ablation study would
  be run again.

Writes ``cifar_tutorial/studies/recipe_tuning.json``, package data that lesson 07 prints (every
run, per setting its mean and the paired difference from the recipe's, the decision, machine,
versions, date, command)::

    python benchmarks/recipe_tuning.py --archive ../shared/data/cifar-10-sample-python.tar.gz
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("CIFAR_TUTORIAL_PRECISION", "float32")

import cifar_tutorial  # noqa: E402

cifar_tutorial.quiet_startup()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from cifar_tutorial import data, machine, metrics, mixed_precision, recipe  # noqa: E402
from cifar_tutorial.config import SEED  # noqa: E402

RESULTS = Path(__file__).resolve().parents[1] / "cifar_tutorial" / "studies" / "recipe_tuning.json"
SEEDS = (2001, 2002, 2003)
EPOCHS = 8  # the class profile's recipe_epochs
CURRENT = {"peak_learning_rate": recipe.PEAK_LEARNING_RATE, "weight_decay": recipe.WEIGHT_DECAY}
GRID = [CURRENT,
        {**CURRENT, "peak_learning_rate": 0.05}, {**CURRENT, "peak_learning_rate": 0.4},
        {**CURRENT, "weight_decay": 5e-5}, {**CURRENT, "weight_decay": 5e-3}]


def name_of(setting: dict) -> str:
    return f"peak learning rate {setting['peak_learning_rate']:g}, weight decay {setting['weight_decay']:g}"


def run_once(setting, seed, x_train, y_train, x_val, y_val):
    keras.utils.set_random_seed(seed)
    model = recipe.make_model(x_train)
    recipe.compile_model(model, epochs=EPOCHS, steps_per_epoch=recipe.steps_per_epoch(len(x_train), recipe.BATCH_SIZE),
                         **setting)
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=recipe.BATCH_SIZE, verbose=0)
    seconds = time.perf_counter() - start
    return {"setting": name_of(setting), **setting, "seed": seed, "seconds": round(seconds, 1),
            "val_accuracy": float(model.evaluate(x_val, y_val, verbose=0)[1])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", required=True)
    args = parser.parse_args(argv)
    chosen = mixed_precision.set_precision()
    splits = data.prepare_splits(None, seed=SEED, path=args.archive)
    started = time.perf_counter()
    runs = []
    for seed in SEEDS:
        for setting in GRID:
            row = run_once(setting, seed, splits.x_train, splits.y_train, splits.x_val, splits.y_val)
            runs.append(row)
            print(f"seed {seed} {row['setting']:<45} val {row['val_accuracy']:.1%} in {row['seconds']:.0f} s", flush=True)
    scores = {name_of(s): [r["val_accuracy"] for r in sorted(runs, key=lambda r: r["seed"]) if r["setting"] == name_of(s)]
              for s in GRID}
    reference = name_of(CURRENT)
    summary, winners = {}, []
    for setting in GRID:
        name = name_of(setting)
        mean, low, high = metrics.mean_interval(scores[name])
        entry = {"val_accuracy": {"mean": mean, "low": low, "high": high}}
        if name != reference:
            diff = metrics.paired_difference(scores[reference], scores[name])
            entry["difference_from_recipe"] = {"mean": diff.mean, "low": diff.low, "high": diff.high,
                                               "verdict": diff.verdict, "text": str(diff)}
            if diff.verdict == "better":
                winners.append((diff.mean, name))
        summary[name] = entry
    decision = (f"keep the recipe's setting ({reference}): no other value beat it by the rule"
                if not winners else f"replace the recipe's setting by {max(winners)[1]}")
    result = {
        "kind": "tuning", "lesson": "07",
        "question": "Does another peak learning rate or weight decay beat the recipe's, on validation accuracy "
                    "over three fresh seeds?",
        "regime_from": f"the recipe as lesson 07 trains it in the class profile ({len(splits.x_train):,} training "
                       f"images, {EPOCHS} epochs, batch {recipe.BATCH_SIZE})",
        "what": "the recipe's peak learning rate and weight decay re-chosen on validation accuracy only",
        "regime": {"train_images": len(splits.x_train), "epochs": EPOCHS, "batch_size": recipe.BATCH_SIZE},
        "seeds": list(SEEDS), "validation_images": len(splits.x_val),
        "measure": "validation accuracy at the last epoch, inference mode (the test set is not used)",
        "rule": "keep the recipe's value unless another beats it: cifar_tutorial.metrics.paired_difference "
                "(mean paired difference over seeds, Student's t 95% interval) excluding zero",
        "data": splits.info.source.description, "precision": chosen.policy, "machine": machine.summary(),
        "date": datetime.date.today().isoformat(), "minutes": round((time.perf_counter() - started) / 60, 1),
        "command": f"python benchmarks/recipe_tuning.py --archive {Path(args.archive).name}",
        "summary": summary, "decision": decision, "runs": runs,
    }
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(RESULTS)
    for name, entry in summary.items():
        print(f"{name:<45} validation {entry['val_accuracy']['mean']:.1%}  "
              + entry.get("difference_from_recipe", {}).get("text", "(the recipe's)"))
    print(decision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
