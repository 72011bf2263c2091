"""Model builders used across the lessons.

Every builder returns an *uncompiled* ``keras.Model`` that takes uint8 or
float32 images of shape ``(32, 32, 3)`` **already scaled to [0, 1]** (see
:func:`cifar_tutorial.data.scale_pixels`) and outputs class probabilities of
shape ``(10,)`` through a softmax, so that lessons can compare them fairly.
The output layer computes in float32 whatever the dtype policy
(:mod:`cifar_tutorial.mixed_precision`), so probabilities and the loss keep
full precision and NumPy and scikit-learn read them as float32.
Call :func:`compile_classifier` to compile with the series' defaults.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import keras
from keras import layers

from cifar_tutorial import recipe  # noqa: F401  (registers the recipe's loss, so saved models load)
from cifar_tutorial.config import __version__, workspace_dir
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
    model.add(layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities"))
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


def build_tutorial_cnn(name: str = "tutorial_cnn") -> keras.Model:
    """The TensorFlow "Convolutional Neural Network" tutorial's model, as the reference.

    Conv 32 3x3 - MaxPool - Conv 64 3x3 - MaxPool - Conv 64 3x3 (all 'valid',
    ReLU), Flatten, Dense 64 ReLU, Dense 10 (softmax here, where the tutorial
    outputs logits). Source: https://www.tensorflow.org/tutorials/images/cnn.
    122,570 parameters.
    """
    return keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE, name="image"),
        layers.Conv2D(32, 3, activation="relu", name="conv_1"),
        layers.MaxPooling2D(name="pool_1"),
        layers.Conv2D(64, 3, activation="relu", name="conv_2"),
        layers.MaxPooling2D(name="pool_2"),
        layers.Conv2D(64, 3, activation="relu", name="conv_3"),
        layers.Flatten(name="flatten"),
        layers.Dense(64, activation="relu", name="dense"),
        layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities"),
    ], name=name)


def build_small_cnn(name: str = "small_cnn") -> keras.Model:
    """One convolution block and a wide dense head, as in the classic Keras blog
    example: Conv 32 3x3 'same' ReLU, Dropout 0.2, MaxPool, Flatten, Dense 512
    ReLU, Dropout 0.5, softmax. 4,200,842 parameters, almost all in the Dense
    layer that reads the 16x16x32 = 8192 pooled features.
    """
    return keras.Sequential([
        keras.Input(shape=IMAGE_SHAPE, name="image"),
        layers.Conv2D(32, 3, padding="same", activation="relu", name="conv"),
        layers.Dropout(0.2, name="dropout_conv"),
        layers.MaxPooling2D(name="pool"),
        layers.Flatten(name="flatten"),
        layers.Dense(512, activation="relu", name="dense"),
        layers.Dropout(0.5, name="dropout_dense"),
        layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities"),
    ], name=name)


def build_augmentation(translation: float = 0.125, name: str = "augmentation") -> keras.Sequential:
    """Random horizontal flips and shifts, as Keras preprocessing layers.

    Active only in training (``model.fit``); at ``evaluate``/``predict`` time
    the layers pass images through unchanged.

    Args:
        translation: largest shift as a fraction of height and width (0.125 =
            4 pixels), with the border filled by reflection.
    """
    return keras.Sequential([
        layers.RandomFlip("horizontal"),
        layers.RandomTranslation(translation, translation, fill_mode="reflect"),
    ], name=name)


def build_cnn(filters: tuple[int, ...] = (32, 64, 128), convs_per_block: int | tuple[int, ...] = 2, *,
              dropout: float = 0.0, l2: float = 0.0, batch_norm: bool = False,
              augmentation: bool | keras.Model = False, dense_units: int = 128, head_dropout: float | None = None,
              name: str = "cnn") -> keras.Model:
    """A VGG-style stack of conv blocks, with each regularizer of lesson 04 as a switch.

    Each block is ``convs_per_block`` times [Conv2D 3x3 'same', optional
    BatchNormalization, ReLU], then 2x2 max pooling (halving height and width)
    and optional dropout. The head is global average pooling, Dense
    ``dense_units`` ReLU, optional dropout, and a 10-way softmax.

    Args:
        filters: channels of each block; three blocks take 32x32 to 4x4.
        convs_per_block: conv layers in every block, or one count per block.
        dropout: rate after each block and before the output layer (0 = none).
        head_dropout: rate before the output layer if it should differ from
            ``dropout``.
        l2: L2 weight-decay factor on every kernel (0 = none); adds
            ``l2 * sum(w**2)`` to the loss.
        batch_norm: normalise each conv layer's outputs over the batch
            (Ioffe and Szegedy, 2015); the conv then needs no bias.
        augmentation: put :func:`build_augmentation` in front (``True``), or
            the given model of preprocessing layers.

    Returns:
        An uncompiled model mapping ``(batch, 32, 32, 3)`` in [0, 1] to ``(batch, 10)``.
    """
    regularizer = keras.regularizers.L2(l2) if l2 else None
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    if isinstance(augmentation, keras.Model):
        x = augmentation(inputs)
    else:
        x = build_augmentation()(inputs) if augmentation else inputs
    counts = convs_per_block if isinstance(convs_per_block, (tuple, list)) else [convs_per_block] * len(filters)
    for b, (width, count) in enumerate(zip(filters, counts), start=1):
        for c in range(1, count + 1):
            x = layers.Conv2D(width, 3, padding="same", use_bias=not batch_norm,
                              kernel_regularizer=regularizer, name=f"block{b}_conv{c}")(x)
            if batch_norm:
                x = layers.BatchNormalization(name=f"block{b}_bn{c}")(x)
            x = layers.Activation("relu", name=f"block{b}_relu{c}")(x)
        x = layers.MaxPooling2D(name=f"block{b}_pool")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"block{b}_dropout")(x)
    x = layers.GlobalAveragePooling2D(name="global_pool")(x)
    x = layers.Dense(dense_units, activation="relu", kernel_regularizer=regularizer, name="dense")(x)
    head_dropout = dropout if head_dropout is None else head_dropout
    if head_dropout:
        x = layers.Dropout(head_dropout, name="dense_dropout")(x)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", dtype="float32", name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def default_models_dir() -> Path:
    """Where lessons save models: ``models/`` of the workspace
    (:func:`cifar_tutorial.config.workspace_dir`: ``$CIFAR_TUTORIAL_HOME/models``,
    else ``<repo>/models``, git-ignored), else ``./models``."""
    return workspace_dir("models") or Path("models")


def save_with_metadata(model: keras.Model, name: str, metadata: dict, models_dir=None):
    """Save ``model`` as ``<models_dir>/<name>.keras`` (Keras 3 format) and
    ``metadata`` beside it as ``<name>.json``.

    Both are written under temporary names and renamed into place, so a
    reader never sees a half-written model. Returns the ``.keras`` path.

    Args:
        metadata: JSON-serialisable facts about the model (data source,
            profile, seed, accuracy); the date and time (``saved``) and the
            package version are added.
    """
    folder = Path(models_dir) if models_dir is not None else default_models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path, meta_path = folder / f"{name}.keras", folder / f"{name}.json"
    tmp = folder / f".{name}.tmp.keras"
    model.save(tmp)
    meta_tmp = folder / f".{name}.tmp.json"
    saved = {**metadata, "saved": time.strftime("%Y-%m-%d %H:%M"), "package_version": __version__}
    meta_tmp.write_text(json.dumps(saved, indent=2) + "\n")
    os.replace(tmp, path)
    os.replace(meta_tmp, meta_path)
    return path


def load_with_metadata(name: str, models_dir=None):
    """Load a model saved by :func:`save_with_metadata`.

    Returns:
        ``(model, metadata)``.

    Raises:
        FileNotFoundError: if ``<name>.keras`` or its ``.json`` is missing.
    """
    folder = Path(models_dir) if models_dir is not None else default_models_dir()
    path, meta_path = folder / f"{name}.keras", folder / f"{name}.json"
    if not path.is_file() or not meta_path.is_file():
        raise FileNotFoundError(f"No saved model {name!r} in {folder}: run lesson 04 to train and save it.")
    return keras.saving.load_model(path), json.loads(meta_path.read_text())


@keras.saving.register_keras_serializable(package="cifar_tutorial")
class HorizontalFlip(layers.Layer):
    """Mirror images left to right, always (unlike ``RandomFlip``, which flips
    at random and only while training). Input and output ``(batch, height,
    width, channels)``, any dtype."""

    def call(self, inputs):
        return keras.ops.flip(inputs, axis=-2)


def with_flip_tta(model: keras.Model, name: str | None = None) -> keras.Model:
    """Wrap ``model`` with horizontal-flip *test-time augmentation*: the
    wrapper predicts each image and its mirror image and averages the two
    probability vectors.

    Training augmentation taught the network that a mirrored horse is still a
    horse, so the two predictions are two views of the same evidence; their
    mean is less noisy (Krizhevsky et al., 2012, "ImageNet Classification with
    Deep Convolutional Neural Networks", section 4.1, averaged ten crops and
    flips). For the course's recipe (:mod:`cifar_tutorial.recipe`) it changed test
    accuracy on the 5,085-image sample by -0.7, +1.3 and +1.4 points over three
    seeds (``benchmarks/results/fast_recipe_trials.jsonl``, trials ``w-lr0.15*``):
    not always a gain, which is why lessons keep it only when the validation set
    says so (:func:`cifar_tutorial.training.choose_flip_tta`). It costs two
    forward passes per image and no training.

    Args:
        model: a trained model mapping ``(batch, 32, 32, 3)`` images to
            ``(batch, 10)`` probabilities; its weights are shared, not copied.
        name: the wrapper's name (default: ``<model.name>_flip_tta``).

    Returns:
        A model with the same input and output shapes, compiled by
        :func:`compile_classifier` (plain cross-entropy and accuracy) for
        ``evaluate``; it is for prediction, not training. Its optimizer is
        built, so that it saves and loads in the ``.keras`` format without a
        warning about optimizer variables.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE, name="image")
    # float32 whatever the dtype policy: the mirror image is the image, and the mean is a probability.
    mirrored = HorizontalFlip(name="mirror", dtype="float32")(inputs)
    probabilities = layers.Average(name="mean_probabilities", dtype="float32")([model(inputs), model(mirrored)])
    wrapper = compile_classifier(keras.Model(inputs, probabilities, name=name or f"{model.name}_flip_tta"))
    wrapper.optimizer.build(wrapper.trainable_variables)
    return wrapper


def describe_saved_model(metadata: dict, profile: str | None = None, data: str | None = None) -> str:
    """What a model saved by :func:`save_with_metadata` was trained on, for a
    student to read before trusting its predictions (lesson 05, and the
    README's own-photo recipe).

    Args:
        metadata: the dict :func:`load_with_metadata` returns.
        profile: the profile in force now (``Profile.name``), or ``None`` not to compare.
        data: the data source in force now (``DataSource.description``), or
            ``None`` not to compare.

    Returns:
        One line of facts (variant, profile, training images, epochs, test
        accuracy, date saved), then one plain warning line for each way the
        model differs from the run in force.
    """
    def fact(key, fmt="{}"):
        value = metadata.get(key)
        return "unknown" if value is None else fmt.format(value)

    lines = [f"Saved model: {fact('variant')}; trained in profile {fact('profile', '{!r}')} on "
             f"{fact('train_images', '{:,}')} images for {fact('epochs')} epochs; test accuracy "
             f"{fact('test_accuracy', '{:.1%}')}; saved {fact('saved')}."]
    if profile is not None and metadata.get("profile") != profile:
        lines.append(f"Warning: this model was trained in profile {metadata.get('profile')!r}, not in the "
                     f"profile in force ({profile!r}): its accuracy is that profile's, not this one's. Run "
                     "lesson 04 in this profile to replace it.")
    if data is not None and metadata.get("data") != data:
        lines.append(f"Warning: this model was trained on other data ({metadata.get('data')}) than this "
                     f"run's ({data}).")
    return "\n".join(lines)
