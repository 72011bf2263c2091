"""``python -m cifar_tutorial train``: train the course's recipe from the command line.

Instructors use it to pre-train before class; the benchmark and users use it
to reproduce the headline number. The model is lesson 07's final recipe
(:mod:`cifar_tutorial.recipe`), trained on the profile's training images
(split with the lessons' seed, so every ``--seed`` sees the same images),
with flip test-time augmentation kept only if it scores higher on the
validation set (recorded as ``flip_tta`` in the metadata; it is applied at
prediction time by :func:`cifar_tutorial.inference.predict_probabilities`),
and saved as ``.keras`` with its metadata, as lesson 07 saves its model.
"""

from __future__ import annotations

import json
from pathlib import Path

from cifar_tutorial.config import SEED


def train(profile_name: str, *, archive: str | None = None, epochs: int | None = None, seed: int = SEED,
          output: Path | None = None) -> int:
    """Train, evaluate and save; print per-epoch progress, then one line of JSON.

    Args:
        profile_name: a key of :data:`cifar_tutorial.config.PROFILES`: its
            ``train_size`` and ``recipe_epochs`` are used.
        archive: the CIFAR-10 archive (default: the usual search, see
            :func:`cifar_tutorial.data.load_cifar10`).
        epochs: overrides the profile's ``recipe_epochs``.
        seed: seeds weights, augmentation and shuffling (``keras.utils.set_random_seed``).
        output: the ``.keras`` file to write (default:
            ``<models folder>/course_cnn.keras``); the metadata goes beside it
            as ``.json``.

    Returns:
        0 (errors are raised).

    The last line printed is JSON with ``test_accuracy`` (fraction, of the
    saved model), ``test_accuracy_without_tta``, ``train_seconds`` (``fit``
    only), ``epochs``, ``precision`` (the Keras dtype policy), ``seed``,
    ``profile``, ``train_images``, ``peak_memory_mb`` and ``output``.
    """
    from cifar_tutorial import quiet_startup

    quiet_startup()
    import keras

    from cifar_tutorial import data, inference, mixed_precision, models, notebook, recipe, training
    from cifar_tutorial.config import get_profile, workspace_dir

    profile = get_profile(profile_name)
    epochs = epochs or profile.recipe_epochs
    chosen = mixed_precision.set_precision()
    keras.utils.set_random_seed(seed)
    splits = data.prepare_splits(profile.train_size, seed=SEED, path=archive)
    print(notebook.describe_run(profile, splits.info, chosen, details=True))
    print(f"{splits}; recipe: {epochs} epochs, batch {recipe.BATCH_SIZE}, seed {seed}", flush=True)
    run = training.train_recipe(splits, epochs=epochs, batch_size=recipe.BATCH_SIZE, verbose=2)
    choice = inference.choose_flip_tta(run.model, splits.x_val, splits.y_val)
    probabilities = inference.predict_probabilities(run.model, splits.x_test, flip_tta=choice.uses_tta)
    test_accuracy = float((probabilities.argmax(axis=1) == splits.y_test).mean())
    output = Path(output) if output is not None else workspace_dir("models") / "course_cnn.keras"
    if output.suffix != ".keras":
        raise ValueError(f"{output}: the output must end in .keras (the Keras 3 format).")
    metadata = {
        "variant": "course recipe" + (" + flip TTA" if choice.uses_tta else ""),
        "data": splits.info.source.description, "profile": profile.name, "train_images": len(splits.x_train),
        "epochs": run.epochs, "seed": seed, "precision": chosen.policy,
        "best_val_accuracy": run.best_val_accuracy, "flip_tta": choice.uses_tta,
        "test_accuracy": float(test_accuracy), "test_accuracy_without_tta": run.test_accuracy,
        "train_seconds": round(run.seconds, 1), "trained_with": "python -m cifar_tutorial train",
    }
    path = models.save_with_metadata(run.model, output.stem, metadata, models_dir=output.parent)
    print(f"Flip test-time augmentation: validation {choice.val_accuracy:.1%} without, "
          f"{choice.val_accuracy_tta:.1%} with: {'kept' if choice.uses_tta else 'not kept'}.")
    print(f"Saved {path.name} and {path.with_suffix('.json').name} in {path.parent}.")
    print(json.dumps({k: metadata[k] for k in ("test_accuracy", "test_accuracy_without_tta", "train_seconds",
                                                "epochs", "precision", "seed", "profile", "train_images")}
                     | {"peak_memory_mb": _peak_memory_mb(), "output": str(path)}))
    return 0


def _peak_memory_mb() -> float | None:
    """This process's peak resident memory in MB (``ru_maxrss``, KiB on Linux); ``None`` where unknown."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
