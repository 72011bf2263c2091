"""Saving, loading and wrapping trained models (lessons 04 and 05).

The lessons write their models out layer by layer; this module holds only
what several lessons reuse: saving a model with its metadata (lesson 04),
loading it and saying what it was trained on (lesson 05), and flip
test-time augmentation (lesson 04). Every model of the course takes images
``(batch, 32, 32, 3)`` with pixels 0..255 and scales them itself
(``keras.layers.Rescaling(1 / 255)``), and outputs class probabilities
``(batch, 10)`` computed in float32 whatever the dtype policy.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import keras
from keras import layers

from cifar_tutorial import recipe  # noqa: F401  (registers the recipe's loss, so saved models load)
from cifar_tutorial.config import __version__, workspace_dir
from cifar_tutorial.data import CLASS_NAMES, IMAGE_SHAPE

NUM_CLASSES = len(CLASS_NAMES)


def default_models_dir() -> Path:
    """Where lessons save models: ``models/`` of the workspace
    (:func:`cifar_tutorial.config.workspace_dir`: ``$CIFAR_TUTORIAL_HOME/models``,
    else ``<repo>/models``, git-ignored), else ``./models``."""
    return workspace_dir("models") or Path("models")


def save_with_metadata(model: keras.Model, name: str, metadata: dict, models_dir=None):
    """Save ``model`` as ``<models_dir>/<name>.keras`` (Keras 3 format) and
    ``metadata`` beside it as ``<name>.json``.

    Both are written under temporary names and renamed into place, so a
    reader never sees a half-written model. Returns the ``.keras`` path.

    Args:
        metadata: JSON-serialisable facts about the model (data source,
            profile, seed, accuracy); the date and time (``saved``) and the
            package version are added.
    """
    folder = Path(models_dir) if models_dir is not None else default_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path, meta_path = folder / f"{name}.keras", folder / f"{name}.json"
    tmp = folder / f".{name}.tmp.keras"
    model.save(tmp)
    meta_tmp = folder / f".{name}.tmp.json"
    saved = {**metadata, "saved": time.strftime("%Y-%m-%d %H:%M"), "package_version": __version__}
    meta_tmp.write_text(json.dumps(saved, indent=2) + "\n")
    os.replace(tmp, path)
    os.replace(meta_tmp, meta_path)
    return path


def load_with_metadata(name: str, models_dir=None):
    """Load a model saved by :func:`save_with_metadata`.

    Returns:
        ``(model, metadata)``.

    Raises:
        FileNotFoundError: if ``<name>.keras`` or its ``.json`` is missing.
    """
    folder = Path(models_dir) if models_dir is not None else default_models_dir()
    path, meta_path = folder / f"{name}.keras", folder / f"{name}.json"
    if not path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"No saved model {name!r} in {folder}: run lesson 04 to train and save it.")
    return keras.saving.load_model(path), json.loads(meta_path.read_text())


@keras.saving.register_keras_serializable(package="cifar_tutorial")
class HorizontalFlip(layers.Layer):
    """Mirror images left to right, always (unlike ``RandomFlip``, which flips
    at random and only while training). Input and output ``(batch, height,
    width, channels)``, any dtype."""

    def call(self, inputs):
        return keras.ops.flip(inputs, axis=-2)


def with_flip_tta(model: keras.Model, name: str | None = None) -> keras.Model:
    """Wrap ``model`` with horizontal-flip *test-time augmentation*: the
    wrapper predicts each image and its mirror image and averages the two
    probability vectors.

    Training augmentation taught the network that a mirrored horse is still a
    horse, so the two predictions are two views of the same evidence; their
    mean is less noisy (Krizhevsky et al., 2012, "ImageNet Classification with
    Deep Convolutional Neural Networks", section 4.1, averaged ten crops and
    flips). For the course's recipe (:mod:`cifar_tutorial.recipe`) it changed test
    accuracy on the 5,085-image sample by -0.7, +1.3 and +1.4 points over three
    seeds (``benchmarks/results/fast_recipe_trials.jsonl``, trials ``w-lr0.15*``):
    not always a gain, which is why lessons keep it only when the validation set
    says so (:func:`cifar_tutorial.training.choose_flip_tta`). It costs two
    forward passes per image and no training.

    Args:
        model: a trained model mapping ``(batch, 32, 32, 3)`` images to
            ``(batch, 10)`` probabilities; its weights are shared, not copied.
        name: the wrapper's name (default: ``<model.name>_flip_tta``).

    Returns:
        A model with the same input and output shapes, compiled with plain
        cross-entropy and accuracy for
        ``evaluate``; it is for prediction, not training. Its optimizer is
        built, so that it saves and loads in the ``.keras`` format without a
        warning about optimizer variables.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    # float32 whatever the dtype policy: the mirror image is the image, and the mean is a probability.
    mirrored = HorizontalFlip(name="mirror", dtype="float32")(inputs)
    probabilities = layers.Average(name="mean_probabilities", dtype="float32")([model(inputs), model(mirrored)])
    wrapper = keras.Model(inputs, probabilities, name=name or f"{model.name}_flip_tta")
    wrapper.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    wrapper.optimizer.build(wrapper.trainable_variables)
    return wrapper


def without_flip_tta(model: keras.Model) -> keras.Model:
    """The classifier inside a :func:`with_flip_tta` wrapper, or ``model`` itself
    if it is not one. Lesson 06 needs the classifier alone: Grad-CAM follows
    one forward pass, and the wrapper makes two (the image and its mirror)."""
    inner = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if any(isinstance(layer, HorizontalFlip) for layer in model.layers) and len(inner) == 1:
        return inner[0]
    return model


def describe_saved_model(metadata: dict, profile: str | None = None, data: str | None = None) -> str:
    """What a model saved by :func:`save_with_metadata` was trained on, for a
    student to read before trusting its predictions (lesson 05, and the
    README's own-photo recipe).

    Args:
        metadata: the dict :func:`load_with_metadata` returns.
        profile: the profile in force now (``Profile.name``), or ``None`` not to compare.
        data: the data source in force now (``DataSource.description``), or
            ``None`` not to compare.

    Returns:
        One line of facts (variant, profile, training images, epochs, test
        accuracy, date saved), then one plain warning line for each way the
        model differs from the run in force.
    """
    def fact(key, fmt="{}"):
        value = metadata.get(key)
        return "unknown" if value is None else fmt.format(value)

    epochs = metadata.get("epochs")
    lines = [f"Saved model: {fact('variant')}; trained in profile {fact('profile', '{!r}')} on "
             f"{fact('train_images', '{:,}')} images for {fact('epochs')} epoch{'' if epochs == 1 else 's'}; test accuracy "
             f"{fact('test_accuracy', '{:.1%}')}; saved {fact('saved')}."]
    if profile is not None and metadata.get("profile") != profile:
        lines.append(f"Warning: this model was trained in profile {metadata.get('profile')!r}, not in the "
                     f"profile in force ({profile!r}): its accuracy is that profile's, not this one's. Run "
                     "lesson 04 in this profile to replace it.")
    if data is not None and metadata.get("data") != data:
        lines.append(f"Warning: this model was trained on other data ({metadata.get('data')}) than this "
                     f"run's ({data}).")
    return "\n".join(lines)
