"""Why lesson 07's live recipe run falls below the study's five: its seed, or its procedure?

Trains the recipe four times on the sample (float32): the study's trainer
(``studies.train_recipe_variant``, one ``fit`` of 8 epochs) and lesson 07's procedure (the same
model and compile, fitted in two calls of half the epochs each, ``initial_epoch``), both in the
stored study's regime (8 epochs, batch 128), each with the study's first seed (1001) and the lessons' seed (``cifar_tutorial.SEED``, 42). If the two procedures agree
for each seed, and the study's seed-1001 run matches the stored study, the live run's place
outside the study's range is its seed's draw, not a difference between lesson and study.

    python benchmarks/recipe_seed_check.py --archive ../shared/data/cifar-10-sample-python.tar.gz

Writes ``cifar_tutorial/studies/recipe_seed_check.json``, package data that lesson 07 prints (about
3 minutes on a 2-core CPU).
"""
import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import studies  # noqa: E402  (benchmarks/studies.py: the study's trainer)
import keras  # noqa: E402

from cifar_tutorial import SEED, data, machine, mixed_precision, recipe  # noqa: E402


def lesson_procedure(splits, seed, *, epochs, batch_size):
    """Lesson 07's cells 7-11: the recipe fitted in two calls; validation accuracy in inference mode."""
    keras.utils.set_random_seed(seed)
    model = recipe.make_model(splits.x_train)
    recipe.compile_model(model, epochs=epochs, steps_per_epoch=recipe.steps_per_epoch(len(splits.x_train), batch_size))
    fit = dict(validation_data=(splits.x_val, splits.y_val), batch_size=batch_size, verbose=0)
    model.fit(splits.x_train, splits.y_train, epochs=epochs // 2, **fit)
    model.fit(splits.x_train, splits.y_train, initial_epoch=epochs // 2, epochs=epochs, **fit)
    return float(model.evaluate(splits.x_val, splits.y_val, verbose=0)[1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", default=os.environ.get("CIFAR10_ARCHIVE"), help="CIFAR-10 archive")
    parser.add_argument("--out", type=Path, default=HERE.parent / "cifar_tutorial" / "studies" / "recipe_seed_check.json")
    args = parser.parse_args(argv)
    if not args.archive:
        parser.error("no archive: pass --archive PATH or set CIFAR10_ARCHIVE")
    mixed_precision.set_precision("float32")
    splits = data.prepare_splits(None, seed=SEED, path=args.archive)
    stored = json.loads((studies.PACKAGE_RESULTS / "recipe_ablation.json").read_text())
    stored_runs = {r["seed"]: r["val_accuracy"] for r in stored["runs"] if r["variant"] == "recipe"}
    regime = {"epochs": stored["regime"]["epochs"], "batch_size": stored["regime"]["batch_size"]}
    rows = []
    for seed in (studies.SEEDS[0], SEED):
        study_run = studies.train_recipe_variant("recipe", seed, splits.x_train, splits.y_train,
                                                 splits.x_val, splits.y_val, **regime)
        row = {"seed": seed, "study_trainer_val_accuracy": study_run["val_accuracy"],
               "lesson_procedure_val_accuracy": lesson_procedure(splits, seed, **regime),
               "stored_study_val_accuracy": stored_runs.get(seed)}
        print(row, flush=True)
        rows.append(row)
    result = {"kind": "seed_check", "lesson": "07", "question": __doc__.splitlines()[0],
              "regime_from": f"the stored recipe_ablation study's regime ({len(splits.x_train):,} training images, "
                             f"{regime['epochs']} epochs, batch {regime['batch_size']})",
              "machine": machine.summary(), "precision": "float32",
              "study_machine": stored["machine"], "data": Path(args.archive).name,
              "command": f"python benchmarks/recipe_seed_check.py --archive {Path(args.archive).name}", "runs": rows,
              "stored_study_range": [min(stored_runs.values()), max(stored_runs.values())]}
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(args.out)


if __name__ == "__main__":
    main()
