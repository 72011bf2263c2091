"""The course's training recipe: lesson 07 writes it out layer by layer; this copy
is what lesson 08, ``python -m cifar_tutorial train`` and the benchmark reuse
(a test checks that the two architectures agree).

Chosen from trials on the 5,085-image CIFAR-10 sample on a 2-core CPU
(``benchmarks/fast_recipe_trials.py``, results in
``benchmarks/results/fast_recipe_trials.jsonl``; the epochs of the ``full``
profile from ``benchmarks/recipe_trials.py``, results in
``benchmarks/results/recipe_trials.jsonl``; those trials were scored on the
sample's test images). The peak learning rate and weight decay were then
re-checked on validation accuracy only (``benchmarks/recipe_tuning.py``, results in
``cifar_tutorial/studies/recipe_tuning.json``, printed by lesson 07: 0.05 and 0.4, 5e-5 and 5e-3, three seeds
each; none beat these values by the course's rule), and the ingredients by the
``recipe_ablation`` study. After the fast-CIFAR-10 work:
Keller Jordan's airbench (``KellerJordan/cifar10-airbench``), tysam's
hlb-CIFAR10 and David Page's "How to train your ResNet" (2018):

* a frozen first layer that *whitens* 2x2 patches (airbench): a 2x2
  convolution whose 24 filters are computed from the training images, not
  learned (:func:`patch_whitening_kernel`), so the next layers see
  decorrelated inputs of equal variance from the first step;
* each block is conv -> max-pool -> batch norm -> ReLU -> conv -> batch
  norm -> ReLU: pooling right after the first convolution makes the
  second one (and the normalisation) four times cheaper;
* batch normalization with ``momentum`` 0.6 instead of Keras' 0.99, so that its
  moving statistics, used at validation and test time, keep up with the
  weights in runs of a few hundred steps (with 0.99 validation accuracy stayed
  at chance for the first epochs);
* label smoothing 0.2 (Szegedy et al., 2016), Nesterov SGD with decoupled
  weight decay, a linear warm-up then cosine decay;
* flips and shifts of up to 2 whole pixels as augmentation layers inside the
  model (``interpolation="nearest"``: airbench shifts by whole pixels too; a
  shift by a fraction of a pixel blends neighbouring pixels and blurs the
  image, which test images never are. On the sample, 14 epochs in bfloat16,
  seeds 42, 7 and 2026: 73.6, 72.0 and 73.7% test accuracy against 72.0, 68.8
  and 70.9% with Keras' default bilinear shifts; ``recipe_trials.jsonl``,
  trials ``nearest-*`` and ``tta-*``), and flip test-time augmentation
  (:func:`cifar_tutorial.inference.predict_probabilities` with ``flip_tta=True``).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cifar_tutorial.datasets import CLASS_NAMES, IMAGE_SHAPE

NUM_CLASSES = len(CLASS_NAMES)
BATCH_SIZE = 128
PEAK_LEARNING_RATE = 0.15
WEIGHT_DECAY = 5e-4
LABEL_SMOOTHING = 0.2
BATCH_NORM_MOMENTUM = 0.6
WIDTHS = (32, 64, 128)


def patch_whitening_kernel(images: np.ndarray, epsilon: float = 5e-4, max_patches: int = 500_000) -> np.ndarray:
    """Filters of a 2x2 convolution that whitens image patches (airbench's first layer).

    Every 2x2x3 patch is a vector of 12 numbers. The eigenvectors of their
    covariance matrix, each divided by the square root of its eigenvalue
    (plus ``epsilon``), map patches to 12 uncorrelated outputs of variance
    about 1 (PCA whitening); the 12 negated filters are added so that a ReLU
    or max-pool after them loses nothing: 24 filters in all.

    Args:
        images: the training images ``(N, 32, 32, 3)``, uint8 0..255 (scaled
            here by 1/255, as the model's ``Rescaling`` layer does) or float in
            [0, 1]; never validation or test images: they must not shape the model.
        epsilon: added to the eigenvalues, so near-constant directions are not
            amplified without bound.
        max_patches: patches used at most, evenly spaced (the covariance of
            500,000 patches is as good as that of all of them).

    Returns:
        float32 kernel ``(2, 2, 3, 24)`` for ``Conv2D(24, 2)``.
    """
    images = np.asarray(images)
    images = images.astype(np.float32) / np.float32(255.0) if images.dtype == np.uint8 else images.astype(np.float32)
    patches = np.lib.stride_tricks.sliding_window_view(images, (2, 2), axis=(1, 2))
    patches = patches.transpose(0, 1, 2, 4, 5, 3).reshape(-1, 12)  # (patches, h * w * c)
    patches = patches[:: max(1, len(patches) // max_patches)].astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(patches, rowvar=False))
    filters = (eigenvectors / np.sqrt(eigenvalues + epsilon)).T.reshape(12, 2, 2, 3)
    filters = np.concatenate([filters, -filters])  # (24, h, w, c)
    return filters.transpose(1, 2, 3, 0).astype(np.float32)


def make_model(whitening_images: np.ndarray | None = None, widths: tuple[int, int, int] = WIDTHS,
               name: str = "course_cnn", num_classes: int = NUM_CLASSES, *, whitening: bool = True,
               augmentation: bool = True, batch_norm_momentum: float = BATCH_NORM_MOMENTUM) -> keras.Sequential:
    """The course's CNN as a plain stack of Keras layers.

    Input: images ``(batch, 32, 32, 3)`` with pixels 0..255 (uint8 or float),
    scaled to [0, 1] by the model's first layer (``Rescaling``). Output:
    ``(batch, num_classes)`` class probabilities, computed in float32 whatever the
    dtype policy (:mod:`cifar_tutorial.mixed_precision`). With the default
    widths it has 296,002 parameters, 312 of them the frozen whitening layer's.

    Args:
        whitening_images: training images to compute the frozen first layer
            from (:func:`patch_whitening_kernel`); ``None`` leaves its random
            initial filters (for a model whose weights will be loaded).
        widths: output channels of the three conv blocks.
        name: the model's name.
        num_classes: output classes (10; lesson 10 pre-trains it on 5).
        whitening, augmentation, batch_norm_momentum: one ingredient switched off or changed,
            for the ablation study in ``benchmarks/studies.py`` (lesson 07); the defaults are the recipe.
    """
    def block(width: int, index: int) -> list:
        return [
            layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{index}_conv1"),
            layers.MaxPooling2D(name=f"block{index}_pool"),
            layers.BatchNormalization(momentum=batch_norm_momentum, name=f"block{index}_bn1"),
            layers.Activation("relu", name=f"block{index}_relu1"),
            layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{index}_conv2"),
            layers.BatchNormalization(momentum=batch_norm_momentum, name=f"block{index}_bn2"),
            layers.Activation("relu", name=f"block{index}_relu2"),
        ]

    model = keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE, name="image"),
        layers.Rescaling(1 / 255, name="rescaling"),
        *([layers.RandomFlip("horizontal", name="random_flip"),
           layers.RandomTranslation(2 / 32, 2 / 32, fill_mode="reflect", interpolation="nearest", name="random_shift")]
          if augmentation else []),
        *([layers.Conv2D(24, 2, trainable=False, name="whitening"),  # 2x2 patches -> 24 whitened values
           layers.Activation("relu", name="whitening_relu")] if whitening else []),
        *block(widths[0], 1),
        *block(widths[1], 2),
        *block(widths[2], 3),
        layers.GlobalMaxPooling2D(name="global_max_pool"),
        layers.Dense(num_classes, name="logits"),
        layers.Activation("softmax", dtype="float32", name="probabilities"),
    ], name=name)
    if whitening and whitening_images is not None:
        model.get_layer("whitening").set_weights([patch_whitening_kernel(whitening_images), np.zeros(24, "float32")])
    return model


@keras.saving.register_keras_serializable(package="cifar_tutorial")  # a compiled model saved with it reloads
class SmoothedSparseCategoricalCrossentropy(keras.losses.Loss):
    """Cross-entropy for integer labels with label smoothing (Szegedy et al.,
    2016, "Rethinking the Inception Architecture", section 7).

    The target for an image of class ``c`` becomes ``1 - label_smoothing +
    label_smoothing / num_classes`` for ``c`` and ``label_smoothing /
    num_classes`` elsewhere, which discourages over-confident predictions.
    Keras' ``SparseCategoricalCrossentropy`` has no smoothing option, so this
    one-hot encodes the labels and calls ``categorical_crossentropy``.

    Args:
        label_smoothing: in [0, 1); 0 gives plain cross-entropy.
        num_classes: width of the one-hot targets.
    """

    def __init__(self, label_smoothing: float = 0.1, num_classes: int = 10,
                 name: str = "smoothed_sparse_categorical_crossentropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.label_smoothing = label_smoothing
        self.num_classes = num_classes

    def call(self, y_true, y_pred):
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        targets = keras.ops.one_hot(labels, self.num_classes)
        return keras.losses.categorical_crossentropy(targets, y_pred, label_smoothing=self.label_smoothing)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing, "num_classes": self.num_classes}


def warmup_cosine_schedule(peak_learning_rate: float, total_steps: int, warmup_fraction: float = 0.2):
    """Learning rate rising linearly from a tenth of ``peak_learning_rate`` over
    the first ``warmup_fraction`` of ``total_steps`` optimizer steps, then
    following a half cosine down to 1% of the peak (Loshchilov and Hutter,
    2017, "SGDR"; Keras' ``CosineDecay`` with ``warmup_target``)."""
    warmup_steps = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 10, decay_steps=max(1, total_steps - warmup_steps),
        alpha=0.01, warmup_target=peak_learning_rate, warmup_steps=warmup_steps,
    )


def steps_per_epoch(num_images: int, batch_size: int) -> int:
    """Optimizer steps in one epoch: ``ceil(num_images / batch_size)`` (Keras
    runs a last, smaller batch)."""
    return -(-num_images // batch_size)


def compile_model(model: keras.Model, *, epochs: int, steps_per_epoch: int,
                  peak_learning_rate: float = PEAK_LEARNING_RATE, weight_decay: float = WEIGHT_DECAY,
                  label_smoothing: float = LABEL_SMOOTHING, num_classes: int = NUM_CLASSES) -> keras.Model:
    """Compile ``model`` with the recipe: Nesterov SGD (momentum 0.9) with
    decoupled ``weight_decay``, the :func:`warmup_cosine_schedule` over
    ``epochs * steps_per_epoch`` steps, :class:`SmoothedSparseCategoricalCrossentropy`
    and the ``accuracy`` metric, for integer labels ``(N,)`` in 0..num_classes-1.

    Returns:
        The same model, compiled.
    """
    schedule = warmup_cosine_schedule(peak_learning_rate, epochs * steps_per_epoch)
    model.compile(optimizer=keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True, weight_decay=weight_decay),
                  loss=SmoothedSparseCategoricalCrossentropy(label_smoothing, num_classes),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model
