"""Model builders used across the lessons.

Every builder returns an *uncompiled* ``keras.Model`` that takes uint8 or
float32 images of shape ``(32, 32, 3)`` **already scaled to [0, 1]** (see
:func:`cifar_tutorial.data.scale_pixels`) and outputs class probabilities of
shape ``(10,)`` through a softmax, so that lessons can compare them fairly.
Call :func:`compile_classifier` to compile with the series' defaults.
"""

from __future__ import annotations

import keras
from keras import layers

from cifar_tutorial.data import CLASS_NAMES, IMAGE_SHAPE

NUM_CLASSES = len(CLASS_NAMES)


def build_mlp(hidden_units: tuple[int, ...] = (512, 256), dropout: float = 0.2,
              name: str = "mlp") -> keras.Model:
    """A multi-layer perceptron: Flatten, then Dense+ReLU+Dropout blocks, softmax.

    Flatten turns a ``(32, 32, 3)`` image into a vector of 3072 numbers, so the
    network sees pixels without knowing which are neighbours.

    Args:
        hidden_units: width of each hidden ``Dense`` layer.
        dropout: dropout rate after each hidden layer, in [0, 1).

    Returns:
        An uncompiled model mapping ``(batch, 32, 32, 3)`` float32 to
        ``(batch, 10)`` probabilities. With the defaults it has
        3072*512+512 + 512*256+256 + 256*10+10 = 1,707,274 parameters.
    """
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=IMAGE_SHAPE, name="image"))
    model.add(layers.Flatten(name="flatten"))
    for i, units in enumerate(hidden_units, start=1):
        model.add(layers.Dense(units, activation="relu", name=f"dense_{i}"))
        if dropout:
            model.add(layers.Dropout(dropout, name=f"dropout_{i}"))
    model.add(layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"))
    return model


def compile_classifier(model: keras.Model, learning_rate: float = 1e-3, optimizer=None) -> keras.Model:
    """Compile for integer labels 0..9 with Adam, cross-entropy and accuracy.

    Args:
        model: a model ending in a 10-way softmax.
        learning_rate: Adam's step size (Keras' default, 1e-3), ignored when
            ``optimizer`` is given.
        optimizer: a ``keras.optimizers.Optimizer`` to use instead of Adam.

    Returns:
        The same model, compiled with ``sparse_categorical_crossentropy``
        (labels as integers of shape ``(N,)``) and the ``accuracy`` metric.
    """
    model.compile(
        optimizer=optimizer or keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
