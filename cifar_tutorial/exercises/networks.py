"""Checks for the exercises of lessons 03 (convolutional networks), 04 (training and comparing
CNNs) and 05 (regularization)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np
from scipy.signal import correlate2d

from cifar_tutorial.exercises.feedback import Feedback, all_layers, as_int, hint, right

SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32)


def _close(got, expected, atol: float = 1e-4) -> bool:
    """``np.allclose``, looser where ``got`` was computed in bfloat16 (about 3 significant
    digits: Keras' ``mixed_bfloat16`` policy, see :mod:`cifar_tutorial.mixed_precision`)."""
    got = keras.ops.convert_to_numpy(got)
    if str(np.asarray(got).dtype) == "bfloat16":
        # bfloat16 keeps 8 significant bits: an error of about 0.4% of the largest value
        # (inputs rounded, then summed over the kernel), whatever the pixels' scale (0..1 or 0..255).
        scale = max(1.0, float(np.max(np.abs(expected))))
        return np.allclose(np.asarray(got, dtype=np.float64), expected, rtol=1e-2, atol=3e-2 * scale)
    return np.allclose(np.asarray(got, dtype=np.float64), expected, atol=atol)


def check_03_sharpen(kernel, filtered, grey: np.ndarray) -> Feedback:
    """Exercise 03.1: the sharpening kernel ``[[0,-1,0],[-1,5,-1],[0,-1,0]]``
    and the result of convolving the grey image with it ('same' padding).

    Args:
        kernel: the student's ``(3, 3)`` kernel.
        filtered: the convolution output, ``(1, 32, 32, 1)`` or ``(32, 32)``.
        grey: the grey input image, ``(1, 32, 32, 1)`` as in the lesson.
    """
    kernel = np.asarray(kernel, dtype=np.float32).reshape(-1)
    if kernel.shape != (9,) or not np.allclose(kernel, SHARPEN.reshape(-1)):
        return hint("the kernel should be [[0, -1, 0], [-1, 5, -1], [0, -1, 0]].")
    image = np.asarray(grey, dtype=np.float64).reshape(32, 32)
    got = np.asarray(keras.ops.convert_to_numpy(filtered)).squeeze()
    if got.shape == (30, 30):
        return hint("the output is 30x30: use padding='same' to keep 32x32.")
    if got.shape != (32, 32):
        return hint(f"expected a 32x32 output, got shape {got.shape}.")
    if not _close(got, correlate2d(image, SHARPEN, mode="same")):
        return hint("the output differs from the sharpening of the grey image. Set the kernel with set_weights "
                     "as the lesson does (shape (3, 3, 1, 1)) and use_bias=False.")
    return right("the sharpening filter adds the difference between a pixel and its neighbours, so edges "
                  "stand out more.")


def _receptive_field(model) -> int:
    """Receptive field (input pixels per side) of one output of ``model``'s last layer:
    each convolution or pooling layer adds (kernel - 1) x the product of the strides below it."""
    field, jump = 1, 1
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kernel, stride = layer.kernel_size[0], layer.strides[0]
        elif isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            kernel, stride = layer.pool_size[0], layer.strides[0]
        else:
            continue
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def check_03_output_shapes(predicted, model, receptive_field=None) -> Feedback:
    """Exercise 03.2: the shape each layer of ``model`` outputs,
    predicted with the output-size formula before running ``model.summary()``, and the
    receptive field of the last layer's outputs.

    Args:
        predicted: one ``(height, width, channels)`` tuple per layer of the
            ``Sequential`` ``model``, in order (the batch axis left out).
        model: the built ``keras.Sequential`` whose shapes were predicted.
        receptive_field: the side in input pixels of the square one output
            of the last layer depends on (lesson 03's rule: each layer adds
            (kernel - 1) x the product of the strides below it).

    The feedback names the first layer predicted wrong and the formula, without
    giving its shape or the field; right shapes without a field get a hint asking for it.
    """
    if not isinstance(model, keras.Sequential):
        return hint("pass the keras.Sequential stack whose shapes you predicted.")
    actual = [tuple(layer.output.shape[1:]) for layer in model.layers]
    try:
        predicted = [tuple(int(v) for v in shape) for shape in predicted]
    except (TypeError, ValueError):
        return hint("give one (height, width, channels) tuple of whole numbers per layer, e.g. [(30, 30, 8), ...].")
    if len(predicted) != len(actual):
        return hint(f"give one shape per layer: the stack has {len(actual)} layers, you gave {len(predicted)}.")
    for i, (guess, shape, layer) in enumerate(zip(predicted, actual, model.layers)):
        if guess == shape:
            continue
        if guess[:2] == shape[:2]:
            return hint(f"layer {i + 1} ({layer.name}): height and width are right, the channels are not. "
                        "A Conv2D outputs one channel per filter; pooling keeps the channels.")
        return hint(f"layer {i + 1} ({layer.name}): the height and width are not right. Apply "
                    "floor((n + 2p - kernel) / stride) + 1 to its input side n ('valid': p = 0; "
                    "'same': the output is ceil(n / stride)).")
    if receptive_field is None:
        return hint("the shapes are right; now give the receptive field of the last layer's outputs as well "
                    "(receptive_field=...), worked out by lesson 03's rule.")
    field = as_int(receptive_field)
    if field != _receptive_field(model):
        return hint("the shapes are right; the receptive field is not. Start from 1; each convolution or "
                    "pooling layer adds (kernel - 1) times the product of the strides of the layers below it.")
    return right("every shape follows from the output-size formula, and the receptive field from the "
                  "jump rule; model.summary() shows the same shapes.")


def check_03_small_model(model, parameter_count, max_parameters: int = 100_000) -> Feedback:
    """Exercise 03.3: a CNN of your own design with at most
    ``max_parameters`` parameters: input ``(32, 32, 3)``, output 10
    probabilities, at least two ``Conv2D`` layers; and ``parameter_count``, the
    student's count of its parameters worked out layer by layer before building it.
    """
    if not isinstance(model, keras.Model):
        return hint("pass a keras.Model (start it with keras.Input(shape=(32, 32, 3))).")
    if tuple(model.input_shape[1:]) != (32, 32, 3):
        return hint(f"the input shape is {model.input_shape[1:]}; CIFAR-10 images are (32, 32, 3).")
    if tuple(model.output_shape[1:]) != (10,):
        return hint(f"the output shape is {model.output_shape[1:]}; end with Dense(10, activation='softmax').")
    if not any(isinstance(layer, keras.layers.Rescaling) for layer in model.layers[:2]):
        return hint("start with layers.Rescaling(1 / 255): the images arrive as pixels 0..255.")
    if getattr(getattr(model.layers[-1], "activation", None), "__name__", "") != "softmax":
        return hint("end with a softmax, so the outputs are class probabilities.")
    convs = [layer for layer in all_layers(model) if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) < 2:
        return hint("use at least two Conv2D layers.")
    if model.count_params() > max_parameters:
        return hint(f"{model.count_params():,} parameters is over {max_parameters:,}. The Dense layer after Flatten "
                     "is usually the largest: pool more, or use GlobalAveragePooling2D.")
    count = as_int(parameter_count)
    if count is None:
        return hint(f"give your count of the model's parameters as a whole number, not {parameter_count!r}.")
    if count != model.count_params():
        without_bias = model.count_params() - sum(
            layer.filters if isinstance(layer, keras.layers.Conv2D) else layer.units
            for layer in all_layers(model)
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)) and layer.use_bias)
        if count == without_bias:
            return hint("your count leaves out the biases: one per filter of each Conv2D and one per unit of each Dense.")
        return hint("your count differs from the model's. Go layer by layer: a Conv2D has (kernel height × kernel "
                    "width × input channels + 1) × filters, a Dense (inputs + 1) × units; compare each with "
                    "model.summary().")
    return right(f"a CNN within {max_parameters:,} parameters, counted right. Lesson 04's exercise 3 trains it and "
                 "compares it with the lesson's models.")


def check_04_dark_maps(count, activations: keras.Model, image: np.ndarray) -> Feedback:
    """Exercise 04.1: how many of a layer's feature maps for one image are zero everywhere shown
    (the outer ring of pixels left out, as lesson 04 draws them).

    Args:
        count: the student's count, a whole number.
        activations: a ``keras.Model`` from the network's input to the layer (lesson 04's
            ``activations``, the deeper CNN's ``block1_conv1`` after its ReLU).
        image: one image ``(32, 32, 3)``, uint8, as in ``splits.x_test``.

    Returns:
        :class:`Feedback`; the hints recognise a count of the maps that are not dark, and a
        count with the outer ring kept, never giving the number.
    """
    value = as_int(count)
    if value is None:
        return hint(f"give the count as a whole number, not {count!r}.")
    maps = keras.ops.convert_to_numpy(activations(np.asarray(image)[None]))[0]
    dark = int(np.sum(maps[1:-1, 1:-1].max(axis=(0, 1)) == 0))
    if value == dark:
        return right("a map is dark where the filter's response is at most zero everywhere shown: its pattern is "
                     "absent from this image, or the unit responds to nothing. Which maps are dark depends on the image.")
    if value == maps.shape[-1] - dark:
        return hint("that counts the maps with some response; the question asks for those zero everywhere shown.")
    if value == int(np.sum(maps.max(axis=(0, 1)) == 0)):
        return hint("leave out the outermost ring of pixels, as the lesson does (maps[1:-1, 1:-1]): the zero padding "
                    "makes false responses there.")
    return hint("compute the maps with activations(image[None]), drop the outer ring, and count the maps whose largest "
                "value is 0.")


def check_04_cost_ratio(ratio, slow_run, fast_run) -> Feedback:
    """Exercise 04.2: how many times longer one model's epochs took than another's, from two
    runs (:class:`cifar_tutorial.training.TrainingRun`, each with ``seconds_per_epoch`` and its
    ``model``).

    Args:
        ratio: the student's ratio, ``slow_run.seconds_per_epoch / fast_run.seconds_per_epoch``.
        slow_run, fast_run: lesson 04's ``runs["small_cnn"]`` and ``runs["tutorial_cnn"]``.

    Returns:
        :class:`Feedback`, right within 2%; the hints recognise the inverted ratio and the ratio of
        parameter counts.
    """
    try:
        value = float(ratio)
    except (TypeError, ValueError):
        return hint("give the ratio as one number.")
    expected = slow_run.seconds_per_epoch / fast_run.seconds_per_epoch
    if np.isclose(value, expected, rtol=0.02):
        return right("the seconds' ratio is far from the parameters' ratio: a convolution uses each of its weights at "
                     "every position of its input, so computation follows positions times weights, not the count of "
                     "weights. One timing on a shared CPU, a hint rather than a measurement.")
    if np.isclose(value, 1 / expected, rtol=0.02):
        return hint("that is the tutorial CNN's time over the small CNN's; the question asks the other way round.")
    if np.isclose(value, slow_run.model.count_params() / fast_run.model.count_params(), rtol=0.02):
        return hint("that is the ratio of parameter counts; the question asks for the ratio of seconds per epoch.")
    return hint("divide the small CNN's run.seconds_per_epoch by the tutorial CNN's.")


def check_04_own_cnn(run, val_accuracy, max_parameters: int = 100_000) -> Feedback:
    """Exercise 04.3: a CNN of the student's design (lesson 03's exercise 3) trained with lesson
    04's ``compile_and_fit``, and its last-epoch validation accuracy read from the run.

    Args:
        run: what ``compile_and_fit`` returns (:class:`cifar_tutorial.training.TrainingRun`).
        val_accuracy: the student's reading of the last epoch's validation accuracy, a fraction
            (a percentage above 1 is read as such).
        max_parameters: the design's budget, as in :func:`check_03_small_model`.

    Returns:
        :class:`Feedback`: the design rules of exercise 03.3, a trained run, and the accuracy
        read right; when right, what one run of each can and cannot say.
    """
    if not hasattr(run, "model") or not hasattr(run, "history"):
        return hint("pass the run compile_and_fit returns (its .model and .history).")
    design = check_03_small_model(run.model, run.model.count_params(), max_parameters)
    if not design.correct:
        return design
    history = run.history.get("val_accuracy", [])
    if not history:
        return hint("the run has no validation accuracy: train it with compile_and_fit, which passes validation_data.")
    try:
        value = float(val_accuracy)
    except (TypeError, ValueError):
        return hint("give the validation accuracy as one number.")
    value = value / 100 if value > 1 else value
    if np.isclose(value, history[-1], atol=5e-4):
        return right("your design trained like the lesson's four, read at its last epoch as the table reads them. One "
                     "run each is one draw of starting weights and batch order: before calling it better or worse "
                     "than the deeper CNN, the course's rule needs paired runs over several seeds (five, as the "
                     "study) and an interval on the mean difference that excludes zero.")
    if np.isclose(value, max(history), atol=5e-4):
        return hint("that is the best epoch's; the lesson compares the last epoch's validation accuracy.")
    return hint("read run.history['val_accuracy'][-1], the last epoch's validation accuracy.")


def check_05_gap(epoch, gap, history: Mapping[str, Sequence[float]]) -> Feedback:
    """Exercise 05.1: the epoch (counted from 1) with the highest validation
    accuracy, and the generalization gap there: training accuracy minus
    validation accuracy at that epoch, a fraction (positive when overfitting).

    Args:
        epoch: the student's epoch number, 1 for the first.
        gap: the student's gap at that epoch.
        history: ``History.history``, with ``"accuracy"`` and ``"val_accuracy"`` lists.
    """
    train, val = np.asarray(history["accuracy"], float), np.asarray(history["val_accuracy"], float)
    best = int(np.argmax(val))  # the first epoch reaching the highest validation accuracy
    value = as_int(epoch)
    try:
        number = float(gap)
    except (TypeError, ValueError):
        return hint("give the gap as one number.")
    if value is None or not 1 <= value <= len(val):
        return hint(f"give the epoch as a whole number from 1 to {len(val)}.")
    if value == best and val[value - 1] != val[best]:
        return hint("epochs are counted from 1 in Keras's log: add one to the index np.argmax gives.")
    if val[value - 1] != val[best]:
        return hint("that epoch's validation accuracy is not the highest: np.argmax(history['val_accuracy']) "
                    "gives its index.")
    expected = float(train[value - 1] - val[value - 1])
    if abs(number + expected) < 1e-6 and expected != 0:
        return hint("the sign is reversed: training accuracy minus validation accuracy.")
    if abs(number - 100 * expected) < 1e-4 and expected != 0:
        return hint("that is in percentage points; give it as a fraction.")
    if abs(number - expected) > 1e-6:
        return hint("the epoch is right; take both accuracies at that same epoch.")
    return right("at its best validation epoch the model already does better on the images it trained on; "
                 "regularization aims to shrink that gap.")


def check_05_augmentation(augmentation) -> Feedback:
    """Exercise 05.2: an augmentation model with ``RandomFlip``,
    ``RandomTranslation`` and ``RandomZoom`` that keeps the image shape and
    leaves images unchanged at prediction time."""
    if not isinstance(augmentation, keras.Model):
        return hint("build a keras.Sequential of preprocessing layers, as lesson 05's `augmentation` is.")
    kinds = {type(layer).__name__ for layer in all_layers(augmentation)}
    missing = {"RandomFlip", "RandomTranslation", "RandomZoom"} - kinds
    if missing:
        return hint(f"missing {', '.join(sorted(missing))}.")
    images = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(augmentation(images, training=True))
    if out.shape != images.shape:
        return hint(f"augmentation changed the shape to {out.shape}; it must keep (32, 32, 3).")
    if not _close(augmentation(images, training=False), images, atol=1e-6):
        return hint("at prediction time (training=False) augmentation must leave images unchanged.")
    return right("flip, translation and zoom, active only during training.")


def check_05_callbacks(callbacks: Sequence) -> Feedback:
    """Exercise 05.3: callbacks that stop when validation accuracy has not
    improved for 5 epochs, restore the best weights, and save the best model in
    the ``.keras`` format (lesson 05's step 5 watches validation loss instead)."""
    stops = [c for c in callbacks if isinstance(c, keras.callbacks.EarlyStopping)]
    saves = [c for c in callbacks if isinstance(c, keras.callbacks.ModelCheckpoint)]
    if not stops:
        return hint("add keras.callbacks.EarlyStopping.")
    stop = stops[0]
    if stop.monitor != "val_accuracy" or stop.patience != 5 or not stop.restore_best_weights:
        return hint("EarlyStopping should use monitor='val_accuracy', patience=5, restore_best_weights=True.")
    if not saves:
        return hint("add keras.callbacks.ModelCheckpoint to save the best model.")
    save = saves[0]
    if not str(save.filepath).endswith(".keras"):
        return hint("Keras 3 saves whole models in the .keras format: end the file name with .keras.")
    if not save.save_best_only or save.monitor != "val_accuracy":
        return hint("ModelCheckpoint should use save_best_only=True and monitor='val_accuracy'.")
    return right("early stopping on validation accuracy with the best weights restored, and the best model saved.")
