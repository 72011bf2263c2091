"""Checks for the exercises of lessons 08 (evaluation) and 10 (transfer learning)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np

from cifar_tutorial.datasets import CLASS_NAMES
from cifar_tutorial.exercises.feedback import Feedback, all_layers, as_int, hint, right
from cifar_tutorial.metrics import accuracy_interval, expected_calibration_error


def check_08_lowest_recall(class_name: str, y_true: np.ndarray, y_pred: np.ndarray,
                           class_names: Sequence[str] = CLASS_NAMES, interval=None) -> Feedback:
    """Exercise 08.1: the class with the lowest recall (ties: any of them) and that recall's 95%
    Wilson interval (without ``interval``, a right class gets a hint asking for it).

    Args:
        class_name: the student's class name.
        y_true, y_pred: integer labels ``(N,)``.
        class_names: the names, in label order.
        interval: ``(low, high)`` as fractions: :func:`cifar_tutorial.metrics.accuracy_interval`
            on the images of that class only (a class's recall is the accuracy on its own images).
    """
    from sklearn.metrics import precision_score, recall_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = list(range(len(class_names)))
    recall = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    lowest = {class_names[i] for i in np.flatnonzero(recall == recall.min())}
    if class_name not in class_names:
        return hint(f"{class_name!r} is not a class name; choose from {', '.join(class_names)}.")
    if class_name not in lowest:
        precision = precision_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
        if class_name in {class_names[i] for i in np.flatnonzero(precision == precision.min())}:
            return hint("that class has the lowest *precision*. Recall is per true class: the row of the confusion matrix.")
        return hint("not the lowest. classification_report lists recall per class; or recall_score(average=None).")
    if interval is None:
        return hint("that class has the lowest recall; now give its 95% Wilson interval as well (interval=(low, high)), "
                    "measured on that class's test images only.")
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        return hint("the class is right; give the interval as a (low, high) pair of fractions.")
    mine = y_true == class_names.index(class_name)
    _, want_low, want_high = accuracy_interval(y_true[mine], y_pred[mine])
    _, all_low, all_high = accuracy_interval(y_true, y_pred)
    if abs(low - 100 * want_low) < 1e-3 and abs(high - 100 * want_high) < 1e-3:
        return hint("the class is right; the interval is in percent: give fractions, as accuracy_interval returns them.")
    if abs(low - all_low) < 1e-6 and abs(high - all_high) < 1e-6:
        return hint("the class is right, but that is the interval of the whole test set's accuracy: pass only the "
                    "images of that class (y_test == its label) to metrics.accuracy_interval.")
    if abs(low - want_low) > 1e-6 or abs(high - want_high) > 1e-6:
        return hint("the class is right; its recall is the accuracy on its own test images: "
                    "metrics.accuracy_interval(y_test[mask], y_pred[mask]) with mask = y_test == its label.")
    return right("the class with the lowest recall, and its interval: measured on one class's images only, it is "
                 "much wider than the whole test set's, so per-class numbers are the least precise a report gives.")


def check_08_ece_bins(ece: Mapping[int, float], y_true: np.ndarray, probabilities: np.ndarray) -> Feedback:
    """Exercise 08.2: ``{5: ece, 20: ece}``, the expected calibration error
    with 5 and with 20 bins (:func:`cifar_tutorial.metrics.expected_calibration_error`)."""
    if set(ece) != {5, 20}:
        return hint("give a dict with keys 5 and 20, the numbers of bins.")
    for bins, value in ece.items():
        expected = expected_calibration_error(y_true, probabilities, n_bins=bins)
        if abs(float(value) - expected) > 1e-6:
            return hint(f"the {bins}-bin value differs; call metrics.expected_calibration_error(..., n_bins={bins}).")
    return right("ECE for both binnings. The difference between them is part of the measurement, "
                  "not of the model: report the number of bins with an ECE.")


_THRESHOLD_RIGHT = ("the lowest threshold at which the model reaches the target accuracy on the images it is at "
                    "least this confident about (or, with None, no threshold reaches it). The rest would go to a person.")


def check_08_confidence_threshold(threshold, y_true: np.ndarray, probabilities: np.ndarray,
                                  target_accuracy: float = 0.9) -> Feedback:
    """Exercise 08.3: the lowest confidence threshold such that the images whose top
    probability is at least ``threshold`` are classified with accuracy of at
    least ``target_accuracy`` (any threshold that keeps the same images is as
    good); ``None`` if no threshold reaches it.

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
            return hint("some threshold does reach the target; try the confidences of the test images as candidates.")
        return right(_THRESHOLD_RIGHT)
    kept = confidence >= float(threshold)
    if not kept.any():
        return hint("no image is that confident; lower the threshold.")
    if correct[kept].mean() < target_accuracy:
        return hint(f"images at or above this confidence are right only {correct[kept].mean():.1%} of the time; "
                     f"raise the threshold until that reaches {target_accuracy:.0%}.")
    most_kept = int(np.flatnonzero(group_ends & (running >= target_accuracy)).max()) + 1  # the lowest threshold's
    if kept.sum() < most_kept:
        return hint(f"this threshold reaches the target but answers only {kept.sum():,} of {len(kept):,} images; a "
                     "lower one also reaches it and answers more. Try each image's confidence as a candidate, "
                     "from the lowest up.")
    return right(_THRESHOLD_RIGHT)


def _weight_count(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def check_10_trainable_parameters(answer, model: keras.Model, base_state: str | None = None) -> Feedback:
    """Exercise 10.1: how many parameters ``model.fit`` would update in
    ``model`` as it is now (``model.trainable_weights``): after
    ``base.trainable = False`` only the new head's; after
    ``base.trainable = True`` all but batch normalization's moving statistics,
    which are never trained by gradient descent.

    Args:
        answer: the student's count, a whole number.
        model: the classifier, with the base as a nested model.
        base_state: ``"frozen"`` or ``"unfrozen"``: the state the student meant
            the base to be in; the check says so if the model's base is not in it.
            ``None`` skips that check.

    Raises:
        ValueError: if ``base_state`` is not ``None``, ``"frozen"`` or ``"unfrozen"``.
    """
    if base_state not in (None, "frozen", "unfrozen"):
        raise ValueError(f"base_state is 'frozen' or 'unfrozen', not {base_state!r}")
    if base_state is not None:
        bases = [layer for layer in model.layers if isinstance(layer, keras.Model)]
        if not bases:
            return hint("the model has no nested base model; build it with make_classifier(base, ...).")
        if any(base.trainable != (base_state == "unfrozen") for base in bases):
            return hint(f"you meant the base to be {base_state}, but base.trainable is "
                        f"{bases[0].trainable}; set it, then compile again before training.")
    value = as_int(answer)
    if value is None:
        return hint(f"give the count as a whole number, not {answer!r}.")
    trainable = _weight_count(model.trainable_weights)
    frozen = _weight_count(model.non_trainable_weights)
    if value == trainable:
        return right(f"{trainable:,} trainable, {frozen:,} not: fit updates only model.trainable_weights.")
    if value == trainable + frozen:
        return hint("that is every parameter, frozen ones included; count model.trainable_weights only.")
    if value == frozen:
        return hint("that is the part fit leaves alone (model.non_trainable_weights).")
    moving = _weight_count(w for layer in all_layers(model) if isinstance(layer, keras.layers.BatchNormalization)
                           for w in (layer.moving_mean, layer.moving_variance))
    if moving and value == trainable + moving:
        return hint("your count includes arrays that fit never updates, even in an unfrozen base: which of batch "
                    "normalization's arrays are learned by gradient descent, and which are running averages?")
    return hint(f"{value:,} is not it. Compare with model.summary(): it lists trainable and non-trainable "
                 "parameters after the total.")


def check_10_paired_difference(difference, excludes_zero, study: Mapping, size: int = 25) -> Feedback:
    """Exercise 10.2: one verdict of lesson 10's transfer study read by hand: fine-tuning minus
    training from scratch at ``size`` labelled images per class, paired by seed, with
    ``metrics.paired_difference`` (Student's t over the paired seeds, lesson 05's rule).

    Args:
        difference: the student's :class:`cifar_tutorial.metrics.Difference` (or its mean, a fraction).
        excludes_zero: the student's answer to "does its 95% interval exclude zero?" (``True``/``False``).
        study: ``studies.load("transfer")``; its ``runs`` hold ``seed``, ``size``, ``method`` and
            ``val_accuracy`` per run.
        size: the labelled images per class of the verdict (one of the study's sizes).

    Raises:
        ValueError: ``size`` is not one of the study's sizes.
    """
    from cifar_tutorial.metrics import paired_difference

    if size not in study["regime"]["sizes_per_class"]:
        raise ValueError(f"size must be one of the study's sizes {study['regime']['sizes_per_class']}, not {size}.")

    def scores(method):
        runs = sorted((r for r in study["runs"] if r["size"] == size and r["method"] == method), key=lambda r: r["seed"])
        return [r["val_accuracy"] for r in runs]

    expected = paired_difference(scores("from scratch"), scores("fine-tuning"))
    mean = getattr(difference, "mean", difference)
    try:
        mean = float(mean)
    except (TypeError, ValueError):
        return hint("give the result of metrics.paired_difference (or its mean as a fraction).")
    if abs(mean + expected.mean) < 1e-9 and expected.mean != 0:
        return hint("the sign is reversed: paired_difference(a, b) gives b minus a; put from scratch first.")
    if abs(mean - expected.mean) > 1e-9:
        if abs(mean - 100 * expected.mean) < 1e-6:
            return hint("that is in points; give the fraction, as paired_difference returns it.")
        return hint(f"not the paired difference at {size} per class: take each method's runs at that size, "
                    "sorted by seed so that run i of one method pairs with run i of the other.")
    if not isinstance(excludes_zero, (bool, np.bool_)):
        return hint("answer the second question with True or False: does the interval exclude zero?")
    if bool(excludes_zero) != expected.excludes_zero:
        return hint("read the interval again: it excludes zero only when both ends have the same sign.")
    return right(f"{expected}. Five paired seeds give a wide interval; only an interval that excludes zero "
                 "counts as an effect.")


def check_10_new_classes(model, num_classes: int) -> Feedback:
    """Exercise 10.3: lesson 03's CNN made for another set of classes (CIFAR-100's 100 fine
    classes or 20 superclasses, or CIFAR-10 regrouped offline): input ``(32, 32, 3)`` scaled by a
    ``Rescaling`` layer, output ``num_classes`` softmax probabilities.

    Raises:
        ValueError: if ``num_classes`` is not an integer of at least 2.
    """
    if as_int(num_classes) is None or int(num_classes) < 2:
        raise ValueError(f"num_classes is the number of classes of the new task (2 or more), not {num_classes!r}")
    want = int(num_classes)
    if not isinstance(model, keras.Model):
        return hint("pass a keras.Model built with lesson 03's make_tutorial_cnn, changed for the new classes.")
    if tuple(model.input_shape[1:]) != (32, 32, 3):
        return hint(f"the input shape is {model.input_shape[1:]}; the images are (32, 32, 3), as CIFAR-10's.")
    if not isinstance(model.layers[0], keras.layers.Rescaling):
        return hint("start with layers.Rescaling(1 / 255): the loader returns pixels 0..255.")
    if tuple(model.output_shape[1:]) != (want,):
        return hint(f"the output has {model.output_shape[1:]} units, but the task has {want} classes: one output "
                    "unit per class.")
    if getattr(model.layers[-1].activation, "__name__", "") != "softmax":
        return hint("end with a softmax, so the outputs are probabilities for sparse_categorical_crossentropy.")
    return right(f"lesson 03's CNN with {want} outputs: only the last layer depends on the number of classes.")


def check_10_majority_baseline(answer, y_test: np.ndarray) -> Feedback:
    """Exercise 10.3: the accuracy on ``y_test`` (integer labels ``(N,)``) of a classifier that always
    answers the most common class, as a fraction in [0, 1] (a percentage above 1 is read as such)."""
    y_test = np.asarray(y_test).ravel()
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return hint(f"give the accuracy as a number, a fraction such as 0.25, not {answer!r}.")
    value = value / 100 if value > 1 else value
    counts = np.bincount(y_test)
    majority = counts.max() / len(y_test)
    if abs(value - majority) < 0.005:
        return right("always answering the most common class scores this much without looking at an image: a model "
                     "has learned something only where it does clearly better.")
    uniform = 1 / np.count_nonzero(counts)
    if abs(value - uniform) < 0.005 and abs(uniform - majority) >= 0.005:
        return hint("one over the number of classes is the score of guessing when every class is equally common. "
                    "Here they are not: count how many test labels each class has (np.bincount).")
    return hint("count the test labels of each class (np.bincount(y_test)); the baseline answers the most common "
                "one for every image, so its accuracy is that class's share of the test set.")


def check_10_clearly_better(answer, y_test: np.ndarray, y_pred: np.ndarray) -> Feedback:
    """Exercise 10.3: is the network *clearly* better than always answering the most common class?

    Args:
        answer: ``True`` or ``False``, the student's verdict.
        y_test, y_pred: integer labels ``(N,)``, the test labels and the network's predicted classes.

    Returns:
        :class:`Feedback`: right when ``answer`` says whether the whole 95% Wilson interval of the
        network's test accuracy (:func:`cifar_tutorial.metrics.accuracy_interval`, lesson 08) lies
        above the accuracy of always answering the most common test label, the course's rule for
        "clearly better"; otherwise a hint on how to read the interval.
    """
    from cifar_tutorial.metrics import accuracy_interval

    if not isinstance(answer, (bool, np.bool_)):
        return hint("answer True or False: does the whole interval of the test accuracy lie above the baseline?")
    y_test, y_pred = np.asarray(y_test).ravel(), np.asarray(y_pred).ravel()
    if y_test.shape != y_pred.shape:
        return hint(f"y_test has {y_test.size} labels and y_pred {y_pred.size}: predict one class per test image "
                    "(model.predict(x_test).argmax(axis=1)).")
    accuracy, low, _ = accuracy_interval(y_test, y_pred)
    majority = np.bincount(y_test).max() / len(y_test)
    clearly = bool(low > majority)
    if bool(answer) == clearly:
        return right("the verdict follows the 95% interval: clearly better only when its lower end lies above the "
                     "score of always answering the most common class.")
    if answer and accuracy > majority:
        return hint("the accuracy itself is above the baseline, but its 95% interval (metrics.accuracy_interval) "
                    "reaches down to it: this many test images cannot tell the two apart.")
    if answer:
        return hint("compare with always answering the most common class (its share of y_test), not with one over "
                    "the number of classes.")
    return hint("the whole 95% interval of the test accuracy (metrics.accuracy_interval) lies above the baseline.")
