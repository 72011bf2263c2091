"""A network pretrained on ImageNet from ``keras.applications``, where the
weights can be downloaded, and a clear word where they cannot (lesson 10).

The course uses MobileNetV2 (Sandler et al., 2018, "MobileNetV2: Inverted
Residuals and Linear Bottlenecks") at width multiplier ``alpha=0.35`` and
96x96 inputs: the smallest of the Keras application models with ImageNet
weights published for that size (no warning, no 224x224 weights stretched to
another size), 410,208 parameters without its top. Its weights come from
Google's storage through ``keras.utils.get_file`` (Keras' own download, with
its checksum), cached in ``~/.keras/models``.
"""

from __future__ import annotations

import dataclasses

import keras

INPUT_SIZE = 96  # pixels; one of the sizes MobileNetV2's ImageNet weights exist for (96, 128, 160, 192, 224)
ALPHA = 0.35
# Where keras.applications downloads MobileNetV2's weights from; probed first,
# so that a network that drops packets fails in seconds instead of hanging.
WEIGHTS_HOST = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
PROBE_TIMEOUT_S = 5.0


@dataclasses.dataclass
class PretrainedBase:
    """What :func:`imagenet_base` returns.

    Attributes:
        model: the convolutional base (``include_top=False``): input
            ``(batch, 96, 96, 3)`` with pixels scaled to [-1, 1] (see
            :func:`preprocessing_layer`), output ``(batch, 3, 3, 1280)``.
        weights_loaded: whether it holds ImageNet weights (else random ones).
        message: one line saying which, the same on every machine without
            internet (a notebook's checked output).
        reason: why the weights are missing (the exception's type), or ``None``.
    """

    model: keras.Model
    weights_loaded: bool
    message: str
    reason: str | None = None


def preprocessing_layer(name: str = "mobilenet_v2_preprocess") -> keras.layers.Rescaling:
    """``keras.applications.mobilenet_v2.preprocess_input`` as a layer: pixels
    0..255 to [-1, 1] (``x / 127.5 - 1``), so the model takes raw images. It computes in
    float32 whatever the dtype policy, so it matches ``preprocess_input`` exactly."""
    return keras.layers.Rescaling(1 / 127.5, offset=-1.0, dtype="float32", name=name)


def _weights_reachable(timeout_s: float) -> str | None:
    """``None`` if the weights' host answers at all, else why not (one line)."""
    import requests

    try:
        requests.head(WEIGHTS_HOST, timeout=timeout_s)
    except requests.RequestException as err:
        return type(err).__name__
    return None


def imagenet_base(weights: str | None = "imagenet", *, timeout_s: float = PROBE_TIMEOUT_S) -> PretrainedBase:
    """MobileNetV2 (alpha 0.35, 96x96) without its classifier, with ImageNet weights if they can be had.

    Args:
        weights: ``"imagenet"`` to try the pretrained weights; ``None`` for
            random ones (tests, or a shape check offline).
        timeout_s: seconds allowed to reach the weights' host before going on
            without them.

    Returns:
        A :class:`PretrainedBase`. Never raises for a missing network: it
        returns the base with random weights and a message saying so.

    Raises:
        ValueError: ``weights`` is neither ``"imagenet"`` nor ``None``.
    """
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' or None, got {weights!r}.")

    def build(w):
        return keras.applications.MobileNetV2(input_shape=(INPUT_SIZE, INPUT_SIZE, 3), alpha=ALPHA,
                                              include_top=False, weights=w)

    if weights is None:
        return PretrainedBase(build(None), False, "MobileNetV2 built with random weights (weights=None).")
    why = _weights_reachable(timeout_s)
    if why is None:
        try:
            return PretrainedBase(build("imagenet"), True, "MobileNetV2 loaded with its ImageNet weights.")
        except Exception as err:  # noqa: BLE001 (any download failure: the lesson goes on without it)
            why = type(err).__name__
    return PretrainedBase(build(None), False,
                          "ImageNet weights unavailable here (no internet), so this model is shown untrained; the "
                          "lesson goes on with its own pre-trained base. With internet, they download once into "
                          "~/.keras/models.", why)
