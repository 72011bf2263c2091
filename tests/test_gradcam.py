"""Grad-CAM (lesson 10) on Sequential, Functional and nested models. The images
are random arrays: what is tested is shapes, gradients and layer choice, which
do not depend on the images' content."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from cifar_tutorial import gradcam, recipe

IMAGES = np.random.default_rng(0).integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)


def sequential_cnn(softmax_layer: bool = False):
    keras.utils.set_random_seed(1)
    head = [layers.Dense(4, name="logits"), layers.Activation("softmax")] if softmax_layer else \
        [layers.Dense(4, activation="softmax", name="logits")]
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)), layers.Rescaling(1 / 255),
        layers.Conv2D(8, 3, activation="relu", name="conv1"), layers.MaxPooling2D(),
        layers.Conv2D(8, 3, name="conv2"), layers.Activation("relu", name="relu2"), layers.MaxPooling2D(),
        layers.GlobalAveragePooling2D(), *head,
    ], name="sequential_cnn")


def as_functional(model: keras.Sequential) -> keras.Model:
    """The same layers (same weights) as a Functional model."""
    inputs = keras.Input(shape=(32, 32, 3))
    x = inputs
    for layer in model.layers:
        x = layer(x)
    return keras.Model(inputs, x, name="functional_cnn")


def test_default_layer_is_the_last_with_feature_maps():
    model = sequential_cnn()
    assert gradcam.find_target_layer(model) == "relu2"          # the activation after the last convolution
    assert gradcam.find_target_layer(model, min_size=14) == "conv1"  # relu2: 13x13 maps; conv1: 30x30
    assert gradcam.find_target_layer(recipe.make_model()) == "block3_relu2"
    # block3_conv1 has 7x7 maps too, but raw: before its pooling, batch norm and ReLU
    assert gradcam.find_target_layer(recipe.make_model(), min_size=6) == "block2_relu2"
    raw = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(4, 3, name="conv"),
                            layers.BatchNormalization(name="bn"), layers.Activation("relu", name="relu"),
                            layers.Conv2D(4, 3, name="raw_conv"), layers.BatchNormalization(name="raw_bn"),
                            layers.GlobalAveragePooling2D(), layers.Dense(2, activation="softmax")])
    assert gradcam.find_target_layer(raw) == "relu"  # raw_conv and raw_bn were never activated


def test_models_without_convolutions_are_refused():
    mlp = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Flatten(), layers.Dense(4, activation="softmax")])
    with pytest.raises(ValueError, match="has no convolutional layer"):
        gradcam.grad_cam(mlp, IMAGES)
    with pytest.raises(ValueError, match="no feature maps of at least 99x99"):
        gradcam.find_target_layer(sequential_cnn(), min_size=99)


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_heatmap_shape_range_and_nonzero_gradients(kind):
    model = sequential_cnn() if kind == "sequential" else as_functional(sequential_cnn())
    feature_maps, gradients, classes = gradcam.class_activation_gradients(model, IMAGES)
    assert feature_maps.shape == gradients.shape == (3, 13, 13, 8)
    assert np.abs(gradients).max() > 0
    np.testing.assert_array_equal(classes, model.predict(IMAGES, verbose=0).argmax(axis=1))
    heatmaps = gradcam.grad_cam(model, IMAGES)
    assert heatmaps.shape == (3, 13, 13) and heatmaps.dtype == np.float32
    assert heatmaps.min() >= 0 and np.all((heatmaps.max(axis=(1, 2)) == 1) | (heatmaps.max(axis=(1, 2)) == 0))


def test_sequential_and_functional_give_the_same_maps():
    model = sequential_cnn()
    np.testing.assert_allclose(gradcam.grad_cam(model, IMAGES), gradcam.grad_cam(as_functional(model), IMAGES),
                               atol=1e-5)


def test_the_score_is_the_logit_whether_softmax_is_in_dense_or_a_layer_of_its_own():
    fused, separate = sequential_cnn(), sequential_cnn(softmax_layer=True)
    separate.set_weights(fused.get_weights())
    classes = np.array([0, 1, 2])
    _, fused_gradients, _ = gradcam.class_activation_gradients(fused, IMAGES, classes)
    _, separate_gradients, _ = gradcam.class_activation_gradients(separate, IMAGES, classes)
    np.testing.assert_allclose(fused_gradients, separate_gradients, rtol=1e-4, atol=1e-7)
    # After relu2 come max pooling (13x13 -> 6x6), global average pooling and the Dense layer, so
    # d logit_c / d relu2 sends kernel[k, c] / 36 to the one maximum of each pooled cell: summed over
    # positions, channel k's gradient is exactly kernel[k, c] (a probability's would not be).
    kernel = keras.ops.convert_to_numpy(fused.get_layer("logits").kernel)
    np.testing.assert_allclose(fused_gradients.sum(axis=(1, 2)), kernel[:, classes].T, rtol=1e-4, atol=1e-6)


def test_nested_base_in_a_functional_model():
    """Lesson 10's transfer model: augmentation, a nested Sequential base called
    with training=False, pooling and a head."""
    base = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Rescaling(1 / 255),
                             layers.Conv2D(8, 3, padding="same", activation="relu")], name="base")
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.RandomFlip("horizontal")(inputs)
    x = base(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inputs, layers.Dense(5, activation="softmax")(x))
    assert gradcam.find_target_layer(model) == "base"
    heatmaps = gradcam.grad_cam(model, IMAGES)
    assert heatmaps.shape == (3, 32, 32) and heatmaps.max() > 0


def _branching_model(base):
    inputs = keras.Input(shape=(32, 32, 3))
    pooled = layers.GlobalAveragePooling2D()(base(inputs))
    skip = layers.GlobalAveragePooling2D()(inputs)
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(layers.Concatenate()([pooled, skip])))


def test_branching_models_work_where_the_graph_has_the_maps_and_are_refused_where_not():
    """A nested Sequential base's output is a tensor of the outer graph (keras.io's sub-model works);
    a nested Functional base's is not, and a branching graph cannot be run as a chain."""
    sequential_base = keras.Sequential([keras.Input(shape=(32, 32, 3)), layers.Conv2D(4, 3, padding="same")],
                                       name="base")
    assert gradcam.grad_cam(_branching_model(sequential_base), IMAGES, layer_name="base").shape == (3, 32, 32)
    inner = keras.Input(shape=(32, 32, 3))
    functional_base = keras.Model(inner, layers.Conv2D(4, 3, padding="same")(inner), name="base")
    with pytest.raises(ValueError, match="needs the model to be a chain of layers"):
        gradcam.grad_cam(_branching_model(functional_base), IMAGES, layer_name="base")


def test_wrong_number_of_classes_is_named():
    with pytest.raises(ValueError, match="class_indices has 2 entries for 3 images"):
        gradcam.grad_cam(sequential_cnn(), IMAGES, class_indices=[0, 1])
