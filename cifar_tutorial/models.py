"""Saving and loading trained models with their metadata (lessons 05 to 11).

The lessons write their models out layer by layer; this module holds only
what several lessons reuse: saving a model with a JSON file of facts about it
(lessons 05 and 07), loading both back and saying what the model was trained on
(lessons 08 and 11). A saved file is plain Keras: architecture and weights,
no training configuration, so ``keras.saving.load_model`` reads it in a
project that has never heard of this course. Every model of the course takes
images ``(batch, 32, 32, 3)`` with pixels 0..255 and scales them itself
(``keras.layers.Rescaling(1 / 255)``), and outputs class probabilities.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import keras

from cifar_tutorial.config import __version__, workspace_dir
from cifar_tutorial.datasets import atomic_write


class SavedModelError(Exception):
    """A saved model or its metadata file exists but cannot be read (truncated,
    corrupt, or not what :func:`save_with_metadata` writes)."""


def _folder(models_dir) -> Path:
    return Path(models_dir) if models_dir is not None else workspace_dir("models")


def save_with_metadata(model: keras.Model, name: str, metadata: dict, models_dir=None) -> Path:
    """Save ``model`` as ``<models_dir>/<name>.keras`` and ``metadata`` beside it as ``<name>.json``.

    What is saved is the architecture and the weights (batch-norm statistics
    included), not the optimizer or the loss: the file then loads with
    ``keras.saving.load_model`` and Keras alone, whatever custom loss trained
    it. Both files are written under temporary names and renamed into place
    (:func:`cifar_tutorial.datasets.atomic_write`), so a reader never sees a
    half-written model.

    Args:
        model: a built ``Sequential`` or Functional model.
        name: the file name without suffix, e.g. ``"07_best"``.
        metadata: JSON-serialisable facts about the model (data source,
            profile, seed, accuracy, ``flip_tta``); the date and time
            (``saved``) and the package version are added.
        models_dir: the folder (default: the workspace's ``models/``,
            :func:`cifar_tutorial.config.workspace_dir`).

    Returns:
        The ``.keras`` path.

    Raises:
        OSError: the folder is not writable or the disk is full (nothing is left behind).
    """
    folder = _folder(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    plain = type(model).from_config(model.get_config())  # the same layers, uncompiled (no loss, no optimizer)
    plain.set_weights(model.get_weights())
    saved = {**metadata, "saved": time.strftime("%Y-%m-%d %H:%M"), "package_version": __version__}
    path = folder / f"{name}.keras"
    with atomic_write(path) as model_tmp, atomic_write(path.with_suffix(".json")) as meta_tmp:
        plain.save(model_tmp)
        meta_tmp.write_text(json.dumps(saved, indent=2) + "\n")
    return path


def load_with_metadata(name: str, models_dir=None) -> tuple[keras.Model, dict]:
    """Load a model saved by :func:`save_with_metadata`, and its metadata.

    Returns:
        ``(model, metadata)``: the model is not compiled (``predict`` works;
        compile it to train or ``evaluate``), the metadata a dict.

    Raises:
        FileNotFoundError: ``<name>.keras`` or its ``.json`` is missing; the
            message says which lesson saves it (the name's first two digits, e.g.
            ``"10_transfer"``: lesson 10).
        SavedModelError: either file exists but cannot be read; the message
            names the file and the fix.
    """
    folder = _folder(models_dir)
    path, meta_path = folder / f"{name}.keras", folder / f"{name}.json"
    lesson = name[:2] if name[:2].isdigit() else "07"  # "07_best" is saved by lesson 07, "10_transfer" by 08
    if not path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"No saved model {name!r} in {folder}: run lesson {lesson} to train and save it.")
    fix = (f"Fix: delete {path.name} and {meta_path.name}, then run lesson {lesson} again "
           "(or `python -m cifar_tutorial prepare --pretrain`).")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        if not isinstance(metadata, dict):
            raise ValueError(f"expected a JSON object, found {type(metadata).__name__}")
    except (ValueError, UnicodeDecodeError) as err:
        raise SavedModelError(f"{meta_path}: the metadata file is damaged ({err}). {fix}") from None
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as err:  # Keras raises ValueError, OSError, zipfile.BadZipFile, KeyError ... for damage
        raise SavedModelError(f"{path}: the model file is damaged or not a .keras file "
                              f"({type(err).__name__}). {fix}") from None
    return model, metadata


def describe_saved_model(metadata: dict, profile: str | None = None, data: str | None = None) -> str:
    """What a model saved by :func:`save_with_metadata` was trained on, for a
    student to read before trusting its predictions (lesson 08, and the
    README's own-photo recipe).

    Args:
        metadata: the dict :func:`load_with_metadata` returns.
        profile: the profile in force now (``Profile.name``), or ``None`` not to compare.
        data: the data source in force now (``DataSource.description``), or
            ``None`` not to compare.

    Returns:
        One line of facts (variant, profile, training images, epochs or steps, test
        accuracy where the metadata has one, date saved), then one plain warning line for each way the
        model differs from the run in force.
    """
    def fact(key, fmt="{}"):
        value = metadata.get(key)
        return "unknown" if value is None else fmt.format(value)

    epochs = metadata.get("epochs")
    tested = "" if metadata.get("test_accuracy") is None else f"; test accuracy {fact('test_accuracy', '{:.1%}')}"
    length = (f"{fact('steps', '{:,}')} steps" if metadata.get("steps") is not None  # lesson 10 counts steps
              else f"{fact('epochs')} epoch{'' if epochs == 1 else 's'}")
    lines = [f"Saved model: {fact('variant')}; trained in profile {fact('profile', '{!r}')} on "
             f"{fact('train_images', '{:,}')} images for {length}"
             f"{tested}; saved {fact('saved')}."]
    if profile is not None and metadata.get("profile") != profile:
        lines.append(f"Warning: this model was trained in profile {metadata.get('profile')!r}, not in the "
                     f"profile in force ({profile!r}): its accuracy is that profile's, not this one's. Run "
                     "lesson 07 in this profile to replace it.")
    if data is not None and metadata.get("data") != data:
        lines.append(f"Warning: this model was trained on other data ({metadata.get('data')}) than this "
                     f"run's ({data}).")
    return "\n".join(lines)
