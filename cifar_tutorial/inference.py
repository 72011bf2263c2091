"""Using a trained model: probabilities with or without flip test-time augmentation,
the choice between the two, and classifying an image file (lessons 07 and 08).

Test-time augmentation is applied here, at prediction time, rather than baked
into the saved model, so that a saved model stays a plain Keras model; whether
a model uses it is recorded in its metadata (``flip_tta``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np


def predict_probabilities(model: keras.Model, x: np.ndarray, *, flip_tta: bool = False,
                          batch_size: int = 256) -> np.ndarray:
    """Class probabilities for images ``x``, optionally with flip test-time augmentation.

    With ``flip_tta`` the model also predicts each image's mirror image (left
    to right) and the two probability vectors are averaged. Training
    augmentation taught the network that a mirrored horse is still a horse, so
    the two predictions are two views of the same evidence and their mean is
    less noisy (Krizhevsky et al., 2012, "ImageNet Classification with Deep
    Convolutional Neural Networks", section 4.1, averaged ten crops and
    flips). It costs a second forward pass and no training. For the course's
    recipe it changed test accuracy on the 5,085-image sample by -0.7, +1.3
    and +1.4 points over three seeds (``benchmarks/results/fast_recipe_trials.jsonl``,
    trials ``w-lr0.15*``): not always a gain, which is why lessons keep it only
    when the validation set says so (:func:`choose_flip_tta`).

    Args:
        model: maps ``(N, 32, 32, 3)`` images (pixels 0..255) to ``(N, classes)`` probabilities.
        x: the images, ``(N, 32, 32, 3)``, any dtype the model takes.
        flip_tta: whether to average with the mirror images' predictions.
        batch_size: images per forward pass.

    Returns:
        float32 array ``(N, classes)`` (float32 whatever the model computed in,
        so scikit-learn and NumPy read it as usual).
    """
    probabilities = np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)
    if flip_tta:
        mirrored = np.asarray(x)[:, :, ::-1]
        probabilities = (probabilities + np.asarray(model.predict(mirrored, batch_size=batch_size, verbose=0),
                                                     dtype=np.float32)) / 2
    return probabilities


@dataclasses.dataclass(frozen=True)
class FlipTTAChoice:
    """The outcome of :func:`choose_flip_tta`.

    Attributes:
        uses_tta: whether flip test-time augmentation scored higher on the validation set.
        val_accuracy, val_accuracy_tta: validation accuracy (fraction 0..1)
            without and with it.
    """

    uses_tta: bool
    val_accuracy: float
    val_accuracy_tta: float


def choose_flip_tta(model: keras.Model, x_val: np.ndarray, y_val: np.ndarray) -> FlipTTAChoice:
    """Whether to use flip test-time augmentation with ``model``: whichever of
    the two has the higher accuracy on the validation images ``x_val``
    (``(N, 32, 32, 3)``, pixels 0..255) and labels ``y_val`` (``(N,)``), a
    choice like any other, so it is made on validation data, never on the test
    set. Ties keep the plain model. Introduced in lesson 07; lesson 08 reuses it.
    """
    y_val = np.asarray(y_val).reshape(-1)
    plain = float(np.mean(predict_probabilities(model, x_val).argmax(axis=1) == y_val))
    tta = float(np.mean(predict_probabilities(model, x_val, flip_tta=True).argmax(axis=1) == y_val))
    return FlipTTAChoice(tta > plain, plain, tta)


def load_image(path: str | os.PathLike, size: int = 32) -> np.ndarray:
    """Read an image file and turn it into one CIFAR-10-sized input (lesson 08).

    Any format Pillow reads (PNG, JPEG, ...) and any size, read with Keras'
    ``keras.utils.load_img``: the image is converted to RGB (a greyscale image
    gets its grey copied into all three channels; transparency is dropped) and
    resized to ``size`` x ``size`` pixels with Lanczos filtering, ignoring its
    aspect ratio, as CIFAR-10's own 32x32 images are.

    Returns:
        uint8 array ``(size, size, 3)``, pixels 0..255, like the images of
        :func:`cifar_tutorial.data.prepare_splits` (the models scale them).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not an image Pillow can read.
    """
    from PIL import UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file.")
    try:
        image = keras.utils.load_img(path, color_mode="rgb", target_size=(size, size), interpolation="lanczos")
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{path}: not an image file Pillow can read (PNG, JPEG, ...): {err}") from None
    return keras.utils.img_to_array(image, dtype="uint8")


def predict_image(model, path: str | os.PathLike, class_names: Sequence[str], k: int = 3, flip_tta: bool = False):
    """Classify one image file: the ``k`` most probable classes.

    To try your own photo: save it as a PNG or JPEG, then call
    ``predict_image(model, "my_photo.jpg", class_names)`` (lesson 08). It is squeezed to
    32x32 like the training images, so a photo where the object fills the
    frame works best.

    Args:
        model: a trained model taking ``(batch, 32, 32, 3)`` images, pixels 0..255, and
            returning ``(batch, len(class_names))`` probabilities.
        path: the image file (see :func:`load_image` for conversions).
        k: how many classes to return.
        flip_tta: average with the mirror image's prediction (:func:`predict_probabilities`).

    Returns:
        A list of ``(class_name, probability)``, most probable first.

    Raises:
        FileNotFoundError, ValueError: as :func:`load_image`.
    """
    probabilities = predict_probabilities(model, load_image(path)[None], flip_tta=flip_tta)[0]
    top = np.argsort(probabilities)[::-1][:k]
    return [(class_names[i], float(probabilities[i])) for i in top]
