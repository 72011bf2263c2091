"""The data as lessons use it: loading, the standard preprocessing, and the splits.

Lesson 01 introduces each step; :func:`prepare_splits` is those steps in one
call, reused by lessons 02-06. Loading itself lives in the data layer,
:mod:`cifar_tutorial.datasets` (formats, safe reading, fetching); the names
lessons use from it are re-exported here, so a notebook needs only
``from cifar_tutorial import data``.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from cifar_tutorial.datasets import (  # noqa: F401  (re-exported for the lessons)
    CIFAR10,
    CIFAR100,
    CLASS_NAMES,
    IMAGE_SHAPE,
    ArchiveCorruptError,
    ArchiveNotFoundError,
    CIFAR10Error,
    DatasetInfo,
    load_cifar10,
    load_cifar100,
)


def scale_pixels(x: np.ndarray) -> np.ndarray:
    """Map uint8 pixels 0..255 to float32 in [0, 1] (divide by 255).

    Args:
        x: uint8 array of any shape, e.g. ``(N, 32, 32, 3)``.

    Returns:
        float32 array of the same shape.

    Raises:
        TypeError: if ``x`` is not uint8 (scaling twice is a common slip).
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise TypeError(f"scale_pixels expects uint8 pixels 0..255, got dtype {x.dtype}.")
    return x.astype(np.float32) / np.float32(255.0)


def one_hot(y: np.ndarray, num_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """One-hot encode integer labels with :func:`keras.utils.to_categorical`.

    Args:
        y: integer labels of shape ``(N,)`` or ``(N, 1)``, values 0..num_classes-1.

    Returns:
        float32 array of shape ``(N, num_classes)`` with a single 1 per row.
    """
    import keras

    return keras.utils.to_categorical(np.asarray(y).reshape(-1), num_classes).astype(np.float32)


def train_validation_split(x: np.ndarray, y: np.ndarray, validation_split: float = 0.1, seed: int = 0):
    """Hold out a stratified validation set (scikit-learn ``train_test_split``).

    Stratifying keeps each class's share the same in both parts, which matters
    for small subsets.

    Args:
        x: images, shape ``(N, ...)``.
        y: labels, shape ``(N,)``.
        validation_split: fraction of images held out, in (0, 1), as Keras'
            ``fit(validation_split=...)``.
        seed: random state of the shuffle.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``.

    Raises:
        ValueError: from scikit-learn, if a class has fewer than two images or
            the split leaves a part with fewer images than classes.
    """
    from sklearn.model_selection import train_test_split

    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=validation_split, stratify=y, random_state=seed
    )
    return (x_train, y_train), (x_val, y_val)


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int | None, seed: int = 0):
    """Take ``size`` images keeping the class balance (all of them if ``size`` is
    ``None`` or at least ``len(x)``).

    Returns:
        ``(x_subset, y_subset)`` with the same dtypes; order is shuffled unless
        everything is kept, in which case the inputs are returned unchanged.
    """
    if size is None or size >= len(x):
        return x, y
    from sklearn.model_selection import train_test_split

    x_sub, _, y_sub, _ = train_test_split(x, y, train_size=size, stratify=y, random_state=seed)
    return x_sub, y_sub


@dataclasses.dataclass
class Splits:
    """Train, validation and test sets ready for ``fit``.

    Attributes:
        x_train, x_val, x_test: uint8 images ``(N, 32, 32, 3)``, pixels 0..255
            as stored in the archive; the lessons' models scale them with a
            ``keras.layers.Rescaling(1 / 255)`` layer of their own (the keras.io
            convention), so a saved model takes raw images.
        y_train, y_val, y_test: uint8 labels ``(N,)``, 0..9.
        info: the :class:`DatasetInfo` of the loaded archive.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DatasetInfo

    def __str__(self) -> str:
        return (f"train {len(self.x_train):,} / validation {len(self.x_val):,} / "
                f"test {len(self.x_test):,} images")


def prepare_splits(train_size: int | None = None, *, validation_split: float = 0.1, seed: int = 0,
                   path: str | os.PathLike | None = None) -> Splits:
    """Lesson 01's steps in one call (introduced there, reused by lessons 02-05):
    load, subset, split.

    Loads CIFAR-10 (see :func:`load_cifar10`), keeps a stratified subset of
    ``train_size`` training images (all if ``None``) and holds out
    ``validation_split`` of them for validation. Images stay uint8 0..255:
    scaling to [0, 1] is the first layer of every model (``Rescaling``). The
    test set is never subset or touched otherwise.

    Raises:
        The errors of :func:`load_cifar10` and :func:`train_validation_split`.
    """
    (x_train, y_train), (x_test, y_test), info = load_cifar10(path)
    x_train, y_train = stratified_subset(x_train, y_train, train_size, seed=seed)
    (x_train, y_train), (x_val, y_val) = train_validation_split(x_train, y_train, validation_split, seed=seed)
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, info)
