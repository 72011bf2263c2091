"""Checks for the exercises of lesson 09 (the Functional API and residual networks)."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import layers

from cifar_tutorial import metrics
from cifar_tutorial.exercises.feedback import Feedback, as_int, hint, right


def _projection_parameters(channels_in: int, filters: int) -> int:
    """A projection shortcut's parameters: a 1x1 convolution without bias, then batch normalization,
    which keeps four numbers per channel (scale, offset, moving mean and variance, as
    ``count_params`` counts them)."""
    return channels_in * filters + 4 * filters


def _block_parameters(channels_in: int, filters: int, projected: bool) -> int:
    """Parameters of lesson 09's residual block: two 3x3 convolutions without bias, each followed by
    batch normalization, plus the projection shortcut when the shapes differ."""
    main = 9 * channels_in * filters + 4 * filters + 9 * filters * filters + 4 * filters
    return main + (_projection_parameters(channels_in, filters) if projected else 0)


def check_09_residual_block(block) -> Feedback:
    """Exercise 09.1: the student's residual block, a function ``block(x, filters, strides=1)`` that
    takes a symbolic tensor of shape ``(None, height, width, channels)`` and returns one of shape
    ``(None, ceil(height / strides), ceil(width / strides), filters)``.

    The check calls it twice, on ``keras.Input(shape=(32, 32, 16))`` with 32 filters and stride 2
    (the shapes differ, so the shortcut must be projected) and on ``keras.Input(shape=(16, 16, 32))``
    with 32 filters and stride 1 (the shortcut is the input itself), and compares each with He et
    al.'s design as lesson 09 writes it (2016, section 3.3, option B): output shape, a
    ``layers.Add``, the ReLU after the addition, a 1x1 projection only where the shapes differ (a wrong
    stride makes ``Add`` raise), and the parameter count of two bias-free 3x3 convolutions with batch normalization.

    Returns:
        :class:`Feedback`: right, or a hint naming the first difference (or the error the call raised).
    """
    if not callable(block):
        return hint("pass your block function itself (my_residual_block, without calling it).")
    for shape, filters, strides, projected in (((32, 32, 16), 32, 2, True), ((16, 16, 32), 32, 1, False)):
        inputs = keras.Input(shape=shape)
        call = f"your block on an input of shape {shape} with filters={filters}, strides={strides}"
        try:
            model = keras.Model(inputs, block(inputs, filters, strides=strides))
        except Exception as error:  # noqa: BLE001 (the student's code: report what it raised)
            return hint(f"calling {call} raised {type(error).__name__}: {error}. If Add complained about "
                        "shapes, the shortcut needs the main path's shape where the block changes it.")
        want = (None, -(-shape[0] // strides), -(-shape[1] // strides), filters)
        if tuple(model.output_shape) != want:
            return hint(f"{call} returns shape {tuple(model.output_shape)}; the block should return {want}.")
        if not any(isinstance(layer, layers.Add) for layer in model.layers):
            return hint("there is no layers.Add: a residual block adds its input (the shortcut) to the main path.")
        if isinstance(model.layers[-1], layers.Add):
            return hint("the block ends with the addition; apply the ReLU after it: relu(shortcut + y).")
        projections = [layer for layer in model.layers
                       if isinstance(layer, layers.Conv2D) and tuple(layer.kernel_size) == (1, 1)]
        if projected and not projections:
            return hint(f"with strides={strides} and {shape[-1]} to {filters} channels the shapes differ: "
                        "project the shortcut with a 1x1 Conv2D and batch normalization.")
        if not projected and projections:
            return hint("where the shapes already match, the shortcut is the input itself, with no 1x1 convolution.")
        count, expected = model.count_params(), _block_parameters(shape[-1], filters, projected)
        if count != expected:
            return hint(f"{call} has {count:,} parameters, not the lesson's design: each convolution without "
                        "bias (use_bias=False), each followed by BatchNormalization, the main path two 3x3 "
                        "convolutions.")
    return right("two 3x3 convolutions with batch normalization, the input added back before the last ReLU, "
                 "and a strided 1x1 projection only where the shapes differ.")


def check_09_shortcut_parameters(answer) -> Feedback:
    """Exercise 09.1: the parameters of the projection shortcut in lesson 09's ``one_block`` (a
    1x1 ``Conv2D`` from 16 to 32 channels without bias, then ``BatchNormalization``, which keeps a
    scale, an offset, a moving mean and a moving variance per channel, as ``model.summary()``
    counts them). ``answer``: an integer. The count is not written here, so that ``help()`` does
    not give the exercise away; the hints name the usual slips."""
    value = as_int(answer)
    if value is None:
        return hint(f"give the count as a whole number, not {answer!r}.")
    channels_in, filters = 16, 32
    kernel = 1 * 1 * channels_in * filters
    expected = _projection_parameters(channels_in, filters)
    if value == expected:
        return right("the 1x1 kernel has one weight per input channel and filter, and batch normalization "
                     "keeps four numbers per filter (two of them trained, two moving averages).")
    slips = {
        kernel: "that is the convolution alone; the batch normalization after it has parameters too (lesson 06).",
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
    exercise 09.2 rewrites with the Functional API."""
    model = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Rescaling(1 / 255)])
    for filters in (16, 32, 64):
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.Conv2D(filters, 3, padding="same", activation="relu"))
        model.add(layers.MaxPooling2D())
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(128, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


def check_09_functional(model) -> Feedback:
    """Exercise 09.2: lesson 03's deeper CNN rewritten with the Functional API.

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


def check_09_training_difference(difference, study: Mapping) -> Feedback:
    """Exercise 09.3: the paired difference in *training* accuracy, residual network minus plain
    stack, over the runs of lesson 09's ``residual`` study, by the course's rule
    (:func:`cifar_tutorial.metrics.paired_difference`, lesson 05).

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
