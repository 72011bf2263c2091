"""Run-length profiles and the few settings the whole series shares.

A *profile* fixes how long a lesson runs. It is chosen with the
``CIFAR_TUTORIAL_PROFILE`` environment variable (or the runner's ``--profile``
option) and read by each notebook's ``parameters`` cell:

* ``smoke`` -- CI: a few hundred images and one epoch, seconds per notebook.
* ``class`` -- live teaching: each training cell about a minute or less on a
  2-core laptop CPU.
* ``full``  -- the whole data set and enough epochs to converge.

The numbers below were chosen from timings taken on a 2-core CPU (the README's
"Profiles" section and its timing tables); a lesson may scale them, but reads them
from here.

This module is the one place for three facts every part of the package
needs: the profile in force (:func:`profile_name`, with its environment
fallback), where the course writes its files (:func:`workspace_dir`), and
the course's address and version. It imports nothing but the standard
library, so the data layer and the tools can use it without TensorFlow.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from pathlib import Path

try:
    __version__ = importlib.metadata.version("cifar-tutorial")
except importlib.metadata.PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
PROFILE_ENV = "CIFAR_TUTORIAL_PROFILE"
# Moves the folders the course writes (models/, build/, and data/ unless
# CIFAR10_DATA_DIR is set) out of the checkout; the tests point it at a
# temporary folder so that they never touch a user's trained models.
HOME_ENV = "CIFAR_TUTORIAL_HOME"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = "class"
SEED = 42
# The course's public repository (also in pyproject.toml): the notebooks' "Open in
# Colab" and "launch Binder" links, and their install cell, point here.
REPOSITORY = "cifar-tutorial/cifar-tutorial"
BRANCH = "main"


@dataclasses.dataclass(frozen=True)
class Profile:
    """The knobs that change how long a lesson runs.

    Attributes:
        name: ``"smoke"``, ``"class"`` or ``"full"``.
        train_size: number of training images used (before the validation
            split); ``None`` means every image the archive holds.
        epochs: passes over the training images in each ``fit`` call.
        batch_size: images per gradient step.
        recipe_epochs: epochs of the course's recipe (:mod:`cifar_tutorial.recipe`,
            lesson 07's final model and ``python -m cifar_tutorial train``),
            which trains at its own batch size.
    """

    name: str
    train_size: int | None
    epochs: int
    batch_size: int
    recipe_epochs: int

    def __str__(self) -> str:
        size = "all" if self.train_size is None else f"{self.train_size:,}"
        return (
            f"profile {self.name!r}: train_size={size}, "
            f"epochs={self.epochs}, batch_size={self.batch_size}, recipe_epochs={self.recipe_epochs}"
        )


PROFILES = {
    "smoke": Profile("smoke", train_size=500, epochs=1, batch_size=128, recipe_epochs=1),
    # Every image of the archive, so that the validation set has at least 500 images
    # (509 of the 5,085-image sample) and the baseline of lesson 05 overfits clearly.
    # Measured in float32 on a 2-core AMD EPYC (2026-11-23, sample, seed 42): the
    # TensorFlow-tutorial CNN took 47 s for 20 epochs at batch 32 (train 84.5%,
    # validation 48.1%), its batch-norm variant 56 s. At 14 epochs lesson 05's cells took
    # 31 to 58 s from one run to the next (batch norm 4.2 s per epoch) and the recipe
    # 46 to 59 s for 9 epochs: 12 and 8 epochs keep a margin under one minute. The recipe
    # took 43.5 s for 8 epochs (64.5% test; benchmarks/results/fast_recipe_trials.jsonl,
    # trial class-f32-all-e8).
    # train_size: as many training images as the 5,085-image sample holds, so that a student with the
    # official 50,000-image archive trains on the same number (a stratified subset) as the stored
    # outputs did, in the same time per epoch; the test set is the archive's own, whole.
    "class": Profile("class", train_size=5_085, epochs=12, batch_size=32, recipe_epochs=8),
    # recipe_epochs: on the 5,085-image sample, in bfloat16 on a 2-core AMD EPYC
    # (2026-11-24, seeds 42, 7 and 2026; benchmarks/results/recipe_trials.jsonl), with the
    # recipe's whole-pixel shifts 14 epochs gave 73.6, 72.0 and 73.7% test accuracy in
    # 45.6, 43.8 and 40.4 s (trials nearest-*). With the bilinear shifts used before, 14
    # epochs gave 72.0, 68.8 and 70.9% and 20 epochs 71.1, 73.8 and 72.7% (74 to 83 s).
    # Times depend on the machine's state: the same 14-epoch run took 46.7 s at 00:52 and
    # 58.3 s at 01:46, which is why 14 epochs, not more, under the 60 s.
    "full": Profile("full", train_size=None, epochs=28, batch_size=128, recipe_epochs=14),
}


def profile_name(name: str | None = None) -> str:
    """The profile in force: ``name``, else ``$CIFAR_TUTORIAL_PROFILE`` (whitespace
    stripped), else ``"class"``. The one place that reads the variable.

    Raises:
        ValueError: if the result is not a key of :data:`PROFILES`, naming the
            variable and the choices.
    """
    if name is None:
        name = os.environ.get(PROFILE_ENV, "").strip() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ValueError(
            f"Unknown profile {name!r} (from the argument or {PROFILE_ENV}); "
            f"choose one of {', '.join(PROFILES)}."
        )
    return name


def get_profile(
    name: str | None = None,
    *,
    train_size: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
) -> Profile:
    """Return the profile ``name``, with any given knob overridden (introduced in lesson 00).

    Args:
        name: a key of :data:`PROFILES`; ``None`` reads the
            ``CIFAR_TUTORIAL_PROFILE`` environment variable and falls back to
            ``"class"`` (:func:`profile_name`).
        train_size, epochs, batch_size: overrides; ``None`` keeps the
            profile's own value.

    Raises:
        ValueError: if the name is not a known profile or an override is not
            a positive integer.
    """
    name = profile_name(name)
    overrides = {
        key: value
        for key, value in {"train_size": train_size, "epochs": epochs, "batch_size": batch_size}.items()
        if value is not None
    }
    for key, value in overrides.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}.")
    return dataclasses.replace(PROFILES[name], **overrides)


def in_checkout() -> bool:
    """Whether the package runs from a checkout of this repository (not an installed copy)."""
    return (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "notebooks").is_dir()


def workspace_dir(name: str, outside: Path | None = None) -> Path:
    """The folder ``name`` (``"models"``, ``"build"``, ``"data"``) the course writes into.

    ``$CIFAR_TUTORIAL_HOME/<name>`` when that variable is set (the tests set
    it to a temporary folder); else ``<repo>/<name>`` when the package runs
    from a checkout (git-ignored); else ``outside`` if given (the data layer
    passes the Keras cache), else ``./<name>``. The one place that decides
    where the course's own files go.
    """
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        return Path(home).expanduser() / name
    if in_checkout():
        return REPO_ROOT / name
    return outside if outside is not None else Path(name)
