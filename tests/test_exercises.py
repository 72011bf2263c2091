"""The exercise checks accept right answers and explain the usual wrong ones.

Synthetic arrays here: the checks are pure functions of their inputs. The
worked solutions in notebooks/solutions/ run the same checks on real CIFAR-10.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cifar_tutorial import exercises as ex
from cifar_tutorial.exercises.networks import SHARPEN
from cifar_tutorial.metrics import accuracy_interval, expected_calibration_error


def assert_right(feedback):
    assert feedback.correct, str(feedback)
    assert str(feedback).startswith("Correct: ")


def assert_hint(feedback, fragment):
    assert not feedback.correct
    assert str(feedback).startswith("Not yet: ")
    assert fragment in feedback.message, feedback.message


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def mlp(hidden_units=(512, 256)):
    """Lesson 02's make_mlp, as a student writes it."""
    return keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                             keras.layers.Dense(hidden_units[0], activation="relu"), keras.layers.Dropout(0.2),
                             keras.layers.Dense(hidden_units[1], activation="relu"), keras.layers.Dropout(0.2),
                             keras.layers.Dense(10, activation="softmax")])


def test_parameter_counts():
    assert_right(ex.check_00_parameters(4810))
    assert_hint(ex.check_00_parameters(4736), "one bias")
    assert_hint(ex.check_00_parameters("many"), "whole number")
    assert_right(ex.check_02_parameters(mlp((256, 128)).count_params()))
    assert_hint(ex.check_02_parameters(3072 * 256 + 256 * 128 + 1280), "one bias")


def test_output_shapes_challenge():
    stack = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 5), keras.layers.MaxPooling2D(),
                              keras.layers.Conv2D(32, 3, strides=2, padding="same"), keras.layers.Conv2D(64, 3)])
    assert_hint(ex.check_03_output_shapes([(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)], stack),
                "now give the receptive field")
    assert_hint(ex.check_03_output_shapes([(30, 30, 16), (15, 15, 16), (8, 8, 32), (6, 6, 64)], stack),
                "layer 1 (conv2d")
    assert_hint(ex.check_03_output_shapes([(28, 28, 16), (14, 14, 16), (7, 7, 16), (5, 5, 64)], stack),
                "channels are not")
    assert_hint(ex.check_03_output_shapes([(28, 28, 16)], stack), "the stack has 4 layers")
    assert_hint(ex.check_03_output_shapes("28x28", stack), "one (height, width, channels) tuple")
    right_shapes = [(28, 28, 16), (14, 14, 16), (7, 7, 32), (5, 5, 64)]
    assert_right(ex.check_03_output_shapes(right_shapes, stack, receptive_field=18))
    assert_hint(ex.check_03_output_shapes(right_shapes, stack, receptive_field=12), "the receptive field is not")


def test_by_hand_forward_pass(rng):
    model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(),
                              keras.layers.Dense(4, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    x = rng.random((3, 8, 8)).astype("float32")
    w1, b1, w2, b2 = model.get_weights()
    z = np.maximum(0, x.reshape(3, -1) @ w1 + b1) @ w2 + b2
    right = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert_right(ex.check_00_by_hand(right, model, x))
    assert_hint(ex.check_00_by_hand(z, model, x), "softmax")
    no_relu = (x.reshape(3, -1) @ w1 + b1) @ w2 + b2
    no_relu = np.exp(no_relu) / np.exp(no_relu).sum(axis=1, keepdims=True)
    if not np.allclose(no_relu, right, atol=1e-4):
        assert_hint(ex.check_00_by_hand(no_relu, model, x), "ReLU")
    assert_hint(ex.check_00_by_hand(right[:1], model, x), "shape")


def test_mistakes():
    y_true = np.array([0, 1, 2, 3, 4, 5])
    probabilities = np.full((6, 6), 0.02)
    for row, (label, p) in enumerate([(0, 0.9), (2, 0.5), (2, 0.9), (4, 0.7), (5, 0.6), (5, 0.9)]):
        probabilities[row, label] = p  # mistakes: rows 1 (0.5), 3 (0.7), 4 (0.6)
    assert_right(ex.check_00_mistakes([4, 3, 1], y_true, probabilities))
    assert_hint(ex.check_00_mistakes([0, 3, 4], y_true, probabilities), "got image(s) [0] right")
    assert_hint(ex.check_00_mistakes([1, 1, 3], y_true, probabilities), "repeat")
    one_mistake = probabilities.copy()
    one_mistake[3, 3], one_mistake[4, 4] = 0.95, 0.95
    assert_right(ex.check_00_mistakes([1], y_true, one_mistake))
    more = np.vstack([probabilities, [[0.02, 0.8, 0.02, 0.02, 0.02, 0.02]]])  # a fourth mistake, surer than row 1
    labels = np.append(y_true, 0)
    assert_hint(ex.check_00_mistakes([1, 3, 4], labels, more), "not the most confident")
    assert_right(ex.check_00_mistakes([6, 3, 4], labels, more))
    with pytest.raises(ValueError, match="probabilities"):
        ex.check_00_mistakes([1], y_true, probabilities.argmax(axis=1))


def test_first_ship():
    y = np.array([3, 8, 1, 8], dtype=np.uint8)
    assert_right(ex.check_01_first_ship(1, np.eye(10)[8], y))
    assert_hint(ex.check_01_first_ship(3, np.eye(10)[8], y), "not the first one")
    assert "flatnonzero" not in str(ex.check_01_first_ship(3, np.eye(10)[8], y))  # no expression to copy
    assert_hint(ex.check_01_first_ship(1, np.eye(10)[1], y), "one-hot")


def test_channel_mean_and_standardize(rng):
    x_test = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    mean = x_test.mean(axis=(0, 1, 2)) / 255
    assert_right(ex.check_01_channel_mean(mean, x_test))
    assert_hint(ex.check_01_channel_mean(mean * 255, x_test), "0-255")
    assert_hint(ex.check_01_channel_mean(mean[:2], x_test), "shape (3,)")

    x_train = rng.random((6, 32, 32, 3))
    m, s = x_train.mean(axis=(0, 1, 2)), x_train.std(axis=(0, 1, 2))
    x_test = rng.random((4, 32, 32, 3)) * 0.5
    assert_right(ex.check_01_standardize((x_train - m) / s, (x_test - m) / s, x_train, x_test))
    own = (x_test - x_test.mean(axis=(0, 1, 2))) / x_test.std(axis=(0, 1, 2))
    assert_hint(ex.check_01_standardize((x_train - m) / s, own, x_train, x_test), "their own statistics")
    assert_hint(ex.check_01_standardize(x_train - m, (x_test - m) / s, x_train, x_test), "mean 0")


def test_accuracy_and_width_sweep(rng):
    probabilities = rng.random((50, 10))
    y = rng.integers(0, 10, 50)
    accuracy = float(np.mean(probabilities.argmax(1) == y))
    assert_right(ex.check_02_accuracy(accuracy, probabilities, y))
    assert_hint(ex.check_02_accuracy(accuracy + 0.1, probabilities, y), "argmax")
    sweep = {(u, u // 2): (mlp((u, u // 2)).count_params(), 0.3) for u in (64, 128, 256)}
    assert_right(ex.check_02_width_sweep(sweep, True, False))  # equal accuracies never fall
    assert_hint(ex.check_02_width_sweep(sweep, "yes", False), "True or False")
    assert_hint(ex.check_02_width_sweep(sweep, True, True), "differences between runs of one width")
    assert_hint(ex.check_02_width_sweep(sweep, True, "no"), "second question")
    sweep[(128, 64)] = (sweep[(128, 64)][0], 0.25)  # the middle width scored lower
    assert_hint(ex.check_02_width_sweep(sweep, True, False), "larger network scored lower")
    assert_right(ex.check_02_width_sweep(sweep, False, False))
    sweep[(256, 128)] = (sweep[(256, 128)][0], 1.5)
    assert_hint(ex.check_02_width_sweep(sweep, False, False), "not a fraction")
    sweep[(256, 128)] = (sweep[(256, 128)][0], 0.35)
    sweep[(64, 32)] = (1, 0.3)
    assert_hint(ex.check_02_width_sweep(sweep, False, False), "count_params")
    expected = mlp((64, 32)).count_params()
    assert f"{expected:,}" not in str(ex.check_02_width_sweep(sweep, False, False))  # the hint keeps the answer
    assert_hint(ex.check_02_width_sweep({(8,): (24_666, 0.2)}, True, False), "at least three")


def test_sharpen(rng):
    grey = rng.random((1, 32, 32, 1)).astype("float32")
    conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
    conv.build((None, 32, 32, 1))
    conv.set_weights([SHARPEN[:, :, None, None]])
    assert_right(ex.check_03_sharpen(SHARPEN, conv(grey), grey))
    assert_hint(ex.check_03_sharpen(np.eye(3), conv(grey), grey), "kernel should be")
    valid = keras.layers.Conv2D(1, 3, padding="valid", use_bias=False)
    valid.build((None, 32, 32, 1))
    valid.set_weights([SHARPEN[:, :, None, None]])
    assert_hint(ex.check_03_sharpen(SHARPEN, valid(grey), grey), "padding='same'")


def test_checks_accept_right_answers_computed_in_bfloat16(rng):
    """Under the mixed_bfloat16 policy the lessons may run in, right answers stay right and wrong ones wrong."""
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        grey = rng.random((1, 32, 32, 1)).astype("float32")
        conv = keras.layers.Conv2D(1, 3, padding="same", use_bias=False)
        conv.build((None, 32, 32, 1))
        conv.set_weights([SHARPEN[:, :, None, None]])
        assert_right(ex.check_03_sharpen(SHARPEN, conv(grey), grey))
        pixels = grey * 255  # the lessons' grey images are on the 0..255 scale
        assert_right(ex.check_03_sharpen(SHARPEN, conv(pixels), pixels))
        conv.set_weights([np.ones((3, 3, 1, 1), "float32")])  # the wrong filter, set by mistake
        assert_hint(ex.check_03_sharpen(SHARPEN, conv(pixels), pixels), "differs from the sharpening")
        assert_hint(ex.check_03_sharpen(SHARPEN, conv(grey), grey), "differs from the sharpening")
        zoom = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.RandomFlip("horizontal"),
                                 keras.layers.RandomTranslation(0.1, 0.1), keras.layers.RandomZoom(0.1)])
        assert_right(ex.check_05_augmentation(zoom))
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_small_model():
    small = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(8, 3),
                              keras.layers.MaxPooling2D(),
                              keras.layers.Conv2D(16, 3), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(10, activation="softmax")])
    by_hand = (3 * 3 * 3 + 1) * 8 + (3 * 3 * 8 + 1) * 16 + (16 + 1) * 10
    assert by_hand == small.count_params()
    assert_right(ex.check_03_small_model(small, by_hand))
    assert_hint(ex.check_03_small_model(small, by_hand - 8 - 16 - 10), "leaves out the biases")
    assert_hint(ex.check_03_small_model(small, by_hand + 1), "layer by layer")
    assert_hint(ex.check_03_small_model(small, "about 2,000"), "whole number")
    unscaled = keras.Sequential([keras.Input((32, 32, 3)), *small.layers[1:]])
    assert_hint(ex.check_03_small_model(unscaled, unscaled.count_params()), "Rescaling")
    linear = keras.Sequential([keras.Input((32, 32, 3)), *small.layers[:-1], keras.layers.Dense(10)])
    assert_hint(ex.check_03_small_model(linear, linear.count_params()), "softmax")
    wide = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(32, 3),
                             keras.layers.Conv2D(32, 3),
                             keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    assert_hint(ex.check_03_small_model(wide, wide.count_params()), "over 100,000")
    one_conv = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Conv2D(8, 3),
                                 keras.layers.Flatten(),
                                 keras.layers.Dense(10, activation="softmax")])
    assert_hint(ex.check_03_small_model(one_conv, one_conv.count_params()), "two Conv2D")
    assert_hint(ex.check_03_small_model(mlp(), 0), "two Conv2D")  # lesson 02's MLP: Rescaling, softmax, no Conv2D


def test_gap_augmentation_callbacks(tmp_path):
    history = {"accuracy": [0.5, 0.8, 0.9], "val_accuracy": [0.4, 0.6, 0.5]}  # best validation: epoch 2
    assert_right(ex.check_05_gap(2, 0.2, history))
    assert_hint(ex.check_05_gap(1, 0.2, history), "add one")
    assert_hint(ex.check_05_gap(3, 0.4, history), "not the highest")
    assert_hint(ex.check_05_gap(2, -0.2, history), "sign")
    assert_hint(ex.check_05_gap(2, 20, history), "percentage")
    assert_hint(ex.check_05_gap(2, 0.4, history), "same epoch")
    assert_hint(ex.check_05_gap("two", 0.2, history), "whole number")

    zoom = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.RandomFlip("horizontal"),
                             keras.layers.RandomTranslation(0.1, 0.1), keras.layers.RandomZoom(0.1)])
    assert_right(ex.check_05_augmentation(zoom))
    flip_shift = keras.Sequential([keras.layers.RandomFlip("horizontal"), keras.layers.RandomTranslation(0.1, 0.1)])
    assert_hint(ex.check_05_augmentation(flip_shift), "RandomZoom")

    stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5, restore_best_weights=True)
    save = keras.callbacks.ModelCheckpoint(tmp_path / "m.keras", monitor="val_accuracy", save_best_only=True)
    assert_right(ex.check_05_callbacks([stop, save]))
    assert_hint(ex.check_05_callbacks([save]), "EarlyStopping")
    assert_hint(ex.check_05_callbacks([keras.callbacks.EarlyStopping(patience=5), save]), "monitor='val_accuracy'")
    lesson_stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    assert_hint(ex.check_05_callbacks([lesson_stop, save]), "patience=5")  # the lesson's callback, copied
    assert_hint(ex.check_05_callbacks([stop, keras.callbacks.ModelCheckpoint(tmp_path / "m.weights.h5",
                                       monitor="val_accuracy", save_best_only=True, save_weights_only=True)]), ".keras")
    assert_hint(ex.check_05_callbacks([stop, keras.callbacks.ModelCheckpoint(tmp_path / "m.keras", monitor="val_loss",
                                                                              save_best_only=True)]), "monitor='val_accuracy'")


def test_lesson_08_checks(rng):
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 0, 1, 0, 0, 0])  # recall: 0 -> 1.0, 1 -> 0.5, 2 -> 0.0
    names = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
    assert_hint(ex.check_08_lowest_recall("c", y_true[:6], y_pred, names[:3]), "now give its 95% Wilson interval")
    assert_hint(ex.check_08_lowest_recall("b", y_true, y_pred, names[:3]), "not the lowest")
    assert_hint(ex.check_08_lowest_recall("zebra", y_true, y_pred, names[:3]), "not a class name")
    many_true, many_pred = np.repeat(y_true, 10), np.repeat(y_pred, 10)  # class b: recall 0.5 on 20 images
    many_pred[many_true == 2] = 2  # class c now perfect, so b is the lowest
    b = many_true == 1
    _, low, high = accuracy_interval(many_true[b], many_pred[b])
    assert_right(ex.check_08_lowest_recall("b", many_true, many_pred, names[:3], interval=(low, high)))
    assert_hint(ex.check_08_lowest_recall("b", many_true, many_pred, names[:3], interval=(100 * low, 100 * high)),
                "percent")
    _, all_low, all_high = accuracy_interval(many_true, many_pred)
    assert_hint(ex.check_08_lowest_recall("b", many_true, many_pred, names[:3], interval=(all_low, all_high)),
                "whole test set")
    assert_hint(ex.check_08_lowest_recall("b", many_true, many_pred, names[:3], interval=(0.1, 0.9)),
                "own test images")
    assert_hint(ex.check_08_lowest_recall("b", many_true, many_pred, names[:3], interval="wide"), "(low, high)")

    probabilities = rng.dirichlet(np.ones(10), 200)
    labels = rng.integers(0, 10, 200)
    ece = {b: expected_calibration_error(labels, probabilities, n_bins=b) for b in (5, 20)}
    assert_right(ex.check_08_ece_bins(ece, labels, probabilities))
    assert_hint(ex.check_08_ece_bins({5: ece[5], 20: ece[5] + 0.01}, labels, probabilities), "20-bin")

    confident = np.full((10, 10), 0.01)
    confident[np.arange(10), np.arange(10)] = 0.91
    confident[5:, :] = 0.1  # five unsure rows, predicted class 0
    truth = np.arange(10)
    assert_right(ex.check_08_confidence_threshold(0.9, truth, confident))
    assert_hint(ex.check_08_confidence_threshold(0.05, truth, confident), "raise the threshold")
    assert_hint(ex.check_08_confidence_threshold(None, truth, confident), "does reach")
    assert_right(ex.check_08_confidence_threshold(None, np.full(10, 9), confident))
    graded = confident.copy()
    graded[np.arange(5), np.arange(5)] = [0.91, 0.92, 0.93, 0.94, 0.95]  # five right answers, rising confidence
    assert_right(ex.check_08_confidence_threshold(0.91, truth, graded))
    assert_right(ex.check_08_confidence_threshold(0.5, truth, graded))  # keeps the same five images
    assert_hint(ex.check_08_confidence_threshold(0.94, truth, graded), "a lower one also reaches it")


# --------------------------------------------------------------------------- lesson 10
def _transfer_model(frozen: bool):
    base = keras.Sequential([keras.Input(shape=(32, 32, 3)), keras.layers.Rescaling(1 / 255),
                             keras.layers.Conv2D(4, 3, use_bias=False), keras.layers.BatchNormalization(),
                             keras.layers.Activation("relu")])
    base.trainable = not frozen
    inputs = keras.Input(shape=(32, 32, 3))
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    return keras.Model(inputs, keras.layers.Dense(5, activation="softmax")(x))


def test_check_10_trainable_parameters():
    frozen, unfrozen = _transfer_model(True), _transfer_model(False)
    head, kernels, scale_offset, moving = 4 * 5 + 5, 3 * 3 * 3 * 4, 2 * 4, 2 * 4
    assert_right(ex.check_10_trainable_parameters(head, frozen))
    assert_right(ex.check_10_trainable_parameters(head, frozen, base_state="frozen"))
    assert_hint(ex.check_10_trainable_parameters(head, frozen, base_state="unfrozen"), "base.trainable is False")
    assert_hint(ex.check_10_trainable_parameters(head, unfrozen, base_state="frozen"), "base.trainable is True")
    with pytest.raises(ValueError, match="base_state"):
        ex.check_10_trainable_parameters(head, frozen, base_state="cold")
    assert_hint(ex.check_10_trainable_parameters(head + kernels + scale_offset + moving, frozen), "frozen ones included")
    assert_hint(ex.check_10_trainable_parameters(kernels + scale_offset + moving, frozen), "leaves alone")
    assert_right(ex.check_10_trainable_parameters(head + kernels + scale_offset, unfrozen))
    assert_hint(ex.check_10_trainable_parameters(head + kernels + scale_offset + moving, unfrozen), "frozen ones included")
    assert_hint(ex.check_10_trainable_parameters("lots", unfrozen), "whole number")
    assert_hint(ex.check_10_trainable_parameters(7, unfrozen), "model.summary()")


def test_check_11_grad_cam():
    rng = np.random.default_rng(0)
    maps, grads = rng.random((4, 4, 6)), rng.normal(size=(4, 4, 6))
    raw = (maps * grads.mean(axis=(0, 1))).sum(axis=-1)
    if np.maximum(raw, 0).max() == 0:  # make sure some evidence is positive
        grads = -grads
        raw = -raw
    right = np.maximum(raw, 0) / np.maximum(raw, 0).max()
    assert_right(ex.check_11_grad_cam(right, maps, grads))
    assert_hint(ex.check_11_grad_cam(np.maximum(raw, 0), maps, grads), "not yet scaled")
    assert_hint(ex.check_11_grad_cam(raw / np.abs(raw).max(), maps, grads), "ReLU")
    per_position = np.maximum((maps * grads).sum(axis=-1), 0)
    assert_hint(ex.check_11_grad_cam(per_position / per_position.max(), maps, grads), "average the gradients")
    assert_hint(ex.check_11_grad_cam(right.mean(axis=0), maps, grads), "height and width")
    assert_hint(ex.check_11_grad_cam(right, maps[None], grads[None]), "one image")
    wrong = rng.random((4, 4))
    feedback = str(ex.check_11_grad_cam(wrong, maps, grads))
    assert "section 1's steps" in feedback and "mean(" not in feedback  # the method, not the code


def test_check_10_new_classes():
    def cnn(units, rescale=True, activation="softmax"):
        first = [keras.layers.Rescaling(1 / 255)] if rescale else []
        return keras.Sequential([keras.Input(shape=(32, 32, 3)), *first, keras.layers.Conv2D(4, 3),
                                 keras.layers.Flatten(), keras.layers.Dense(units, activation=activation)])
    assert_right(ex.check_10_new_classes(cnn(20), 20))
    assert_right(ex.check_10_new_classes(cnn(2), 2))
    assert_hint(ex.check_10_new_classes(cnn(10), 20), "has 20 classes")
    assert_hint(ex.check_10_new_classes(cnn(20, rescale=False), 20), "Rescaling")
    assert_hint(ex.check_10_new_classes(cnn(20, activation=None), 20), "softmax")
    assert_hint(ex.check_10_new_classes("a model", 2), "keras.Model")
    with pytest.raises(ValueError, match="num_classes"):
        ex.check_10_new_classes(cnn(2), 1)


def test_check_10_majority_baseline():
    y = np.array([0] * 6 + [1] * 4)  # six of one class, four of the other
    assert_right(ex.check_10_majority_baseline(0.6, y))
    assert_right(ex.check_10_majority_baseline(60, y))  # a percentage
    assert_hint(ex.check_10_majority_baseline(0.5, y), "equally common")
    assert_hint(ex.check_10_majority_baseline(0.4, y), "np.bincount")
    assert_hint(ex.check_10_majority_baseline("most", y), "as a number")
    balanced = np.repeat(np.arange(4), 5)
    assert_right(ex.check_10_majority_baseline(0.25, balanced))  # equal classes: the two baselines agree


def test_check_10_clearly_better():
    y_test = np.array([0] * 60 + [1] * 40)  # always answering class 0 scores 60%
    clearly = np.where(np.arange(100) < 90, y_test, 1 - y_test)  # 90% right: interval about 83-94%, above 60%
    close = np.where(np.arange(100) < 65, y_test, 1 - y_test)  # 65% right: interval about 55-74%, reaches 60%
    low = np.where(np.arange(100) < 55, y_test, 1 - y_test)  # 55% right: below the majority class
    assert_right(ex.check_10_clearly_better(True, y_test, clearly))
    assert_right(ex.check_10_clearly_better(False, y_test, close))
    assert_right(ex.check_10_clearly_better(np.bool_(False), y_test, low))
    assert_hint(ex.check_10_clearly_better(False, y_test, clearly), "whole 95% interval")
    assert_hint(ex.check_10_clearly_better(True, y_test, close), "reaches down to it")
    assert_hint(ex.check_10_clearly_better(True, y_test, low), "not with one over")
    assert_hint(ex.check_10_clearly_better("yes", y_test, clearly), "True or False")
    assert_hint(ex.check_10_clearly_better(True, y_test, clearly[:50]), "one class per test image")


def test_quizzes_explain_every_option_and_match_the_lessons():
    import json
    import re

    from cifar_tutorial.config import REPO_ROOT
    from cifar_tutorial.exercises import quizzes

    for lesson, questions in quizzes.QUIZZES.items():
        right = "".join(q.right for q in questions)
        assert getattr(ex, f"check_{lesson}_quiz")(right).correct
        for number, question in enumerate(questions, start=1):
            assert set(question.feedback) == {"A", "B", "C", "D"}
            for letter in "ABCD":
                if letter == question.right:
                    continue
                chosen = {i + 1: q.right for i, q in enumerate(questions)} | {number: letter}
                verdict = quizzes.check_quiz(lesson, chosen)
                assert not verdict.correct and question.feedback[letter] in verdict.message
        assert "question 1" in quizzes.check_quiz(lesson, "").message and not quizzes.check_quiz(lesson, "").correct
        assert "is not one of" in quizzes.check_quiz(lesson, "Z" * len(questions)).message
        notebook = next((REPO_ROOT / "notebooks").glob(f"{lesson}_*.ipynb"))
        text = "".join("".join(c["source"]) for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "markdown")
        quiz = text[text.index("**Quiz.**"):].split("## Homework")[0]
        assert len(re.findall(r"^\d+\. ", quiz, re.M)) == len(questions), lesson
        assert len(right) == 1 or right not in quiz, f"lesson {lesson} shows its quiz's answers"


def test_check_10_paired_difference():
    from cifar_tutorial import metrics, studies

    study = studies.load("transfer")

    def scores(method, size=25):
        runs = sorted((r for r in study["runs"] if r["size"] == size and r["method"] == method), key=lambda r: r["seed"])
        return [r["val_accuracy"] for r in runs]

    right_answer = metrics.paired_difference(scores("from scratch"), scores("fine-tuning"))
    assert_right(ex.check_10_paired_difference(right_answer, right_answer.excludes_zero, study))
    assert_right(ex.check_10_paired_difference(right_answer.mean, right_answer.excludes_zero, study))
    reversed_answer = metrics.paired_difference(scores("fine-tuning"), scores("from scratch"))
    assert_hint(ex.check_10_paired_difference(reversed_answer, right_answer.excludes_zero, study), "sign is reversed")
    shuffled = metrics.paired_difference(scores("from scratch", 10), scores("fine-tuning", 10))
    assert_hint(ex.check_10_paired_difference(shuffled, True, study), "sorted by seed")
    assert_hint(ex.check_10_paired_difference(100 * right_answer.mean, True, study), "in points")
    assert_hint(ex.check_10_paired_difference(right_answer, "yes", study), "True or False")
    assert_hint(ex.check_10_paired_difference(right_answer, not right_answer.excludes_zero, study), "both ends")
    assert_hint(ex.check_10_paired_difference("big", True, study), "paired_difference")
    with pytest.raises(ValueError, match="sizes"):
        ex.check_10_paired_difference(right_answer, True, study, size=7)


def _small_cnn():
    keras.utils.set_random_seed(3)
    return keras.Sequential([keras.Input(shape=(32, 32, 3)), keras.layers.Rescaling(1 / 255),
                             keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
                             keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3, activation="softmax")])


def test_check_11_true_class_maps():
    from cifar_tutorial import gradcam

    model = _small_cnn()
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype("uint8")
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    y_true = (predicted + 1) % 3  # every image "wrong": the true class differs from the predicted one
    true_maps = gradcam.grad_cam(model, images, class_indices=y_true)
    assert_right(ex.check_11_true_class_maps(true_maps, model, images, y_true))
    predicted_maps = gradcam.grad_cam(model, images)
    if not np.allclose(predicted_maps, true_maps, atol=1e-3):
        assert_hint(ex.check_11_true_class_maps(predicted_maps, model, images, y_true), "class_indices")
    assert_hint(ex.check_11_true_class_maps(true_maps[:2], model, images, y_true), "one map per image")
    assert_hint(ex.check_11_true_class_maps(np.full_like(true_maps, 0.5), model, images, y_true), "true labels")


def test_check_11_centre_share():
    rng = np.random.default_rng(1)
    maps = rng.random((5, 8, 8))
    maps[2] = 0  # an all-dark map
    centre = ex.interpretation.centre_mask(8)
    assert centre.sum() == 16 and centre[2:6, 2:6].all()
    heat = maps.sum(axis=(1, 2))
    keep = heat > 0
    shares = maps[keep][:, centre].sum(axis=1) / heat[keep]
    assert_right(ex.check_11_centre_share(shares, maps))
    assert_hint(ex.check_11_centre_share(np.r_[shares[:2], 0.0, shares[2:]], maps), "all dark")
    assert_hint(ex.check_11_centre_share(100 * shares, maps), "percentages")
    assert_hint(ex.check_11_centre_share(maps[keep][:, centre].mean(axis=1), maps), "mean heat")
    assert_hint(ex.check_11_centre_share(shares[:2], maps), "one share per map")
    assert_hint(ex.check_11_centre_share(shares[::-1] * 0.5, maps), "not the shares")


def test_check_06_schedule():
    steps_per_epoch, epochs = 36, 8
    total, warmup = epochs * steps_per_epoch, int(0.2 * epochs * steps_per_epoch)
    schedule = keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.015, warmup_target=0.15,
                                                      warmup_steps=warmup, decay_steps=total - warmup, alpha=0.01)
    rates = [float(schedule(step)) for step in range(total)]
    peak, last = int(np.argmax(rates)), rates[-1]
    assert peak == warmup and abs(last - 0.0015) < 1e-4  # the end of the warm-up; about alpha times the peak
    assert_right(ex.check_06_schedule(peak, last, schedule, total))
    assert_hint(ex.check_06_schedule(0, last, schedule, total), "warm-up starts low")
    assert_hint(ex.check_06_schedule(total - 1, last, schedule, total), "last step is not the largest")
    assert_hint(ex.check_06_schedule(peak, max(rates), schedule, total), "that is the peak rate")
    assert_hint(ex.check_06_schedule(peak, float(schedule(total)), schedule, total), "total_steps - 1")
    assert_hint(ex.check_06_schedule(total + 3, last, schedule, total), "outside")
    assert_hint(ex.check_06_schedule("x", last, schedule, total), "whole step")
    lesson = keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.015, warmup_target=0.15,
                                                    warmup_steps=2 * warmup, decay_steps=2 * total - 2 * warmup,
                                                    alpha=0.01)  # built for twice the steps, passed for these
    assert_hint(ex.check_06_schedule(peak, last, lesson, total), "not the lesson's built for")


def test_check_06_moving_statistics():
    from keras import layers

    model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, use_bias=False), layers.BatchNormalization(),
                              layers.Activation("relu"), layers.Conv2D(6, 3, use_bias=False), layers.BatchNormalization(),
                              layers.Flatten(), layers.Dense(10)])
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 2 * (4 + 6)
    assert_right(ex.check_06_moving_statistics(20, model))
    assert_hint(ex.check_06_moving_statistics(10, model), "a mean and a variance")
    assert_hint(ex.check_06_moving_statistics(40, model), "trainable")
    assert_hint(ex.check_06_moving_statistics(7, model), "layer by layer")
    assert_hint(ex.check_06_moving_statistics("many", model), "whole number")


def test_check_06_larger_learning_rate():
    from keras import layers

    from cifar_tutorial.training import TrainingRun

    def run(batch_norm, rate, val):
        model = keras.Sequential([keras.Input((8, 8, 3)), layers.Conv2D(4, 3, use_bias=not batch_norm),
                                  *([layers.BatchNormalization()] if batch_norm else []), layers.Flatten(),
                                  layers.Dense(10)])
        model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy")
        return TrainingRun(model, {"val_accuracy": val}, 1.0, len(val))

    baseline, batch_norm = run(False, 1e-2, [0.2, 0.35, 0.3]), run(True, 1e-2, [0.3, 0.4, 0.45])
    best = {"baseline": 0.35, "batch norm": 0.45}
    assert_right(ex.check_06_larger_learning_rate(best, baseline, batch_norm))
    assert_right(ex.check_06_larger_learning_rate({"baseline": 35.0, "batch norm": 45.0}, baseline, batch_norm))
    assert_hint(ex.check_06_larger_learning_rate(best, batch_norm, baseline), "no BatchNormalization")
    assert_hint(ex.check_06_larger_learning_rate(best, run(False, 1e-3, [0.35]), batch_norm), "ten times")
    assert_hint(ex.check_06_larger_learning_rate({"baseline": 0.3, "batch norm": 0.45}, baseline, batch_norm),
                "last epoch")
    assert_hint(ex.check_06_larger_learning_rate({"baseline": 0.2, "batch norm": 0.45}, baseline, batch_norm),
                "largest value")
    assert_hint(ex.check_06_larger_learning_rate({"baseline": 0.35}, baseline, batch_norm), "keys")
    assert_hint(ex.check_06_larger_learning_rate(best, baseline.model, batch_norm), "as train() returns it")


def test_check_07_resume():
    schedule = keras.optimizers.schedules.CosineDecay(initial_learning_rate=0.015, warmup_target=0.15,
                                                      warmup_steps=57, decay_steps=288 - 57, alpha=0.01)
    steps = 4 * 36
    assert_right(ex.check_07_resume(steps, float(schedule(steps)), schedule, 4, 36))
    assert_hint(ex.check_07_resume(4, float(schedule(steps)), schedule, 4, 36), "counts epochs")
    assert_hint(ex.check_07_resume(0, float(schedule(0)), schedule, 4, 36), "initial_epoch only numbers")
    assert_hint(ex.check_07_resume(140, float(schedule(steps)), schedule, 4, 36), "epochs times steps_per_epoch")
    assert_hint(ex.check_07_resume(steps, float(schedule(0)), schedule, 4, 36), "restarted")
    assert_hint(ex.check_07_resume(steps, float(schedule(steps - 1)), schedule, 4, 36), "first fit's last step")
    assert_hint(ex.check_07_resume(steps, 0.5, schedule, 4, 36), "schedule(steps taken)")
    assert_hint(ex.check_07_resume("many", 0.1, schedule, 4, 36), "whole number")


def test_check_07_flip_tta():
    from keras import layers

    from cifar_tutorial import inference

    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, (60, 8, 8, 3), dtype=np.uint8)
    y = rng.integers(0, 3, 60)
    model = keras.Sequential([keras.Input((8, 8, 3)), layers.Rescaling(1 / 255), layers.Flatten(),
                              layers.Dense(3, activation="softmax")])

    def accuracy(probabilities):
        return float(np.mean(probabilities.argmax(axis=1) == y))

    tta = accuracy(inference.predict_probabilities(model, x, flip_tta=True))
    plain = accuracy(model.predict(x, verbose=0))
    upside_down = accuracy((model.predict(x, verbose=0) + model.predict(x[:, ::-1], verbose=0)) / 2)
    assert_right(ex.check_07_flip_tta(tta, model, x, y))
    assert_hint(ex.check_07_flip_tta(100 * tta, model, x, y), "not a percentage")
    if abs(plain - tta) > 1.5 / len(y):
        assert_hint(ex.check_07_flip_tta(plain, model, x, y), "plain model's accuracy")
    if abs(upside_down - tta) > 1.5 / len(y):
        assert_hint(ex.check_07_flip_tta(upside_down, model, x, y), "upside down")
    assert_hint(ex.check_07_flip_tta((tta + 0.5) % 1, model, x, y), "average the two")
    assert_hint(ex.check_07_flip_tta("high", model, x, y), "one number")


def test_check_07_ablation_verdicts():
    study = {"reference": "recipe", "runs": [
        *({"variant": "recipe", "seed": s, "val_accuracy": 0.70 + 0.01 * i} for i, s in enumerate((1, 2, 3))),
        *({"variant": "- a", "seed": s, "val_accuracy": 0.60 + 0.01 * i + 0.001 * (i % 2)} for i, s in enumerate((1, 2, 3))),
        *({"variant": "- b", "seed": s, "val_accuracy": v} for s, v in zip((3, 1, 2), (0.73, 0.69, 0.70))),
    ]}
    from cifar_tutorial import metrics

    b = metrics.paired_difference([0.70, 0.71, 0.72], [0.69, 0.70, 0.73])
    assert b.verdict == "no difference shown"  # the seeds of "- b" are paired, not taken in listed order
    right_answer = {"- a": "worse", "- b": "no difference shown"}
    assert_right(ex.check_07_ablation_verdicts(right_answer, study))
    assert_hint(ex.check_07_ablation_verdicts({"- a": "worse"}, study), "no verdict for: - b")
    assert_hint(ex.check_07_ablation_verdicts({"- a": "worse", "- b": "maybe"}, study), "one of")
    feedback = ex.check_07_ablation_verdicts({"- a": "better", "- b": "no difference shown"}, study)
    assert_hint(feedback, "not the rule's verdict for: - a")
    assert "worse" not in feedback.message  # the hint names the variant, not its verdict
    assert_hint(ex.check_07_ablation_verdicts(["worse"], study), "dictionary")


def _residual_block(project="when_needed", relu_after_add=True, bias=False, projection_stride=True):
    """A student's residual block for the check's tests: lesson 09's design, or one slip."""
    layers = keras.layers

    def conv_bn(x, filters, kernel, strides=1):
        x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=bias)(x)
        return layers.BatchNormalization()(x)

    def block(x, filters, strides=1):
        y = layers.Activation("relu")(conv_bn(x, filters, 3, strides))
        y = conv_bn(y, filters, 3)
        shortcut = x
        needed = strides != 1 or x.shape[-1] != filters
        if project == "always" or (project == "when_needed" and needed):
            shortcut = conv_bn(x, filters, 1, strides if projection_stride else 1)
        added = layers.Add()([shortcut, y])
        return layers.Activation("relu")(added) if relu_after_add else added

    return block


def test_check_09_residual_block():
    assert_right(ex.check_09_residual_block(_residual_block()))
    assert_hint(ex.check_09_residual_block(_residual_block(project="never")), "raised")
    assert_hint(ex.check_09_residual_block(_residual_block(project="always")), "input itself")
    assert_hint(ex.check_09_residual_block(_residual_block(relu_after_add=False)), "ReLU after it")
    assert_hint(ex.check_09_residual_block(_residual_block(bias=True)), "use_bias=False")
    assert_hint(ex.check_09_residual_block(_residual_block(projection_stride=False)), "raised")
    assert_hint(ex.check_09_residual_block(lambda x, filters, strides=1: keras.layers.Conv2D(filters, 3, strides=strides, padding="same")(x)),
                "no layers.Add")
    assert_hint(ex.check_09_residual_block("block"), "function itself")


def test_check_09_residual_block_accepts_the_lessons_block():
    from .lesson_code import lesson_functions

    namespace = lesson_functions("09_residual_networks.ipynb", "conv_bn_relu", "residual_block")
    assert_right(ex.check_09_residual_block(namespace["residual_block"]))


def test_check_09_shortcut_parameters():
    assert_right(ex.check_09_shortcut_parameters(1 * 1 * 16 * 32 + 4 * 32))
    assert_hint(ex.check_09_shortcut_parameters(512), "convolution alone")
    assert_hint(ex.check_09_shortcut_parameters(512 + 64), "scale and offset only")
    assert_hint(ex.check_09_shortcut_parameters(512 + 32 + 128), "no bias")
    assert_hint(ex.check_09_shortcut_parameters(9 * 16 * 32 + 128), "1x1")
    assert_hint(ex.check_09_shortcut_parameters(7), "is not it")
    assert_hint(ex.check_09_shortcut_parameters("many"), "whole number")
    assert "640" not in (ex.check_09_shortcut_parameters.__doc__ or "")


def _deeper_cnn_functional(last_units=128, pooling=keras.layers.MaxPooling2D):
    from keras import layers

    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Rescaling(1 / 255)(inputs)
    for filters in (16, 32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = pooling()(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(last_units, activation="relu")(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


def test_check_09_functional():
    from cifar_tutorial.exercises.residual import deeper_cnn_reference

    assert_right(ex.check_09_functional(_deeper_cnn_functional()))
    assert_hint(ex.check_09_functional(deeper_cnn_reference()), "Sequential")
    assert_hint(ex.check_09_functional(_deeper_cnn_functional(last_units=64)), "layer 12 (Dense)")
    assert_hint(ex.check_09_functional(_deeper_cnn_functional(pooling=lambda: keras.layers.AveragePooling2D(2))),
                "layer 4 is AveragePooling2D")
    assert_hint(ex.check_09_functional("model"), "keras.Model")


def test_check_09_training_difference():
    from cifar_tutorial import metrics

    study = {"runs": [
        *({"variant": "plain stack", "seed": s, "train_accuracy": t, "val_accuracy": v}
          for s, t, v in ((2, 0.40, 0.35), (1, 0.30, 0.28), (3, 0.45, 0.37))),
        *({"variant": "residual network", "seed": s, "train_accuracy": t, "val_accuracy": v}
          for s, t, v in ((1, 0.41, 0.38), (2, 0.50, 0.39), (3, 0.47, 0.40))),
    ]}
    right_answer = metrics.paired_difference([0.30, 0.40, 0.45], [0.41, 0.50, 0.47])
    assert_right(ex.check_09_training_difference(right_answer, study))
    assert_right(ex.check_09_training_difference((right_answer.mean, right_answer.low, right_answer.high), study))
    validation = metrics.paired_difference([0.28, 0.35, 0.37], [0.38, 0.39, 0.40])
    assert_hint(ex.check_09_training_difference(validation, study), "validation accuracies")
    reversed_answer = metrics.paired_difference([0.41, 0.50, 0.47], [0.30, 0.40, 0.45])
    assert_hint(ex.check_09_training_difference(reversed_answer, study), "plain minus residual")
    unsorted = metrics.paired_difference([0.40, 0.30, 0.45], [0.41, 0.50, 0.47])
    assert_hint(ex.check_09_training_difference(unsorted, study), "sorted by seed")
    assert_hint(ex.check_09_training_difference("big", study), "(mean, low, high)")


def test_check_04_dark_maps():
    from keras import layers

    inputs = keras.Input((8, 8, 3))
    conv = layers.Conv2D(4, 3, padding="same", activation="relu", use_bias=False)
    activations = keras.Model(inputs, conv(inputs))
    kernel = np.zeros((3, 3, 3, 4), "float32")
    kernel[1, 1, 0, 0] = 1.0   # copies channel 0: bright wherever the image is
    kernel[1, 1, 0, 1] = -1.0  # its negative: dark everywhere after the ReLU
    kernel[1, 1, 0, 2], kernel[0, 0, 0, 2] = 1.0, -1.0  # the pixel minus its up-left neighbour: bright only
    # on the top and left edges, where that neighbour is zero padding
    conv.set_weights([kernel])  # filter 3 stays all zero: dark
    image = np.zeros((8, 8, 3), np.uint8)
    image[..., 0] = 200
    maps = keras.ops.convert_to_numpy(activations(image[None]))[0]
    assert int(np.sum(maps[1:-1, 1:-1].max(axis=(0, 1)) == 0)) == 3
    assert_right(ex.check_04_dark_maps(3, activations, image))
    assert_hint(ex.check_04_dark_maps(1, activations, image), "with some response")
    assert_hint(ex.check_04_dark_maps(2, activations, image), "outermost ring")
    assert_hint(ex.check_04_dark_maps(0, activations, image), "largest value is 0")
    assert_hint(ex.check_04_dark_maps("three", activations, image), "whole number")


def test_check_04_cost_ratio():
    from types import SimpleNamespace

    slow = SimpleNamespace(seconds_per_epoch=6.0, model=SimpleNamespace(count_params=lambda: 3400))
    fast = SimpleNamespace(seconds_per_epoch=2.0, model=SimpleNamespace(count_params=lambda: 100))
    assert_right(ex.check_04_cost_ratio(3.0, slow, fast))
    assert_hint(ex.check_04_cost_ratio(1 / 3, slow, fast), "other way round")
    assert_hint(ex.check_04_cost_ratio(34, slow, fast), "parameter counts")
    assert_hint(ex.check_04_cost_ratio(5, slow, fast), "seconds_per_epoch")
    assert_hint(ex.check_04_cost_ratio("x", slow, fast), "one number")


def test_check_04_own_cnn():
    from keras import layers

    from cifar_tutorial.training import TrainingRun

    model = keras.Sequential([keras.Input((32, 32, 3)), layers.Rescaling(1 / 255), layers.Conv2D(8, 3),
                              layers.Conv2D(8, 3), layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")])
    run = TrainingRun(model, {"val_accuracy": [0.30, 0.42, 0.40]}, 3.0, 3)
    assert_right(ex.check_04_own_cnn(run, 0.40))
    assert_right(ex.check_04_own_cnn(run, 40.0))
    assert_hint(ex.check_04_own_cnn(run, 0.42), "best epoch")
    assert_hint(ex.check_04_own_cnn(run, 0.30), "history['val_accuracy'][-1]")
    assert_hint(ex.check_04_own_cnn(model, 0.40), "the run compile_and_fit returns")
    assert_hint(ex.check_04_own_cnn(TrainingRun(model, {}, 0.0, 0), 0.40), "no validation accuracy")
    assert_hint(ex.check_04_own_cnn(TrainingRun(mlp(), {"val_accuracy": [0.3]}, 1.0, 1), 0.3), "two Conv2D")
