"""Evaluation helpers beyond accuracy: confusions, calibration, top-k, new images.

Counts and scores come from scikit-learn where it has them
(``confusion_matrix``, ``top_k_accuracy_score``, ``classification_report``);
this module adds what it lacks: the most-confused class pairs, the expected
calibration error, and prediction on an image file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def most_confused_pairs(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str], k: int = 5):
    """The ``k`` most frequent mistakes, from scikit-learn's ``confusion_matrix``.

    Args:
        y_true, y_pred: integer labels ``(N,)``.

    Returns:
        A list of ``(true_name, predicted_name, count, fraction_of_true_class)``,
        largest count first, ties in class order; correct predictions (the
        diagonal) are excluded.
    """
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(y_true, y_pred, labels=list(range(len(class_names))))
    mistakes = [(-int(cm[t, p]), t, p) for t in range(len(cm)) for p in range(len(cm)) if t != p and cm[t, p]]
    return [(class_names[t], class_names[p], -neg, float(-neg / cm[t].sum()))
            for neg, t, p in sorted(mistakes)[:k]]


def top_k_accuracy(y_true: np.ndarray, probabilities: np.ndarray, k: int) -> float:
    """Fraction of images whose true class is among the ``k`` most probable
    (scikit-learn's ``top_k_accuracy_score``).

    Args:
        y_true: integer labels ``(N,)``.
        probabilities: ``(N, classes)`` predicted probabilities.
    """
    from sklearn.metrics import top_k_accuracy_score

    return float(top_k_accuracy_score(y_true, probabilities, k=k, labels=np.arange(probabilities.shape[1])))


def calibration_bins(y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 10):
    """Group predictions by confidence, for a reliability diagram.

    The confidence of a prediction is its largest probability. Predictions are
    put in ``n_bins`` equal-width bins of confidence over (0, 1].

    Returns:
        ``(bin_edges, accuracy, confidence, counts)``: edges ``(n_bins + 1,)``;
        per bin the accuracy and mean confidence (NaN for an empty bin) and
        the number of predictions, each ``(n_bins,)``.
    """
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(y_true).reshape(-1)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore"):
        accuracy = np.bincount(index, weights=correct, minlength=n_bins) / counts
        mean_confidence = np.bincount(index, weights=confidence, minlength=n_bins) / counts
    return edges, accuracy, mean_confidence, counts


def expected_calibration_error(y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error (ECE), Guo et al. 2017, "On Calibration of
    Modern Neural Networks", eq. 3: the average over confidence bins of
    ``|accuracy - mean confidence|``, weighted by the fraction of predictions
    in each bin. 0 means confidences match accuracies exactly.

    Args:
        y_true: integer labels ``(N,)``.
        probabilities: ``(N, classes)``, rows summing to 1.
        n_bins: equal-width confidence bins (Guo et al. use 15; 10 is common).
    """
    _, accuracy, confidence, counts = calibration_bins(y_true, probabilities, n_bins)
    used = counts > 0
    return float(np.sum(counts[used] / counts.sum() * np.abs(accuracy[used] - confidence[used])))


def load_image(path: str | os.PathLike, size: int = 32) -> np.ndarray:
    """Read an image file and turn it into one CIFAR-10-sized input.

    Any format Pillow reads (PNG, JPEG, ...) and any size: the image is
    converted to RGB (a greyscale image gets its grey copied into all three
    channels; transparency is dropped) and resized to ``size`` x ``size``
    pixels with Lanczos filtering, ignoring its aspect ratio, as CIFAR-10's
    own 32x32 images are.

    Returns:
        float32 array ``(size, size, 3)`` scaled to [0, 1].

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not an image Pillow can read.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such image file.")
    try:
        with Image.open(path) as image:
            rgb = image.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as err:
        raise ValueError(f"{path}: not an image file Pillow can read (PNG, JPEG, ...): {err}") from None
    return np.asarray(rgb, dtype=np.float32) / np.float32(255.0)


def predict_image(model, path: str | os.PathLike, class_names: Sequence[str], k: int = 3):
    """Classify one image file: the ``k`` most probable classes.

    To try your own photo: save it as a PNG or JPEG, then call
    ``predict_image(model, "my_photo.jpg", class_names)``. It is squeezed to
    32x32 like the training images, so a photo where the object fills the
    frame works best.

    Args:
        model: a trained model taking ``(batch, 32, 32, 3)`` in [0, 1] and
            returning ``(batch, len(class_names))`` probabilities.
        path: the image file (see :func:`load_image` for conversions).

    Returns:
        A list of ``(class_name, probability)``, most probable first.

    Raises:
        FileNotFoundError, ValueError: as :func:`load_image`.
    """
    probabilities = np.asarray(model.predict(load_image(path)[None], verbose=0))[0]
    top = np.argsort(probabilities)[::-1][:k]
    return [(class_names[i], float(probabilities[i])) for i in top]
