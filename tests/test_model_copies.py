"""The replicated studies in ``benchmarks/studies.py`` train copies of the lessons' models;
a conclusion a lesson reads from a study holds only for the model the lesson writes. This
test builds each model both ways, from the function written in the committed notebook and
from the study's copy, and compares them layer by layer (type and configuration, names
aside) and by parameter count, so that editing one without the other fails here."""

from __future__ import annotations

import importlib.util
import json
import os

import keras
import numpy as np
import pytest
from keras import layers

from cifar_tutorial import recipe
from cifar_tutorial.config import REPO_ROOT

from .lesson_code import lesson_functions

IGNORED = {"name", "dtype", "seed"}


def notebook_function(notebook: str, name: str):
    """The function ``name`` as written in a committed lesson, compiled from the source of its
    ``def`` alone (nothing else of its cell runs)."""
    return lesson_functions(notebook, name)[name]


def architecture(model: keras.Model) -> list:
    """Each layer's type and configuration (names, seeds and dtypes left out), nested models
    flattened, in order."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows += architecture(layer)
            continue
        config = {k: v for k, v in layer.get_config().items() if k not in IGNORED}
        rows.append((type(layer).__name__, json.dumps(config, sort_keys=True, default=str)))
    return rows


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """``benchmarks/studies.py`` as a module (it sets CIFAR_TUTORIAL_PRECISION only where unset:
    the test sets it first and puts it back afterwards)."""
    saved = os.environ.get("CIFAR_TUTORIAL_PRECISION")
    os.environ["CIFAR_TUTORIAL_PRECISION"] = saved or "auto"
    try:
        spec = importlib.util.spec_from_file_location("studies_script", REPO_ROOT / "benchmarks" / "studies.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del os.environ["CIFAR_TUTORIAL_PRECISION"]
    return module


PAIRS = [  # (notebook, function in it, function of benchmarks/studies.py)
    ("02_mlp_baseline.ipynb", "make_mlp", "make_mlp"),
    ("03_cnn.ipynb", "make_mlp", "make_mlp"),
    ("03_cnn.ipynb", "make_small_cnn", "make_small_cnn"),
    ("03_cnn.ipynb", "make_tutorial_cnn", "make_baseline"),
    ("03_cnn.ipynb", "make_deeper_cnn", "make_deeper_cnn"),
    ("04_training_cnns.ipynb", "make_mlp", "make_mlp"),
    ("04_training_cnns.ipynb", "make_small_cnn", "make_small_cnn"),
    ("04_training_cnns.ipynb", "make_tutorial_cnn", "make_baseline"),
    ("04_training_cnns.ipynb", "make_deeper_cnn", "make_deeper_cnn"),
    ("05_regularization.ipynb", "make_baseline", "make_baseline"),
    ("05_regularization.ipynb", "make_dropout", "make_dropout"),
    ("05_regularization.ipynb", "make_l2", "make_l2"),
    ("05_regularization.ipynb", "make_augmented", "make_augmented"),
    ("06_batch_normalization.ipynb", "make_batch_norm", "make_batch_norm"),
    ("10_transfer_learning.ipynb", "make_base", "make_transfer_base"),
]


@pytest.mark.parametrize(("notebook", "lesson_name", "study_name"), PAIRS)
def test_study_model_is_the_lessons_model(study, notebook, lesson_name, study_name):
    lesson_model = notebook_function(notebook, lesson_name)()
    study_model = getattr(study, study_name)()
    assert architecture(lesson_model) == architecture(study_model), f"{notebook} {lesson_name} vs studies.{study_name}"
    assert lesson_model.count_params() == study_model.count_params()


def test_transfer_classifier_is_lesson_08s(study):
    make_base = notebook_function("10_transfer_learning.ipynb", "make_base")
    make_classifier = notebook_function("10_transfer_learning.ipynb", "make_classifier")
    lesson_model = make_classifier(make_base(), 5)
    study_model = study.make_transfer_classifier(study.make_transfer_base(), 5)
    assert architecture(lesson_model) == architecture(study_model)


def test_ablations_recipe_is_lesson_07s_recipe(study):
    """The ablation study builds its variants with ``recipe.make_model``; the recipe it takes
    apart must be the one lesson 07 writes out layer by layer."""
    lesson_model = notebook_function("07_training_recipes.ipynb", "make_recipe_model")()
    x_train = np.random.default_rng(0).integers(0, 256, (64, 32, 32, 3)).astype("uint8")  # only shapes matter
    study_model = study.make_recipe(x_train)
    assert architecture(lesson_model) == architecture(study_model)
    assert lesson_model.count_params() == study_model.count_params()
    assert recipe.BATCH_NORM_MOMENTUM == 0.6


def test_residual_studys_networks_are_lesson_09s(study):
    """The ``residual`` study's plain stack and residual network are lesson 09's, block for block."""
    namespace = lesson_functions("09_residual_networks.ipynb", "conv_bn_relu", "plain_block", "residual_block",
                                 "make_network")
    for block in ("plain_block", "residual_block"):
        lesson_model = namespace["make_network"](namespace[block])
        study_model = study.make_network(getattr(study, block))
        assert architecture(lesson_model) == architecture(study_model), block
        assert lesson_model.count_params() == study_model.count_params()
