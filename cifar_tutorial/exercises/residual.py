"""Checks for the exercises of lesson 07 (the Functional API and residual networks)."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import layers

from cifar_tutorial import metrics
from cifar_tutorial.exercises.feedback import Feedback, as_int, hint, right


def check_07_shortcut_parameters(answer) -> Feedback:
    """Exercise 07.1: the parameters of the projection shortcut in lesson 07's ``one_block`` (a
    1x1 ``Conv2D`` from 16 to 32 channels without bias, then ``BatchNormalization``, which keeps a
    scale, an offset, a moving mean and a moving variance per channel, as ``model.summary()``
    counts them). ``answer``: an integer. The count is not written here, so that ``help()`` does
    not give the exercise away; the hints name the usual slips."""
    value = as_int(answer)
    if value is None:
        return hint(f"give the count as a whole number, not {answer!r}.")
    channels_in, filters = 16, 32
    kernel = 1 * 1 * channels_in * filters
    expected = kernel + 4 * filters
    if value == expected:
        return right("the 1x1 kernel has one weight per input channel and filter, and batch normalization "
                     "keeps four numbers per filter (two of them trained, two moving averages).")
    slips = {
        kernel: "that is the convolution alone; the batch normalization after it has parameters too (lesson 05).",
        kernel + 2 * filters: "that counts batch normalization's scale and offset only; summary() also counts "
                              "its moving mean and variance (the non-trainable parameters).",
        kernel + filters + 4 * filters: "the shortcut's convolution has no bias (use_bias=False).",
        3 * 3 * channels_in * filters + 4 * filters: "the shortcut's kernel is 1x1, not 3x3.",
    }
    return hint(slips.get(value, f"{value:,} is not it. Count the kernel's weights (height x width x input "
                                 "channels x filters) and batch normalization's numbers per channel, then compare "
                                 "with one_block.summary()."))


def deeper_cnn_reference() -> keras.Sequential:
    """Lesson 03's ``make_deeper_cnn`` (a test keeps this copy equal to the lesson's): the model
    exercise 07.2 rewrites with the Functional API."""
    model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Rescaling(1 / 255)])
    for filters in (16, 32, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def check_07_functional(model) -> Feedback:
    """Exercise 07.2: lesson 03's deeper CNN rewritten with the Functional API.

    Args:
        model: the student's ``keras.Model``, built from ``keras.Input(shape=(32, 32, 3))``.

    Returns:
        :class:`Feedback`: right when ``model`` is a Functional model (not ``Sequential``) whose
        layers, in order, have the classes and parameter counts of :func:`deeper_cnn_reference`'s
        and whose output shape is ``(None, 10)``; otherwise a hint naming the first difference.
    """
    if not isinstance(model, keras.Model):
        return hint("pass the model itself, a keras.Model built with keras.Model(inputs, outputs).")
    if isinstance(model, keras.Sequential):
        return hint("that is a Sequential model; build it from keras.Input by calling each layer on the previous "
                    "output, and wrap it in keras.Model(inputs, outputs).")
    reference = deeper_cnn_reference()
    if tuple(model.inputs[0].shape) != (None, 32, 32, 3):
        return hint(f"the input should be keras.Input(shape=(32, 32, 3)); yours has shape {tuple(model.inputs[0].shape)}.")
    mine = [layer for layer in model.layers if not isinstance(layer, layers.InputLayer)]
    theirs = list(reference.layers)
    for position, (got, want) in enumerate(zip(mine, theirs), start=1):
        if type(got) is not type(want):
            return hint(f"layer {position} is {type(got).__name__}; lesson 03's model has {type(want).__name__} there.")
        if got.count_params() != want.count_params():
            return hint(f"layer {position} ({type(got).__name__}) has {got.count_params():,} parameters, lesson 03's "
                        "has a different count: check its filters or units.")
    if len(mine) != len(theirs):
        return hint(f"your model has {len(mine)} layers after the input, lesson 03's has {len(theirs)}.")
    if tuple(model.outputs[0].shape) != (None, 10):
        return hint(f"the output should have shape (None, 10); yours has {tuple(model.outputs[0].shape)}.")
    return right("the same layers with the same parameters as lesson 03's Sequential model, written as calls "
                 "from keras.Input to keras.Model(inputs, outputs).")


def _scores(study: Mapping, variant: str, key: str) -> list[float]:
    return [run[key] for run in sorted(study["runs"], key=lambda run: run["seed"]) if run["variant"] == variant]


def check_07_training_difference(difference, study: Mapping) -> Feedback:
    """Exercise 07.3: the paired difference in *training* accuracy, residual network minus plain
    stack, over the runs of lesson 07's ``residual`` study, by the course's rule
    (:func:`cifar_tutorial.metrics.paired_difference`, lesson 04).

    Args:
        difference: a :class:`cifar_tutorial.metrics.Difference`, or ``(mean, low, high)`` as fractions.
        study: what ``cifar_tutorial.studies.load("residual")`` returns.

    Returns:
        :class:`Feedback`: right when the mean and interval match the recomputed ones (within
        1e-6); a hint when the validation accuracies were used, or the order was reversed.
    """
    try:
        got = (np.array([difference.mean, difference.low, difference.high]) if isinstance(difference, metrics.Difference)
               else np.asarray(difference, dtype=np.float64).reshape(-1))
    except (TypeError, ValueError):
        got = None
    if got is None or got.shape != (3,):
        return hint("pass what metrics.paired_difference returns, or (mean, low, high).")

    def matches(a, b, key):
        d = metrics.paired_difference(_scores(study, a, key), _scores(study, b, key))
        return np.allclose(got, [d.mean, d.low, d.high], atol=1e-6)

    plain, residual = "plain stack", "residual network"
    if matches(plain, residual, "train_accuracy"):
        return right("the mean paired difference in training accuracy and its 95% interval, by the same rule "
                     "as the study's validation verdict.")
    if matches(plain, residual, "val_accuracy"):
        return hint("those are the validation accuracies; the exercise asks about the training images "
                    "(each run's train_accuracy).")
    if matches(residual, plain, "train_accuracy"):
        return hint("that is plain minus residual: paired_difference(a, b) gives b - a, so pass the plain "
                    "stack's scores first.")
    return hint("not the rule's result for these runs. Take each seed's train_accuracy of both models, sorted "
                "by seed so that the pairs line up, and call metrics.paired_difference(plain, residual).")
