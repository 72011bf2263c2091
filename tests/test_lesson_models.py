"""The models the lessons write out must agree with the copies the package and
later lessons reuse, so that the two cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import pytest
from keras import layers

from cifar_tutorial import recipe

from .lesson_code import lesson_functions

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def lesson_function(notebook: str, name: str):
    """The function ``name`` as defined in a code cell of ``notebook``, executed
    with only ``keras``, ``layers`` and ``np`` imported (as a student copying the cell
    into a fresh notebook would have)."""
    return lesson_functions(notebook, name)[name]


def architecture(model: keras.Model) -> list[tuple[str, dict]]:
    """Each layer's class and configuration, without names (which differ)."""
    described = []
    for layer in model.layers:
        config = {key: value for key, value in layer.get_config().items() if key != "name"}
        described.append((type(layer).__name__, config))
    return described


def test_lesson_07_recipe_is_the_package_recipe():
    lesson_model = lesson_function("07_training_recipes.ipynb", "make_recipe_model")()
    package_model = recipe.make_model()
    assert architecture(lesson_model) == architecture(package_model)
    assert lesson_model.count_params() == package_model.count_params() == 296_002


def test_lesson_07_compiles_the_recipe_with_the_package_hyperparameters():
    cells = json.loads((NOTEBOOKS / "07_training_recipes.ipynb").read_text())["cells"]
    source = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
    assert f"RECIPE_BATCH_SIZE, PEAK_LEARNING_RATE = profile.recipe_epochs, {recipe.BATCH_SIZE}, " \
           f"{recipe.PEAK_LEARNING_RATE}" in source
    assert f"weight_decay={recipe.WEIGHT_DECAY!r}" in source
    assert f"label_smoothing={recipe.LABEL_SMOOTHING!r}" in source


def test_lesson_05_baseline_is_lesson_03_tutorial_cnn():
    baseline = lesson_function("05_regularization.ipynb", "make_baseline")()
    tutorial = lesson_function("03_cnn.ipynb", "make_tutorial_cnn")()
    assert architecture(baseline) == architecture(tutorial)
    # The TensorFlow tutorial's count: 896 + 18,496 + 36,928 + (4*4*64)*64+64 + 650.
    assert baseline.count_params() == 896 + 18_496 + 36_928 + 65_600 + 650


@pytest.mark.parametrize("notebook, name, parameters", [
    ("02_mlp_baseline.ipynb", "make_mlp", 3072 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10),
    ("03_cnn.ipynb", "make_mlp", 3072 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10),
    ("03_cnn.ipynb", "make_small_cnn", 896 + 16 * 16 * 32 * 512 + 512 + 5130),
    ("03_cnn.ipynb", "make_deeper_cnn", 9 * (3 * 16 + 16 * 16 + 16 * 32 + 32 * 32 + 32 * 64 + 64 * 64)
     + 2 * (16 + 32 + 64) + 64 * 128 + 128 + 1290),
])
def test_lesson_models_run_with_keras_alone_and_take_raw_pixels(notebook, name, parameters):
    model = lesson_function(notebook, name)()
    assert model.count_params() == parameters
    assert isinstance(model.layers[0], layers.Rescaling)
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)


def test_lesson_02_and_03_perceptrons_agree():
    assert architecture(lesson_function("02_mlp_baseline.ipynb", "make_mlp")()) == \
        architecture(lesson_function("03_cnn.ipynb", "make_mlp")())


def test_lesson_10_base_and_classifier_agree_with_its_solutions():
    """Lesson 10's base (16-32-64 convolutions with batch norm, no biases) and its
    classifier, copied into the solutions notebook; the head is 64 x 5 + 5."""
    for notebook in ("10_transfer_learning.ipynb", "solutions/10_transfer_learning_solutions.ipynb"):
        base = lesson_function(notebook, "make_base")()
        assert isinstance(base.layers[0], layers.Rescaling) and base.output_shape == (None, 8, 8, 64)
        assert base.count_params() == 9 * (3 * 16 + 16 * 32 + 32 * 64) + 4 * (16 + 32 + 64)
        classifier = lesson_function(notebook, "make_classifier")(base, 5)
        assert classifier.count_params() == base.count_params() + 64 * 5 + 5
    lesson = lesson_function("10_transfer_learning.ipynb", "make_base")()
    solution = lesson_function("solutions/10_transfer_learning_solutions.ipynb", "make_base")()
    assert architecture(lesson) == architecture(solution)


def test_lesson_08_solution_cnn_is_lesson_03_tutorial_cnn_with_other_outputs():
    tutorial = lesson_function("03_cnn.ipynb", "make_tutorial_cnn")()
    cifar100 = lesson_function("solutions/10_transfer_learning_solutions.ipynb", "make_tutorial_cnn")(num_classes=10)
    assert architecture(cifar100) == architecture(tutorial)


def test_exercise_07_2s_reference_is_lesson_03s_deeper_cnn():
    from cifar_tutorial.exercises.residual import deeper_cnn_reference

    lesson = lesson_function("03_cnn.ipynb", "make_deeper_cnn")()
    assert architecture(lesson) == architecture(deeper_cnn_reference())


def test_lesson_09s_networks_have_he_et_als_twenty_layers():
    """1 + 3 x 3 x 2 = 19 convolutions and a Dense layer; the residual network adds two 1x1 projections."""
    namespace = lesson_functions("09_residual_networks.ipynb", "conv_bn_relu", "plain_block", "residual_block",
                                 "make_network")
    for block, convolutions in (("plain_block", 19), ("residual_block", 21)):
        model = namespace["make_network"](namespace[block])
        assert sum(isinstance(layer, layers.Conv2D) for layer in model.layers) == convolutions
        assert model.output_shape == (None, 10)
