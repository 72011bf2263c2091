"""Pure functions of the package: profiles, model builders, schedule, saving, tables."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cifar_tutorial
from cifar_tutorial import config, models, notebook, training


def test_profile_from_environment_and_overrides(monkeypatch):
    monkeypatch.setenv("CIFAR_TUTORIAL_PROFILE", "smoke")
    assert config.get_profile().name == "smoke"
    assert config.get_profile(epochs=3).epochs == 3
    assert config.get_profile("full").train_size is None
    monkeypatch.delenv("CIFAR_TUTORIAL_PROFILE")
    assert config.get_profile().name == "class"


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "fast"}, "Unknown profile 'fast'.*smoke, class, full"),
    ({"name": "smoke", "epochs": 0}, "epochs must be a positive integer, got 0"),
    ({"name": "smoke", "batch_size": 2.5}, "batch_size must be a positive integer"),
])
def test_profile_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        config.get_profile(**kwargs)


@pytest.mark.parametrize("builder, params", [
    (models.build_mlp, 3072 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10),
    # TensorFlow tutorial: 896 + 18,496 + 36,928 + (4*4*64)*64+64 + 650
    (models.build_tutorial_cnn, 896 + 18_496 + 36_928 + 65_600 + 650),
    (models.build_small_cnn, 896 + 16 * 16 * 32 * 512 + 512 + 5130),
])
def test_parameter_counts_match_the_formulas(builder, params):
    model = builder()
    assert model.count_params() == params
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)


def test_cnn_switches_add_exactly_their_layers():
    plain = models.build_cnn()
    bn = models.build_cnn(batch_norm=True)
    # BN adds 4 values per channel (2 trainable) and drops the conv biases.
    channels = 2 * (32 + 64 + 128)
    assert bn.count_params() - plain.count_params() == 4 * channels - channels
    augmented = models.build_cnn(augmentation=True)
    assert augmented.count_params() == plain.count_params()
    assert augmented.get_layer("augmentation") is not None
    assert len(models.build_cnn(convs_per_block=(1, 2, 2)).layers) < len(plain.layers)


def test_augmentation_changes_images_only_in_training():
    images = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32")
    layer = models.build_augmentation()
    np.testing.assert_array_equal(np.asarray(layer(images, training=False)), images)
    assert not np.allclose(np.asarray(layer(images, training=True)), images)


def test_warmup_cosine_schedule_shape():
    schedule = training.warmup_cosine_schedule(1e-3, total_steps=100, warmup_fraction=0.2)
    values = np.array([float(schedule(step)) for step in range(100)])
    assert values[0] == pytest.approx(1e-4)
    assert values.argmax() == 20 and values.max() == pytest.approx(1e-3)
    assert np.all(np.diff(values[:21]) > 0) and np.all(np.diff(values[20:]) < 0)
    assert values[-1] < 2e-5


def test_save_and_load_with_metadata(tmp_path):
    model = models.compile_classifier(models.build_mlp(hidden_units=(8,)))
    x = np.random.default_rng(0).random((5, 32, 32, 3)).astype("float32")
    model.fit(x, np.arange(5), epochs=1, verbose=0)  # builds the optimizer, as in real use
    path = models.save_with_metadata(model, "tiny", {"test_accuracy": 0.5}, models_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.json", "tiny.keras"]
    loaded, meta = models.load_with_metadata("tiny", models_dir=tmp_path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert meta == {"test_accuracy": 0.5, "package_version": cifar_tutorial.__version__}
    assert json.loads((tmp_path / "tiny.json").read_text())["test_accuracy"] == 0.5
    assert path.suffix == ".keras"


def test_load_missing_model_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="No saved model 'nope'.*run lesson 04"):
        models.load_with_metadata("nope", models_dir=tmp_path)


def test_format_table():
    text = notebook.format_table(("a", "long header"), [(1, "x"), ("wide cell", 2)])
    assert text.splitlines() == [
        "a          long header",
        "---------  -----------",
        "1          x",
        "wide cell  2",
    ]


def test_smoothed_loss_equals_categorical_crossentropy_on_one_hot_targets():
    import keras

    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=6).astype("float32")
    labels = rng.integers(0, 10, size=6)
    ours = training.SmoothedSparseCategoricalCrossentropy(label_smoothing=0.1)(labels, probabilities)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(np.eye(10)[labels], probabilities)
    assert float(ours) == pytest.approx(float(reference), rel=1e-6)
    plain = training.SmoothedSparseCategoricalCrossentropy(label_smoothing=0.0)(labels, probabilities)
    sparse = keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)
    assert float(plain) == pytest.approx(float(sparse), rel=1e-6)


def test_best_model_round_trips_through_the_keras_format(tmp_path):
    model = training.compile_best_cnn(models.build_best_cnn(), epochs=1, steps_per_epoch=1)
    assert model.count_params() == 306_154
    x = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32")
    model.fit(x, np.arange(4), epochs=1, verbose=0)
    models.save_with_metadata(model, "best", {}, models_dir=tmp_path)
    loaded, _ = models.load_with_metadata("best", models_dir=tmp_path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert isinstance(loaded.loss, training.SmoothedSparseCategoricalCrossentropy)
