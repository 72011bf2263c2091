"""The keras.applications base of lesson 10, offline: shapes, parameter counts,
the preprocessing layer, and the one-line message when weights cannot be had."""

from __future__ import annotations

import socket
import time

import keras
import numpy as np
import pytest
from keras import layers

from cifar_tutorial import pretrained


def test_base_shapes_and_frozen_counts_offline():
    zoo = pretrained.imagenet_base(weights=None)
    assert not zoo.weights_loaded and zoo.model.output_shape == (None, 3, 3, 1280)
    assert zoo.model.count_params() == 410_208
    zoo.model.trainable = False
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Resizing(pretrained.INPUT_SIZE, pretrained.INPUT_SIZE)(inputs)
    x = pretrained.preprocessing_layer()(x)
    x = zoo.model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, layers.Dense(5, activation="softmax")(x))
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == 1280 * 5 + 5 and model.count_params() == 410_208 + trainable
    assert model.predict(np.zeros((2, 32, 32, 3), "uint8"), verbose=0).shape == (2, 5)


def test_preprocessing_layer_is_preprocess_input():
    pixels = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3)).astype("float32")
    expected = keras.applications.mobilenet_v2.preprocess_input(pixels.copy())
    got = keras.ops.convert_to_numpy(pretrained.preprocessing_layer()(pixels))
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_unreachable_weights_give_one_line_and_a_usable_base(monkeypatch):
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(pretrained, "WEIGHTS_HOST", f"http://127.0.0.1:{port}/")
    start = time.perf_counter()
    zoo = pretrained.imagenet_base(timeout_s=2)
    assert time.perf_counter() - start < 30
    assert not zoo.weights_loaded and zoo.reason == "ConnectionError"
    assert zoo.message.startswith("ImageNet weights unavailable here (no internet)") and "\n" not in zoo.message
    assert zoo.model.output_shape == (None, 3, 3, 1280)


def test_unknown_weights_are_refused():
    with pytest.raises(ValueError, match="weights must be 'imagenet' or None"):
        pretrained.imagenet_base(weights="cifar")
