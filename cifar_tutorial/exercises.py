"""Check helpers for the exercises at the end of each lesson.

Each ``check_*`` function takes the student's answer (and whatever data it
depends on), works out the right answer itself, and returns a
:class:`Feedback`: ``Correct: ...`` or ``Not yet: <a hint on what is wrong>``.
A check never raises on a wrong answer; it explains. Worked solutions are in
``notebooks/solutions/``, where CI runs them against these checks.

Functions are named ``check_<lesson>_<what>``, in the order of the lesson's
exercises.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import keras
import numpy as np

from cifar_tutorial.data import CLASS_NAMES
from cifar_tutorial.metrics import expected_calibration_error


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The verdict of a check.

    Attributes:
        correct: whether the answer is right.
        message: what was right, or a hint on what is wrong.
    """

    correct: bool
    message: str

    def __str__(self) -> str:
        return f"{'Correct' if self.correct else 'Not yet'}: {self.message}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.correct


def _right(message: str) -> Feedback:
    return Feedback(True, message)


def _hint(message: str) -> Feedback:
    return Feedback(False, message)


def _as_int(answer) -> int | None:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return int(value) if value == int(value) else None


def _all_layers(model: keras.Model) -> list:
    """Every layer of ``model``, descending into nested models."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(_all_layers(layer))
    return found


def _check_parameter_count(answer, expected: int, without_bias: int, what: str) -> Feedback:
    value = _as_int(answer)
    if value is None:
        return _hint(f"give the count as a whole number, not {answer!r}.")
    if value == expected:
        return _right(f"{what} has {expected:,} parameters: weights plus one bias per unit (neuron or filter).")
    if value == without_bias:
        return _hint("that counts the weights only; every unit also has one bias.")
    return _hint(f"{value:,} is not it. Count inputs x units for the weights, plus units for the biases, "
                 "layer by layer, and check against model.summary().")


# ------------------------------------------------------------------ lesson 00
def check_00_parameters(answer) -> Feedback:
    """Exercise 00.1: parameters of lesson 00's digits MLP with a 64-unit
    hidden layer (8x8 = 64 inputs, 10 outputs): 64*64+64 + 64*10+10 = 4,810."""
    return _check_parameter_count(answer, 64 * 64 + 64 + 64 * 10 + 10, 64 * 64 + 64 * 10,
                                  "the 64-unit digits model")


def check_00_by_hand(probabilities, model: keras.Model, x: np.ndarray) -> Feedback:
    """Exercise 00.2: the model's output for the images ``x`` computed by hand
    with NumPy from ``model.get_weights()``.

    Args:
        probabilities: the student's ``(n, 10)`` array.
        model: lesson 00's trained model (Flatten, Dense+ReLU, Dense+softmax).
        x: the images, ``(n, 8, 8)`` float32.
    """
    expected = keras.ops.convert_to_numpy(model.predict(x, verbose=0))
    got = np.asarray(probabilities, dtype=np.float64)
    if got.shape != expected.shape:
        return _hint(f"expected shape {expected.shape} (one row of 10 probabilities per image), got {got.shape}. "
                     "Did you flatten each 8x8 image to 64 numbers?")
    # bfloat16 keeps about 3 significant digits: compare more loosely when the model computed in it.
    tolerance = 3e-2 if model.dtype_policy.compute_dtype == "bfloat16" else 1e-4
    if np.allclose(got, expected, atol=tolerance):
        return _right("your NumPy forward pass matches model.predict: a Dense layer is x @ W + b, "
                      "then its activation.")
    if not np.allclose(got.sum(axis=1), 1.0, atol=1e-3):
        return _hint("each row should sum to 1. Apply the softmax, exp(z) / sum(exp(z)), to the last layer's output.")
    return _hint("the rows are probabilities but differ from model.predict. Check the ReLU on the hidden "
                 "layer (np.maximum(0, z)) and that you used the weights in the order get_weights() returns them: "
                 "hidden kernel, hidden bias, output kernel, output bias.")


def check_00_mistakes(indices: Sequence[int], y_true: np.ndarray, y_pred: np.ndarray) -> Feedback:
    """Exercise 00.3: three distinct indices of misclassified test images
    (all of them if the model made fewer than three mistakes)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    wrong = set(np.flatnonzero(y_true != y_pred).tolist())
    indices = [int(i) for i in indices]
    wanted = min(3, len(wrong))
    if len(set(indices)) != len(indices):
        return _hint("some indices repeat; pick distinct images.")
    if len(indices) != wanted:
        return _hint(f"give {wanted} indices (the model made {len(wrong)} mistakes).")
    right = [i for i in indices if i not in wrong]
    if right:
        return _hint(f"the model got image(s) {right} right. Compare y_pred with y_test: np.flatnonzero(y_pred != y_test).")
    return _right("all of them are mistakes. Look at them: would a person hesitate too?")


# ------------------------------------------------------------------ lesson 01
def check_01_first_ship(index, label_one_hot, y_train: np.ndarray) -> Feedback:
    """Exercise 01.1: the index of the first ``ship`` (label 8) in ``y_train``
    and its one-hot label (10 numbers, a single 1 at position 8)."""
    ship = CLASS_NAMES.index("ship")
    expected = int(np.flatnonzero(np.asarray(y_train) == ship)[0])
    value = _as_int(index)
    if value != expected:
        if value is not None and 0 <= value < len(y_train) and y_train[value] == ship:
            return _hint("that is a ship, but not the first one. np.flatnonzero(y_train == 8)[0] finds the first.")
        return _hint(f"image {index} is not the first ship. Ships have label {ship}: look for it in y_train.")
    one_hot = np.asarray(label_one_hot).reshape(-1)
    if one_hot.shape != (10,) or not np.array_equal(one_hot, np.eye(10)[ship]):
        return _hint(f"the index is right; the one-hot label should be ten numbers with a single 1 at position {ship} "
                     "(data.one_hot or keras.utils.to_categorical).")
    return _right("first ship found, and its one-hot label is right.")


def check_01_channel_mean(mean, x_test: np.ndarray) -> Feedback:
    """Exercise 01.2: the per-channel (red, green, blue) mean of the test
    images on the [0, 1] scale, shape ``(3,)``.

    Args:
        mean: the student's answer.
        x_test: the test images, uint8 ``(N, 32, 32, 3)`` or float in [0, 1].
    """
    x = np.asarray(x_test, dtype=np.float64)
    if np.asarray(x_test).dtype == np.uint8:
        x = x / 255.0
    expected = x.mean(axis=(0, 1, 2))
    got = np.asarray(mean, dtype=np.float64)
    if got.shape != (3,):
        return _hint(f"expected one mean per channel, shape (3,), got shape {got.shape}. "
                     "Average over images, rows and columns: axis=(0, 1, 2).")
    if np.allclose(got, expected * 255, rtol=1e-3):
        return _hint("right, but on the 0-255 scale; divide by 255 (or use the scaled images).")
    if not np.allclose(got, expected, atol=1e-3):
        return _hint("not the test set's channel means. Use the test images, scaled to [0, 1], and axis=(0, 1, 2).")
    return _right("per-channel test means found; compare them with the training means in the lesson.")


def _channel_stats(x: np.ndarray, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and standard deviation of ``(N, ..., C)`` images,
    accumulated in float64 chunk by chunk (no float64 copy of the whole set)."""
    total = np.zeros(x.shape[-1])
    squares = np.zeros(x.shape[-1])
    count = 0
    for start in range(0, len(x), chunk):
        part = np.asarray(x[start:start + chunk], dtype=np.float64).reshape(-1, x.shape[-1])
        total += part.sum(axis=0)
        squares += np.square(part).sum(axis=0)
        count += len(part)
    mean = total / count
    return mean, np.sqrt(np.maximum(squares / count - mean**2, 0.0))


def _used_statistics(x: np.ndarray, z: np.ndarray, images: int = 1000):
    """The per-channel ``(mean, std)`` with which ``z = (x - mean) / std``, read
    back from the first ``images`` images; ``None`` if ``z`` is not such a
    transform of ``x``."""
    x = np.asarray(x[:images], dtype=np.float64).reshape(-1, x.shape[-1])
    z = np.asarray(z[:images], dtype=np.float64).reshape(-1, x.shape[-1])
    z_std = z.std(axis=0)
    if np.any(z_std == 0):
        return None
    std = x.std(axis=0) / z_std
    mean = x.mean(axis=0) - std * z.mean(axis=0)
    if not np.allclose(z, (x - mean) / std, atol=1e-3 * max(1.0, float(np.abs(z).max()))):
        return None
    return mean, std


def _distance(used, reference) -> float:
    """How far statistics ``(mean, std)`` are from ``reference``, relative to its std."""
    (mean, std), (ref_mean, ref_std) = used, reference
    return float(max(np.max(np.abs(mean - ref_mean) / ref_std), np.max(np.abs(std / ref_std - 1))))


def check_01_standardize(x_train_std, x_test_std, x_train: np.ndarray, x_test: np.ndarray) -> Feedback:
    """Exercise 01.3: standardise every channel with the *training* set's mean
    and standard deviation, for both sets.

    The check reads back, from the first 1,000 images, which mean and standard
    deviation each answer used, and compares them with the training and the
    test set's own (tolerance 1% of a standard deviation, which float32
    arithmetic stays well within).

    Args:
        x_train_std, x_test_std: the student's standardised images, shapes
            ``(N, 32, 32, 3)`` and ``(M, 32, 32, 3)``.
        x_train, x_test: the images before standardising (any scale: the
            result of standardising does not depend on it).
    """
    x_train, x_test = np.asarray(x_train), np.asarray(x_test)
    got_train, got_test = np.asarray(x_train_std), np.asarray(x_test_std)
    if got_train.shape != x_train.shape or got_test.shape != x_test.shape:
        return _hint("standardising must keep each set's shape; subtract and divide per channel with broadcasting.")
    train_stats = _channel_stats(x_train)
    used_train = _used_statistics(x_train, got_train)
    if used_train is None or _distance(used_train, train_stats) > 0.01:
        return _hint("the training images should have mean 0 and standard deviation 1 in every channel: "
                     "(x - mean) / std with mean and std over axis=(0, 1, 2).")
    used_test = _used_statistics(x_test, got_test)
    if used_test is None:
        return _hint("the test images are not (x - mean) / std of the test images; use the training mean and std.")
    if _distance(used_test, _channel_stats(x_test)) < _distance(used_test, train_stats):
        return _hint("the test images were standardised with their own statistics. Use the training mean and std: "
                     "a model must treat new images exactly as it treated its training images.")
    if _distance(used_test, train_stats) > 0.01:
        return _hint("the training set is right; standardise the test images with the same training mean and std.")
    return _right("both sets standardised with the training statistics.")


# ------------------------------------------------------------------ lesson 02
def check_02_parameters(answer) -> Feedback:
    """Exercise 02.1: parameters of lesson 02's ``make_mlp((256, 128))``:
    3072*256+256 + 256*128+128 + 128*10+10 = 820,874."""
    return _check_parameter_count(answer, 3072 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10,
                                  3072 * 256 + 256 * 128 + 128 * 10, "make_mlp((256, 128))")


def check_02_accuracy(accuracy, probabilities: np.ndarray, y_test: np.ndarray) -> Feedback:
    """Exercise 02.2: test accuracy computed by hand from the predicted
    probabilities ``(N, 10)`` and the labels ``(N,)``, as a fraction 0..1."""
    y_test = np.asarray(y_test).reshape(-1)
    expected = float(np.mean(np.asarray(probabilities).argmax(axis=1) == y_test))
    try:
        value = float(accuracy)
    except (TypeError, ValueError):
        return _hint(f"give one number, a fraction between 0 and 1, not {type(accuracy).__name__}.")
    if abs(value - 100 * expected) < 1e-6 and expected > 0:
        return _hint("that is a percentage; give the fraction (divide by 100).")
    if abs(value - expected) > 1e-6:
        return _hint("not the share of test images whose most probable class (argmax over axis 1) is the true label.")
    return _right("accuracy is the share of images whose most probable class is the true one; "
                  "it matches model.evaluate.")


def check_02_width_sweep(results: Mapping[tuple, tuple], bigger_always_better) -> Feedback:
    """Exercise 02.3: ``{hidden_units: (parameters, test_accuracy)}`` for at
    least three widths of lesson 02's ``make_mlp``, and the student's answer to
    "is bigger always better here?" (``True`` or ``False``).

    Checks each parameter count (``3072`` inputs, ``10`` outputs), that every
    accuracy is a fraction, and that the answer agrees with the student's own
    results: ``True`` only if test accuracy never fell as the parameter count
    rose. The feedback for a right answer is the same either way, so that it
    does not depend on how a particular run turned out.
    """
    if len(results) < 3:
        return _hint("train at least three widths (for example half, the default and double).")
    for units, (parameters, accuracy) in results.items():
        sizes = (3072, *tuple(units), 10)
        expected = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
        if _as_int(parameters) != expected:
            return _hint(f"hidden units {tuple(units)} give {expected:,} parameters, not {parameters}; "
                         "use model.count_params().")
        if not 0.0 <= float(accuracy) <= 1.0:
            return _hint(f"accuracy {accuracy} for {tuple(units)} is not a fraction between 0 and 1.")
    if not isinstance(bigger_always_better, (bool, np.bool_)):
        return _hint("answer the question with True or False: is bigger always better here?")
    ordered = [float(accuracy) for _, accuracy in sorted(results.values(), key=lambda pair: _as_int(pair[0]))]
    monotone = all(b >= a for a, b in zip(ordered, ordered[1:]))
    if bool(bigger_always_better) != monotone:
        return _hint("read your own table again, sorted by parameters: "
                     + ("accuracy never falls as the network grows." if monotone else
                        "somewhere a larger network scored lower than a smaller one."))
    return _right("parameter counts are right and your answer matches your own results. Before you generalise, "
                  "remember that two runs of one model differ by chance (lesson 04 measures how much).")


# ------------------------------------------------------------------ lesson 03
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)


def _close(got, expected, atol: float = 1e-4) -> bool:
    """``np.allclose``, looser where ``got`` was computed in bfloat16 (about 3 significant
    digits: Keras' ``mixed_bfloat16`` policy, see :mod:`cifar_tutorial.mixed_precision`)."""
    got = keras.ops.convert_to_numpy(got)
    if str(np.asarray(got).dtype) == "bfloat16":
        # bfloat16 keeps 8 significant bits: an error of about 0.4% of the largest value
        # (inputs rounded, then summed over the kernel), whatever the pixels' scale (0..1 or 0..255).
        scale = max(1.0, float(np.max(np.abs(expected))))
        return np.allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-2, atol=3e-2 * scale)
    return np.allclose(np.asarray(got, dtype=np.float64), expected, atol=atol)


def _correlate_same(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """2-D cross-correlation with zero padding ('same'), as Keras' Conv2D computes it."""
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw))
    return np.einsum("ijkl,kl->ij", windows, kernel)


def check_03_sharpen(kernel, filtered, grey: np.ndarray) -> Feedback:
    """Exercise 03.1: the sharpening kernel ``[[0,-1,0],[-1,5,-1],[0,-1,0]]``
    and the result of convolving the grey image with it ('same' padding).

    Args:
        kernel: the student's ``(3, 3)`` kernel.
        filtered: the convolution output, ``(1, 32, 32, 1)`` or ``(32, 32)``.
        grey: the grey input image, ``(1, 32, 32, 1)`` as in the lesson.
    """
    kernel = np.asarray(kernel, dtype=np.float32).reshape(-1)
    if kernel.shape != (9,) or not np.allclose(kernel, SHARPEN.reshape(-1)):
        return _hint("the kernel should be [[0, -1, 0], [-1, 5, -1], [0, -1, 0]].")
    image = np.asarray(grey, dtype=np.float64).reshape(32, 32)
    got = np.asarray(keras.ops.convert_to_numpy(filtered)).squeeze()
    if got.shape == (30, 30):
        return _hint("the output is 30x30: use padding='same' to keep 32x32.")
    if got.shape != (32, 32):
        return _hint(f"expected a 32x32 output, got shape {got.shape}.")
    if not _close(got, _correlate_same(image, SHARPEN)):
        return _hint("the output differs from the sharpening of the grey image. Set the kernel with set_weights "
                     "as the lesson does (shape (3, 3, 1, 1)) and use_bias=False.")
    return _right("the sharpening filter adds the difference between a pixel and its neighbours, so edges "
                  "stand out more.")


def check_03_block2_parameters(answer) -> Feedback:
    """Exercise 03.2: parameters of ``block2_conv1`` in lesson 03's deeper CNN
    (3x3 kernels, 16 input channels, 32 filters): 3*3*16*32 + 32 = 4,640."""
    return _check_parameter_count(answer, 3 * 3 * 16 * 32 + 32, 3 * 3 * 16 * 32, "block2_conv1")


def check_03_small_model(model, max_parameters: int = 100_000) -> Feedback:
    """Exercise 03.3: a CNN of your own design with at most
    ``max_parameters`` parameters: input ``(32, 32, 3)``, output 10
    probabilities, at least two ``Conv2D`` layers."""
    if not isinstance(model, keras.Model):
        return _hint("pass a keras.Model (start it with keras.Input(shape=(32, 32, 3))).")
    if tuple(model.input_shape[1:]) != (32, 32, 3):
        return _hint(f"the input shape is {model.input_shape[1:]}; CIFAR-10 images are (32, 32, 3).")
    if tuple(model.output_shape[1:]) != (10,):
        return _hint(f"the output shape is {model.output_shape[1:]}; end with Dense(10, activation='softmax').")
    convs = [layer for layer in _all_layers(model) if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) < 2:
        return _hint("use at least two Conv2D layers.")
    if model.count_params() > max_parameters:
        return _hint(f"{model.count_params():,} parameters is over {max_parameters:,}. The Dense layer after Flatten "
                     "is usually the largest: pool more, or use GlobalAveragePooling2D.")
    return _right(f"a CNN within {max_parameters:,} parameters. Now train it and compare it with the lesson's models.")


# ------------------------------------------------------------------ lesson 04
def check_04_gap(gap, history: Mapping[str, Sequence[float]]) -> Feedback:
    """Exercise 04.1: the generalization gap after the last epoch: training
    accuracy minus validation accuracy (a fraction, positive when overfitting)."""
    expected = float(history["accuracy"][-1] - history["val_accuracy"][-1])
    try:
        value = float(gap)
    except (TypeError, ValueError):
        return _hint("give one number.")
    if abs(value + expected) < 1e-6 and expected != 0:
        return _hint("the sign is reversed: training accuracy minus validation accuracy.")
    if abs(value - 100 * expected) < 1e-4 and expected != 0:
        return _hint("that is in percentage points; give it as a fraction.")
    if abs(value - expected) > 1e-6:
        return _hint("use the last epoch of history['accuracy'] and history['val_accuracy'] ([-1]).")
    return _right("that is the gap after the last epoch; regularization aims to shrink it.")


def check_04_augmentation(augmentation) -> Feedback:
    """Exercise 04.2: an augmentation model with ``RandomFlip``,
    ``RandomTranslation`` and ``RandomZoom`` that keeps the image shape and
    leaves images unchanged at prediction time."""
    if not isinstance(augmentation, keras.Model):
        return _hint("build a keras.Sequential of preprocessing layers, as lesson 04's `augmentation` is.")
    kinds = {type(layer).__name__ for layer in _all_layers(augmentation)}
    missing = {"RandomFlip", "RandomTranslation", "RandomZoom"} - kinds
    if missing:
        return _hint(f"missing {', '.join(sorted(missing))}.")
    images = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(augmentation(images, training=True))
    if out.shape != images.shape:
        return _hint(f"augmentation changed the shape to {out.shape}; it must keep (32, 32, 3).")
    if not _close(augmentation(images, training=False), images, atol=1e-6):
        return _hint("at prediction time (training=False) augmentation must leave images unchanged.")
    return _right("flip, translation and zoom, active only during training.")


def check_04_callbacks(callbacks: Sequence) -> Feedback:
    """Exercise 04.3: callbacks that stop when validation accuracy has not
    improved for 5 epochs, restore the best weights, and save the best model in
    the ``.keras`` format (lesson 04's step 6 watches validation loss instead)."""
    stops = [c for c in callbacks if isinstance(c, keras.callbacks.EarlyStopping)]
    saves = [c for c in callbacks if isinstance(c, keras.callbacks.ModelCheckpoint)]
    if not stops:
        return _hint("add keras.callbacks.EarlyStopping.")
    stop = stops[0]
    if stop.monitor != "val_accuracy" or stop.patience != 5 or not stop.restore_best_weights:
        return _hint("EarlyStopping should use monitor='val_accuracy', patience=5, restore_best_weights=True.")
    if not saves:
        return _hint("add keras.callbacks.ModelCheckpoint to save the best model.")
    save = saves[0]
    if not str(save.filepath).endswith(".keras"):
        return _hint("Keras 3 saves whole models in the .keras format: end the file name with .keras.")
    if not save.save_best_only or save.monitor != "val_accuracy":
        return _hint("ModelCheckpoint should use save_best_only=True and monitor='val_accuracy'.")
    return _right("early stopping on validation accuracy with the best weights restored, and the best model saved.")


# ------------------------------------------------------------------ lesson 05
def check_05_lowest_recall(class_name: str, y_true: np.ndarray, y_pred: np.ndarray,
                           class_names: Sequence[str] = CLASS_NAMES) -> Feedback:
    """Exercise 05.1: the class with the lowest recall (ties: any of them)."""
    from sklearn.metrics import precision_score, recall_score

    labels = list(range(len(class_names)))
    recall = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    lowest = {class_names[i] for i in np.flatnonzero(recall == recall.min())}
    if class_name in lowest:
        return _right("that class has the lowest recall: the model misses a larger share of its images than of any other class.")
    if class_name not in class_names:
        return _hint(f"{class_name!r} is not a class name; choose from {', '.join(class_names)}.")
    precision = precision_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    if class_name in {class_names[i] for i in np.flatnonzero(precision == precision.min())}:
        return _hint("that class has the lowest *precision*. Recall is per true class: the row of the confusion matrix.")
    return _hint("not the lowest. classification_report lists recall per class; or recall_score(average=None).")


def check_05_ece_bins(ece: Mapping[int, float], y_true: np.ndarray, probabilities: np.ndarray) -> Feedback:
    """Exercise 05.2: ``{5: ece, 20: ece}``, the expected calibration error
    with 5 and with 20 bins (:func:`cifar_tutorial.metrics.expected_calibration_error`)."""
    if set(ece) != {5, 20}:
        return _hint("give a dict with keys 5 and 20, the numbers of bins.")
    for bins, value in ece.items():
        expected = expected_calibration_error(y_true, probabilities, n_bins=bins)
        if abs(float(value) - expected) > 1e-6:
            return _hint(f"the {bins}-bin value differs; call metrics.expected_calibration_error(..., n_bins={bins}).")
    return _right("ECE for both binnings. The difference between them is part of the measurement, "
                  "not of the model: report the number of bins with an ECE.")


_THRESHOLD_RIGHT = ("the model reaches the target accuracy on the images it is at least this confident about "
                    "(or, with None, no threshold reaches it). The rest would go to a person.")


def check_05_confidence_threshold(threshold, y_true: np.ndarray, probabilities: np.ndarray,
                                  target_accuracy: float = 0.9) -> Feedback:
    """Exercise 05.3: a confidence threshold such that the images whose top
    probability is at least ``threshold`` are classified with accuracy of at
    least ``target_accuracy``; ``None`` if no threshold reaches it.

    Args:
        threshold: the student's threshold in [0, 1], or ``None``.
        y_true: labels ``(N,)``.
        probabilities: predicted probabilities ``(N, 10)``.
        target_accuracy: the accuracy asked for on the kept images (fraction).
    """
    probabilities = np.asarray(probabilities)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(y_true).reshape(-1)
    order = np.argsort(-confidence, kind="stable")
    running = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)  # accuracy of the k most confident
    group_ends = np.r_[confidence[order][1:] != confidence[order][:-1], True]  # thresholds keep whole ties
    reachable = bool(np.any(running[group_ends] >= target_accuracy))
    if threshold is None:
        if reachable:
            return _hint("some threshold does reach the target; try the confidences of the test images as candidates.")
        return _right(_THRESHOLD_RIGHT)
    kept = confidence >= float(threshold)
    if not kept.any():
        return _hint("no image is that confident; lower the threshold.")
    if correct[kept].mean() < target_accuracy:
        return _hint(f"images at or above this confidence are right only {correct[kept].mean():.1%} of the time; "
                     f"raise the threshold until that reaches {target_accuracy:.0%}.")
    return _right(_THRESHOLD_RIGHT)


# ------------------------------------------------------------------ lesson 06
def _weight_count(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def check_06_trainable_parameters(answer, model: keras.Model) -> Feedback:
    """Exercise 06.1: how many parameters ``model.fit`` would update in
    ``model`` as it is now (``model.trainable_weights``): after
    ``base.trainable = False`` only the new head's; after
    ``base.trainable = True`` all but batch normalization's moving statistics,
    which are never trained by gradient descent."""
    value = _as_int(answer)
    if value is None:
        return _hint(f"give the count as a whole number, not {answer!r}.")
    trainable = _weight_count(model.trainable_weights)
    frozen = _weight_count(model.non_trainable_weights)
    if value == trainable:
        return _right(f"{trainable:,} trainable, {frozen:,} not: fit updates only model.trainable_weights.")
    if value == trainable + frozen:
        return _hint("that is every parameter, frozen ones included; count model.trainable_weights only.")
    if value == frozen:
        return _hint("that is the part fit leaves alone (model.non_trainable_weights).")
    moving = _weight_count(w for layer in _all_layers(model) if isinstance(layer, keras.layers.BatchNormalization)
                           for w in (layer.moving_mean, layer.moving_variance))
    if moving and value == trainable + moving:
        return _hint("batch normalization's moving mean and variance are never trainable, even in an unfrozen base.")
    return _hint(f"{value:,} is not it. Compare with model.summary(): it lists trainable and non-trainable "
                 "parameters after the total.")


def check_06_grad_cam(heatmap, feature_maps: np.ndarray, gradients: np.ndarray) -> Feedback:
    """Exercise 06.2: Grad-CAM by hand for one image from the ``(h, w, K)``
    feature maps and gradients of ``gradcam.class_activation_gradients``:
    weights = gradients averaged over the positions, map = ReLU of the weighted
    sum of the feature maps, divided by its maximum (Selvaraju et al., 2017)."""
    feature_maps = np.asarray(feature_maps, dtype=np.float64)
    gradients = np.asarray(gradients, dtype=np.float64)
    if feature_maps.ndim == 4:
        return _hint("pass the maps and gradients of one image, shape (h, w, K): index the batch with [i].")
    weights = gradients.mean(axis=(0, 1))
    raw = (feature_maps * weights).sum(axis=-1)

    def scaled(m):
        peak = m.max()
        return m / peak if peak > 0 else np.zeros_like(m)

    expected = scaled(np.maximum(raw, 0))
    try:
        heatmap = np.asarray(heatmap, dtype=np.float64)
    except (TypeError, ValueError):
        return _hint("give the heat map as an array.")
    if heatmap.shape != expected.shape:
        return _hint(f"the heat map should have the feature maps' height and width {expected.shape}, "
                     f"not {heatmap.shape}: sum over the channels (last axis).")
    if np.allclose(heatmap, expected, atol=1e-4):
        return _right("weights from the gradients averaged over positions, a weighted sum of the maps, ReLU, scaled to 1.")
    if np.allclose(heatmap, np.maximum(raw, 0), rtol=1e-4, atol=1e-6):
        return _hint("right map, not yet scaled: divide by its maximum so that it runs from 0 to 1.")
    if np.allclose(heatmap, scaled(np.abs(raw)), atol=1e-4) or heatmap.min() < -1e-6:
        return _hint("keep only the positive evidence: apply a ReLU (np.maximum(map, 0)) before scaling.")
    other = scaled(np.maximum((feature_maps * gradients).sum(axis=-1), 0))
    if np.allclose(heatmap, other, atol=1e-4):
        return _hint("average the gradients over the positions first (axis=(0, 1)): one weight per feature map.")
    return _hint("not the Grad-CAM map: weights = gradients.mean(axis=(0, 1)); map = (feature_maps * weights).sum(-1); "
                 "then ReLU and divide by the maximum.")


def check_06_cifar100_model(model, label_mode: str = "fine") -> Feedback:
    """Exercise 06.3: lesson 03's CNN made for CIFAR-100: input ``(32, 32,
    3)`` scaled by a ``Rescaling`` layer, output ``100`` (``"fine"``) or ``20``
    (``"coarse"``) softmax probabilities."""
    classes = {"fine": 100, "coarse": 20}
    if label_mode not in classes:
        return _hint(f"label_mode is 'fine' (100 classes) or 'coarse' (20 superclasses), not {label_mode!r}.")
    if not isinstance(model, keras.Model):
        return _hint("pass a keras.Model built with lesson 03's make_tutorial_cnn, changed for CIFAR-100.")
    if tuple(model.input_shape[1:]) != (32, 32, 3):
        return _hint(f"the input shape is {model.input_shape[1:]}; CIFAR-100 images are (32, 32, 3), as CIFAR-10's.")
    if not isinstance(model.layers[0], keras.layers.Rescaling):
        return _hint("start with layers.Rescaling(1 / 255): the loader returns pixels 0..255.")
    want = classes[label_mode]
    if tuple(model.output_shape[1:]) != (want,):
        return _hint(f"the output has {model.output_shape[1:]} units; label_mode={label_mode!r} has {want} classes: "
                     f"end with Dense({want}, activation='softmax').")
    if getattr(model.layers[-1].activation, "__name__", "") != "softmax":
        return _hint("end with a softmax, so the outputs are probabilities for sparse_categorical_crossentropy.")
    return _right(f"lesson 03's CNN with {want} outputs: only the last layer depends on the number of classes.")
