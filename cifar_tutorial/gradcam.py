"""Grad-CAM: where in an image a convolutional network found its evidence
(introduced in lesson 11, reused by its exercises).

Grad-CAM (Selvaraju et al., 2017, "Grad-CAM: Visual Explanations from Deep
Networks via Gradient-based Localization", ICCV, equations 1 and 2) takes the
feature maps ``A`` of a convolutional layer, shape ``(h, w, K)``, and the
gradient of one class's score ``y_c`` (the logit, before softmax) with respect
to them. Each map's weight is its gradient averaged over the positions,
``alpha_k = mean_ij dy_c / dA_ij^k``; the heat map is ``ReLU(sum_k alpha_k A^k)``:
the places whose features, weighted by how much they raise ``y_c``, are
present. It has the layer's resolution (8x8 or 6x6 in this course's CNNs), so
it is drawn stretched over the 32x32 image.

Keras 3 models of both kinds work. The usual recipe (keras.io's
"Grad-CAM class activation visualization") builds
``keras.Model(model.inputs, [layer.output, model.output])``, which fails for a
``Sequential`` model in Keras 3 (keras-team/keras-io issue 1903: a Sequential
model's layers have no symbolic outputs of their own until it is rebuilt).
Here a ``Sequential`` model is run layer by layer under the tape instead,
which needs no symbolic graph at all; a Functional model gets the sub-model.
"""

from __future__ import annotations

import keras
import numpy as np

_CONV_TYPES = (keras.layers.Conv2D, keras.layers.SeparableConv2D, keras.layers.DepthwiseConv2D)
_POOLING_TYPES = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)


def _has_conv(layer) -> bool:
    if isinstance(layer, _CONV_TYPES):
        return True
    return isinstance(layer, keras.Model) and any(_has_conv(inner) for inner in layer.layers)


def _activation_name(layer) -> str:
    return getattr(getattr(layer, "activation", None), "__name__", "linear")


def find_target_layer(model: keras.Model, min_size: int = 1) -> str:
    """The layer Grad-CAM uses by default: the last one whose feature maps the next layers receive.

    That is the last layer, from the first convolution on, whose output is a
    4-D ``(batch, height, width, channels)`` feature map that has been through
    its unit's non-linearity, and is not a pooling layer: a convolution with
    its own activation, the ``Activation`` (or dropout) after a convolution and
    its batch norm, or a nested convolutional base (transfer learning). A
    convolution without an activation (or its batch norm) is passed over: its
    raw output, before normalization and ReLU, is not what the next layers see,
    and its negative values make blank heat maps likely. The last feature maps
    are the most class-specific, which is why Selvaraju et al. use them; on
    32x32 images they can be very coarse (3x3 in the course's recipe), hence
    ``min_size``.

    Args:
        model: a Keras model (``Sequential`` or Functional).
        min_size: the smallest height of feature maps to accept (cells); a
            later layer with smaller maps is passed over.

    Returns:
        The layer's name, for :func:`grad_cam`'s ``layer_name``.

    Raises:
        ValueError: the model has no convolutional layer (an MLP, say), or
            none with maps of at least ``min_size``.
    """
    chosen, seen_conv, activated = None, False, False
    for layer in model.layers:
        shape = layer.output.shape
        if len(shape) != 4:
            if seen_conv:
                break
            continue
        if isinstance(layer, _CONV_TYPES):
            activated = _activation_name(layer) != "linear"
        elif isinstance(layer, keras.layers.Activation) or (isinstance(layer, keras.Model) and _has_conv(layer)):
            activated = True
        seen_conv = seen_conv or _has_conv(layer)
        if (seen_conv and activated and not isinstance(layer, _POOLING_TYPES)
                and not isinstance(layer, keras.layers.BatchNormalization) and (shape[1] or 0) >= min_size):
            chosen = layer
    if chosen is None:
        what = "no convolutional layer" if not seen_conv else f"no feature maps of at least {min_size}x{min_size}"
        raise ValueError(f"model {model.name!r} has {what}, so Grad-CAM has no feature maps to weigh; "
                         "it applies to CNNs only.")
    return chosen.name


def _is_softmax(activation) -> bool:
    return getattr(activation, "__name__", "") == "softmax"


def _logits(last: keras.layers.Layer, features):
    """The last layer's output before a softmax, or its output if it has none."""
    from keras import ops

    if isinstance(last, keras.layers.Activation) and _is_softmax(last.activation):
        return features
    if isinstance(last, keras.layers.Dense) and _is_softmax(last.activation):
        z = ops.matmul(features, ops.cast(last.kernel, features.dtype))
        return z + ops.cast(last.bias, z.dtype) if last.use_bias else z
    return last(features, training=False)


def _sub_model(model: keras.Model, target, last):
    """keras.io's recipe: a Functional model from the input to the target
    layer's output and the last layer's input; ``None`` where the graph has no
    such tensors (the target is a nested model, whose ``output`` belongs to its
    own graph), in which case the caller runs the layers in turn."""
    try:
        pre_last = last.input if isinstance(last.input, keras.KerasTensor) else last.input[0]
        return keras.Model(model.inputs, [target.output, pre_last])
    except ValueError:
        return None


def class_activation_gradients(model: keras.Model, images: np.ndarray, class_indices=None,
                               layer_name: str | None = None):
    """The feature maps of one layer and the gradients of a class score with respect to them.

    Args:
        model: a trained ``Sequential`` or Functional Keras model whose last
            layer outputs class probabilities (softmax) or logits.
        images: ``(N, 32, 32, 3)`` images as the model takes them (uint8
            0..255 for this course's models).
        class_indices: the class to explain for each image, ``(N,)`` ints, or
            ``None`` for the model's own prediction.
        layer_name: the layer whose maps are used; ``None``:
            :func:`find_target_layer`.

    Returns:
        ``(feature_maps, gradients, class_indices)``: two float32 arrays of
        shape ``(N, h, w, K)`` (the layer's output) and the ``(N,)`` int64
        classes explained. The score differentiated is the class's logit
        (the softmax's input), as in the paper.

    Raises:
        ValueError: no convolutional layer (see :func:`find_target_layer`),
            or ``class_indices`` of the wrong length.
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(np.asarray(images))
    layer_name = layer_name or find_target_layer(model)
    target = model.get_layer(layer_name)
    last = model.layers[-1]
    inner = None if isinstance(model, keras.Sequential) else _sub_model(model, target, last)
    with tf.GradientTape() as tape:
        if inner is None:  # run the stack layer by layer (Sequential, or a chain with a nested base)
            not_a_chain = ValueError(f"model {model.name!r}: Grad-CAM of the nested layer {layer_name!r} needs the "
                                     "model to be a chain of layers; pass a layer of the outer graph instead.")
            h, feature_maps = x, None
            try:
                for layer in model.layers[:-1]:
                    if isinstance(layer, keras.layers.InputLayer):
                        continue
                    h = layer(h, training=False)
                    if layer is target:
                        feature_maps = h
                logits = _logits(last, h)
                outputs = last(h, training=False)
            except (TypeError, ValueError) as err:  # a branching graph: a layer got the wrong input
                raise not_a_chain from err
            if not isinstance(model, keras.Sequential) and not np.allclose(
                    np.asarray(outputs, np.float32), np.asarray(model(x, training=False), np.float32), atol=1e-4):
                raise not_a_chain  # a branching graph whose layers happened to accept the chain's inputs
        else:
            feature_maps, h = inner(x, training=False)
            logits = _logits(last, h)
        logits = tf.cast(logits, tf.float32)
        if class_indices is None:
            class_indices = tf.argmax(logits, axis=-1)
        class_indices = np.asarray(class_indices, dtype=np.int64).reshape(-1)
        if len(class_indices) != len(images):
            raise ValueError(f"class_indices has {len(class_indices)} entries for {len(images)} images.")
        scores = tf.gather(logits, class_indices, axis=1, batch_dims=1)
    gradients = tape.gradient(scores, feature_maps)
    return (np.asarray(tf.cast(feature_maps, tf.float32)), np.asarray(tf.cast(gradients, tf.float32)),
            class_indices)


def grad_cam(model: keras.Model, images: np.ndarray, class_indices=None, layer_name: str | None = None) -> np.ndarray:
    """Grad-CAM heat maps (Selvaraju et al., 2017), one per image.

    Args:
        model, images, class_indices, layer_name: as
            :func:`class_activation_gradients`.

    Returns:
        float32 ``(N, h, w)``: at the layer's resolution, each map scaled to
        [0, 1] by its maximum (an all-zero map stays zero: no position
        raised the class's score). Draw it over the image with
        :func:`cifar_tutorial.plots.plot_grad_cam`.

    Raises:
        ValueError: as :func:`class_activation_gradients`.
    """
    feature_maps, gradients, _ = class_activation_gradients(model, images, class_indices, layer_name)
    weights = gradients.mean(axis=(1, 2), keepdims=True)  # alpha_k: one weight per feature map
    heatmaps = np.maximum((weights * feature_maps).sum(axis=-1), 0.0)
    peak = heatmaps.max(axis=(1, 2), keepdims=True)
    return np.divide(heatmaps, peak, out=np.zeros_like(heatmaps), where=peak > 0).astype(np.float32)
