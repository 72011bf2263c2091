"""Checks for the exercises of lesson 11 (what a CNN looks at: Grad-CAM)."""

from __future__ import annotations

import keras
import numpy as np

from cifar_tutorial.exercises.feedback import Feedback, as_array, hint, right


def check_11_true_class_maps(heatmaps, model: keras.Model, images: np.ndarray, y_true: np.ndarray,
                             layer_name: str | None = None) -> Feedback:
    """Exercise 11.1: Grad-CAM heat maps of ``images`` for their *true* classes (not the
    predicted ones), at ``layer_name``, as ``gradcam.grad_cam`` computes them.

    Args:
        heatmaps: the student's ``(N, h, w)`` array.
        model: the classifier the maps explain.
        images: ``(N, 32, 32, 3)`` uint8 images.
        y_true: their true labels, ``(N,)`` ints.
        layer_name: the layer the student used (``None``: Grad-CAM's default).
    """
    from cifar_tutorial import gradcam

    y_true = np.asarray(y_true).reshape(-1)
    expected = gradcam.grad_cam(model, images, class_indices=y_true, layer_name=layer_name)
    got = as_array(heatmaps)
    if got is None:
        return hint("give the heat maps as one array, as gradcam.grad_cam returns them.")
    if got.shape != expected.shape:
        return hint(f"expected one map per image at the layer's resolution, shape {expected.shape}, got {got.shape}; "
                    "pass the same layer_name to the check as to grad_cam.")
    if np.allclose(got, expected, atol=1e-3):
        return right("each map now shows the evidence for the true class; where it differs from the map of the "
                     "predicted class, the two classes rested on different parts of the image.")
    predicted = gradcam.grad_cam(model, images, layer_name=layer_name)
    if np.allclose(got, predicted, atol=1e-3):
        return hint("these are the maps of the predicted classes, grad_cam's default: tell it which class to "
                    "explain for each image (its class_indices argument).")
    return hint("not the maps of the true classes at that layer: pass the images, their true labels as "
                "class_indices and the same layer_name.")


def check_11_grad_cam(heatmap, feature_maps: np.ndarray, gradients: np.ndarray) -> Feedback:
    """Exercise 11.2: Grad-CAM by hand for one image from the ``(h, w, K)``
    feature maps and gradients of ``gradcam.class_activation_gradients``:
    weights = gradients averaged over the positions, map = ReLU of the weighted
    sum of the feature maps, divided by its maximum (Selvaraju et al., 2017)."""
    feature_maps = np.asarray(feature_maps, dtype=np.float64)
    gradients = np.asarray(gradients, dtype=np.float64)
    if feature_maps.ndim == 4:
        return hint("pass the maps and gradients of one image, shape (h, w, K): index the batch with [i].")
    weights = gradients.mean(axis=(0, 1))
    raw = (feature_maps * weights).sum(axis=-1)

    def scaled(m):
        peak = m.max()
        return m / peak if peak > 0 else np.zeros_like(m)

    expected = scaled(np.maximum(raw, 0))
    heatmap = as_array(heatmap)
    if heatmap is None:
        return hint("give the heat map as an array.")
    if heatmap.shape != expected.shape:
        return hint(f"the heat map should have the feature maps' height and width {expected.shape}, "
                     f"not {heatmap.shape}: sum over the channels (last axis).")
    if np.allclose(heatmap, expected, atol=1e-4):
        return right("weights from the gradients averaged over positions, a weighted sum of the maps, ReLU, scaled to 1.")
    if np.allclose(heatmap, np.maximum(raw, 0), rtol=1e-4, atol=1e-6):
        return hint("right map, not yet scaled: divide by its maximum so that it runs from 0 to 1.")
    if np.allclose(heatmap, scaled(np.abs(raw)), atol=1e-4) or heatmap.min() < -1e-6:
        return hint("keep only the positive evidence: apply a ReLU (np.maximum(map, 0)) before scaling.")
    other = scaled(np.maximum((feature_maps * gradients).sum(axis=-1), 0))
    if np.allclose(heatmap, other, atol=1e-4):
        return hint("average the gradients over the positions first (axis=(0, 1)): one weight per feature map.")
    return hint("not the Grad-CAM map. Follow section 1's steps in order: one weight per feature map from its "
                 "gradients, the maps summed with those weights, a ReLU, then a division by the maximum.")


def centre_mask(size: int) -> np.ndarray:
    """The middle cells of a ``(size, size)`` map without a border of ``size // 4`` cells, as
    lesson 11 defines the image's centre; bool ``(size, size)``."""
    mask = np.zeros((size, size), dtype=bool)
    mask[size // 4: size - size // 4, size // 4: size - size // 4] = True
    return mask


def check_11_centre_share(shares, heatmaps: np.ndarray) -> Feedback:
    """Exercise 11.3: for each heat map with any heat, the share of its heat (sum of its values)
    in the centre cells (:func:`centre_mask`), as lesson 11 computes it; all-dark maps left out.

    Args:
        shares: the student's shares, one per map with heat, in the maps' order, fractions 0..1.
        heatmaps: the ``(N, h, w)`` maps of ``gradcam.grad_cam``.
    """
    heatmaps = np.asarray(heatmaps, dtype=np.float64)
    centre = centre_mask(heatmaps.shape[1])
    heat = heatmaps.sum(axis=(1, 2))
    has_heat = heat > 0
    expected = heatmaps[has_heat][:, centre].sum(axis=1) / heat[has_heat]
    got = as_array(shares)
    if got is None:
        return hint("give the shares as a list or array of numbers.")
    got = got.reshape(-1)
    if len(got) == len(heatmaps) and not has_heat.all():
        return hint(f"{int((~has_heat).sum())} of the maps are all dark: they have no heat to share out; leave them out.")
    if len(got) != len(expected):
        return hint(f"give one share per map with heat ({len(expected)} here), in the maps' order.")
    if np.allclose(got, 100 * expected, atol=1e-3):
        return hint("those are percentages; give fractions.")
    cells = heatmaps[has_heat][:, centre].mean(axis=1)
    if np.allclose(got, cells, atol=1e-4):
        return hint("that is the mean heat of the centre cells; divide the centre's heat by the whole map's heat.")
    if not np.allclose(got, expected, atol=1e-4):
        return hint("not the shares: for each map, the heat in the centre cells divided by the heat of the whole map.")
    return right("one share per map with heat, the centre's heat over the whole map's. Compare their mean with "
                 "the share of the cells the centre holds (what a map spread evenly would give), and read them "
                 "with the pictures: a share summarises where the heat is, not what it was on.")
