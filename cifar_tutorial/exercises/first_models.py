"""Checks for the exercises of lessons 00 (Keras basics), 01 (exploring CIFAR-10) and 02 (the MLP)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np

from cifar_tutorial.datasets import CLASS_NAMES
from cifar_tutorial.exercises.feedback import Feedback, as_int, check_parameter_count, hint, right


def check_00_parameters(answer) -> Feedback:
    """Exercise 00.1: parameters of lesson 00's digits MLP with a 64-unit
    hidden layer (8x8 = 64 inputs, 10 outputs), counted as the lesson does: each
    ``Dense`` layer has inputs x units weights plus one bias per unit. ``answer``:
    an integer. The expected count is not written here, so that ``help()`` does not
    give the exercise away; the feedback says whether the biases were left out."""
    return check_parameter_count(answer, 64 * 64 + 64 + 64 * 10 + 10, 64 * 64 + 64 * 10,
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
        return hint(f"expected shape {expected.shape} (one row of 10 probabilities per image), got {got.shape}. "
                     "Did you flatten each 8x8 image to 64 numbers?")
    # bfloat16 keeps about 3 significant digits: compare more loosely when the model computed in it.
    tolerance = 3e-2 if model.dtype_policy.compute_dtype == "bfloat16" else 1e-4
    if np.allclose(got, expected, atol=tolerance):
        return right("your NumPy forward pass matches model.predict: a Dense layer is x @ W + b, "
                      "then its activation.")
    if not np.allclose(got.sum(axis=1), 1.0, atol=1e-3):
        return hint("each row should sum to 1. Apply the softmax, exp(z) / sum(exp(z)), to the last layer's output.")
    return hint("the rows are probabilities but differ from model.predict. Check the ReLU on the hidden "
                 "layer (np.maximum(0, z)) and that you used the weights in the order get_weights() returns them: "
                 "hidden kernel, hidden bias, output kernel, output bias.")


def check_00_mistakes(indices: Sequence[int], y_true: np.ndarray, probabilities: np.ndarray) -> Feedback:
    """Exercise 00.3: the indices of the model's three most confident mistakes:
    the misclassified test images whose predicted (wrong) class got the highest
    probability (all of them if the model made fewer than three mistakes).

    Args:
        indices: the student's indices into the test set, in any order.
        y_true: ``(n,)`` integer labels.
        probabilities: ``(n, classes)`` float, ``model.predict``'s output.

    Raises:
        ValueError: ``probabilities`` is not 2-D with one row per label.
    """
    y_true, probabilities = np.asarray(y_true), np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or len(probabilities) != len(y_true):
        raise ValueError(f"probabilities must be (n, classes) with n = {len(y_true)} rows, got shape {probabilities.shape}")
    y_pred, confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
    wrong = np.flatnonzero(y_true != y_pred)
    wrong_set = set(wrong.tolist())
    indices = [int(i) for i in indices]
    wanted = min(3, len(wrong))
    if len(set(indices)) != len(indices):
        return hint("some indices repeat; pick distinct images.")
    if len(indices) != wanted:
        return hint(f"give {wanted} indices (the model made {len(wrong)} mistakes).")
    not_mistakes = [i for i in indices if i not in wrong_set]
    if not_mistakes:
        return hint(f"the model got image(s) {not_mistakes} right. Compare the predictions with y_test: "
                    "np.flatnonzero(probabilities.argmax(axis=1) != y_test).")
    threshold = np.sort(confidence[wrong])[::-1][wanted - 1]  # the third-highest confidence among the mistakes
    if any(confidence[i] < threshold for i in indices):
        return hint("all are mistakes, but not the most confident ones: sort the mistakes by the probability of "
                    "their predicted class, probabilities.max(axis=1), highest first (np.argsort).")
    return right("these are the mistakes the model was surest of. A confident mistake slips past an 'ask a person "
                 "when unsure' rule; would you have read these digits right?")


def check_01_first_ship(index, label_one_hot, y_train: np.ndarray) -> Feedback:
    """Exercise 01.1: the index of the first ``ship`` (label 8) in ``y_train``
    and its one-hot label (10 numbers, a single 1 at position 8)."""
    ship = CLASS_NAMES.index("ship")
    expected = int(np.flatnonzero(np.asarray(y_train) == ship)[0])
    value = as_int(index)
    if value != expected:
        if value is not None and 0 <= value < len(y_train) and y_train[value] == ship:
            return hint("that is a ship, but not the first one: look for the smallest index whose label is the ship's.")
        return hint(f"image {index} is not the first ship. Ships have label {ship}: look for it in y_train.")
    one_hot = np.asarray(label_one_hot).reshape(-1)
    if one_hot.shape != (10,) or not np.array_equal(one_hot, np.eye(10)[ship]):
        return hint(f"the index is right; the one-hot label should be ten numbers with a single 1 at position {ship} "
                     "(data.one_hot or keras.utils.to_categorical).")
    return right("first ship found, and its one-hot label is right.")


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
        return hint(f"expected one mean per channel, shape (3,), got shape {got.shape}. "
                     "Average over images, rows and columns: axis=(0, 1, 2).")
    if np.allclose(got, expected * 255, rtol=1e-3):
        return hint("right, but on the 0-255 scale; divide by 255 (or use the scaled images).")
    if not np.allclose(got, expected, atol=1e-3):
        return hint("not the test set's channel means. Use the test images, scaled to [0, 1], and axis=(0, 1, 2).")
    return right("per-channel test means found; compare them with the training means in the lesson.")


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
        return hint("standardising must keep each set's shape; subtract and divide per channel with broadcasting.")
    train_stats = _channel_stats(x_train)
    used_train = _used_statistics(x_train, got_train)
    if used_train is None or _distance(used_train, train_stats) > 0.01:
        return hint("the training images should have mean 0 and standard deviation 1 in every channel: "
                     "(x - mean) / std with mean and std over axis=(0, 1, 2).")
    used_test = _used_statistics(x_test, got_test)
    if used_test is None:
        return hint("the test images are not (x - mean) / std of the test images; use the training mean and std.")
    if _distance(used_test, _channel_stats(x_test)) < _distance(used_test, train_stats):
        return hint("the test images were standardised with their own statistics. Use the training mean and std: "
                     "a model must treat new images exactly as it treated its training images.")
    if _distance(used_test, train_stats) > 0.01:
        return hint("the training set is right; standardise the test images with the same training mean and std.")
    return right("both sets standardised with the training statistics.")


def check_02_parameters(answer) -> Feedback:
    """Exercise 02.1: parameters of lesson 02's ``make_mlp((256, 128))``, counted from
    its layers (32x32x3 inputs, hidden layers of 256 and 128 units, 10 outputs; each
    ``Dense`` layer has inputs x units weights plus one bias per unit). ``answer``: an
    integer. The expected count is not written here, so that ``help()`` does not give
    the exercise away; the feedback says whether the biases were left out."""
    return check_parameter_count(answer, 3072 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10,
                                  3072 * 256 + 256 * 128 + 128 * 10, "make_mlp((256, 128))")


def check_02_accuracy(accuracy, probabilities: np.ndarray, y_test: np.ndarray) -> Feedback:
    """Exercise 02.2: test accuracy computed by hand from the predicted
    probabilities ``(N, 10)`` and the labels ``(N,)``, as a fraction 0..1."""
    y_test = np.asarray(y_test).reshape(-1)
    expected = float(np.mean(np.asarray(probabilities).argmax(axis=1) == y_test))
    try:
        value = float(accuracy)
    except (TypeError, ValueError):
        return hint(f"give one number, a fraction between 0 and 1, not {type(accuracy).__name__}.")
    if abs(value - 100 * expected) < 1e-6 and expected > 0:
        return hint("that is a percentage; give the fraction (divide by 100).")
    if abs(value - expected) > 1e-6:
        return hint("not the share of test images whose most probable class (argmax over axis 1) is the true label.")
    return right("accuracy is the share of images whose most probable class is the true one; "
                  "it matches model.evaluate.")


def check_02_width_sweep(results: Mapping[tuple, tuple], bigger_always_better, one_run_tells) -> Feedback:
    """Exercise 02.3: ``{hidden_units: (parameters, val_accuracy)}`` for at
    least three widths of lesson 02's ``make_mlp``; the student's answer to
    "in your table, did validation accuracy rise at every step up in size?"
    (``True`` or ``False``); and to "does one run per width tell you whether a
    wider MLP is better in general?" (``True`` or ``False``).

    Checks each parameter count (``3072`` inputs, ``10`` outputs), that every
    accuracy is a fraction, that the first answer agrees with the student's own
    results (``True`` only if validation accuracy never fell as the parameter
    count rose), and the second answer, whose feedback explains run-to-run noise.
    """
    if len(results) < 3:
        return hint("train at least three widths (for example half, the default and double).")
    for units, (parameters, accuracy) in results.items():
        sizes = (3072, *tuple(units), 10)
        expected = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
        if as_int(parameters) != expected:
            return hint(f"the parameter count for hidden units {tuple(units)} is not {parameters}; "
                         "use model.count_params() on that width's model.")
        if not 0.0 <= float(accuracy) <= 1.0:
            return hint(f"accuracy {accuracy} for {tuple(units)} is not a fraction between 0 and 1.")
    if not isinstance(bigger_always_better, (bool, np.bool_)):
        return hint("answer the question with True or False: did validation accuracy rise at every step up in size?")
    ordered = [float(accuracy) for _, accuracy in sorted(results.values(), key=lambda pair: as_int(pair[0]))]
    monotone = all(b >= a for a, b in zip(ordered, ordered[1:]))
    if bool(bigger_always_better) != monotone:
        return hint("read your own table again, sorted by parameters: "
                     + ("accuracy never falls as the network grows." if monotone else
                        "somewhere a larger network scored lower than a smaller one."))
    if not isinstance(one_run_tells, (bool, np.bool_)):
        return hint("answer the second question with True or False: does one run per width tell you whether a "
                    "wider MLP is better in general?")
    if one_run_tells:
        return hint("train the same width twice with different seeds: the two validation accuracies differ too. A "
                    "difference between widths means something only if it is larger than the differences between "
                    "runs of one width, and one run per width cannot show how large those are.")
    return right("parameter counts are right, your reading matches your own table, and one run per width cannot "
                 "separate the effect of width from run-to-run noise; lesson 05 shows how to tell.")
