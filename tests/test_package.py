"""Pure functions of the package: profiles, model builders, schedule, saving, tables."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

import cifar_tutorial
from cifar_tutorial import config, inference, models, notebook, recipe, startup


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


def test_recipe_parameter_count_and_raw_pixel_input():
    model = recipe.make_model()
    assert model.count_params() == 296_002
    assert model.input_shape == (None, 32, 32, 3) and model.output_shape == (None, 10)
    assert isinstance(model.layers[0], keras.layers.Rescaling) and model.layers[0].scale == pytest.approx(1 / 255)


def test_warmup_cosine_schedule_shape():
    schedule = recipe.warmup_cosine_schedule(1e-3, total_steps=100, warmup_fraction=0.2)
    values = np.array([float(schedule(step)) for step in range(100)])
    assert values[0] == pytest.approx(1e-4)
    assert values.argmax() == 20 and values.max() == pytest.approx(1e-3)
    assert np.all(np.diff(values[:21]) > 0) and np.all(np.diff(values[20:]) < 0)
    assert values[-1] < 2e-5


def test_save_and_load_with_metadata(tmp_path):
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Rescaling(1 / 255), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).integers(0, 256, (5, 32, 32, 3)).astype("uint8")
    model.fit(x, np.arange(5), epochs=1, verbose=0)  # builds the optimizer, as in real use
    path = models.save_with_metadata(model, "tiny", {"test_accuracy": 0.5}, models_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.json", "tiny.keras"]
    loaded, meta = models.load_with_metadata("tiny", models_dir=tmp_path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
    assert meta.pop("saved") and meta == {"test_accuracy": 0.5, "package_version": cifar_tutorial.__version__}
    assert json.loads((tmp_path / "tiny.json").read_text())["test_accuracy"] == 0.5
    assert path.suffix == ".keras"


def test_load_missing_model_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="No saved model 'nope'.*run lesson 07"):
        models.load_with_metadata("nope", models_dir=tmp_path)


def test_format_table():
    text = notebook.format_table(("a", "long header"), [(1, "x"), ("wide cell", 2)])
    assert text.splitlines() == [
        "a          long header",
        "---------  -----------",
        "1          x",
        "wide cell  2",
    ]


def test_describe_run_is_one_line_without_paths_and_the_rest_on_request():
    from pathlib import Path

    from cifar_tutorial import mixed_precision
    from cifar_tutorial.datasets.formats import SAMPLE_SHA256, DatasetInfo, DataSource

    profile = config.get_profile("class")
    info = DatasetInfo(("airplane",), DataSource("environment", Path("/home/student/data/cifar-10-sample-python.tar.gz"),
                                                 SAMPLE_SHA256))
    precision = mixed_precision.Precision("float32", "forced")
    line = notebook.describe_run(profile, info, precision)
    assert line == ("Run: profile 'class' · cifar-10-sample-python.tar.gz, CIFAR-10 sample slice in the official "
                    "format (5,085 train / 1,017 test) · float32")
    assert notebook.describe_run(profile, precision=precision) == "Run: profile 'class' · float32"
    detailed = notebook.describe_run(profile, info, precision, details=True).splitlines()
    assert [row.split(":")[0] for row in detailed] == ["Profile", "Data", "Precision", "Versions"]
    assert "CIFAR10_ARCHIVE" in detailed[1] and "float32 (forced)" in detailed[2]
    assert "/home/student" not in line + "".join(detailed)


def test_smoothed_loss_equals_categorical_crossentropy_on_one_hot_targets():
    import keras

    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(10), size=6).astype("float32")
    labels = rng.integers(0, 10, size=6)
    ours = recipe.SmoothedSparseCategoricalCrossentropy(label_smoothing=0.1)(labels, probabilities)
    reference = keras.losses.CategoricalCrossentropy(label_smoothing=0.1)(np.eye(10)[labels], probabilities)
    assert float(ours) == pytest.approx(float(reference), rel=1e-6)
    plain = recipe.SmoothedSparseCategoricalCrossentropy(label_smoothing=0.0)(labels, probabilities)
    sparse = keras.losses.SparseCategoricalCrossentropy()(labels, probabilities)
    assert float(plain) == pytest.approx(float(sparse), rel=1e-6)


def test_recipe_model_round_trips_through_the_keras_format(tmp_path):
    model = recipe.compile_model(recipe.make_model(), epochs=1, steps_per_epoch=1)
    # whitening 2x2x3x24 + 24 (frozen); 3x3 convs without bias: 24*32 + 32*32 + 32*64 + 64*64 + 64*128
    # + 128*128, times 9; batch norm: 4 values per channel, twice per block; dense: 128*10 + 10.
    assert model.count_params() == 312 + 9 * (768 + 1024 + 2048 + 4096 + 8192 + 16384) + 8 * (32 + 64 + 128) + 1290
    assert model.get_layer("whitening").trainable is False
    x = np.random.default_rng(0).random((4, 32, 32, 3)).astype("float32")
    model.fit(x, np.arange(4), epochs=1, verbose=0)
    models.save_with_metadata(model, "best", {}, models_dir=tmp_path)
    loaded, _ = models.load_with_metadata("best", models_dir=tmp_path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert not loaded.compiled  # architecture and weights only: no custom loss in the file


def test_patch_whitening_decorrelates_real_patches(sample_archive):
    from cifar_tutorial import data

    splits = data.prepare_splits(1000, seed=0, path=sample_archive)
    kernel = recipe.patch_whitening_kernel(splits.x_train)
    assert kernel.shape == (2, 2, 3, 24) and kernel.dtype == np.float32
    np.testing.assert_array_equal(kernel[..., 12:], -kernel[..., :12])
    model = recipe.make_model(splits.x_train)
    whitening = model.get_layer("whitening")
    np.testing.assert_array_equal(whitening.get_weights()[0], kernel)
    # With a negligible epsilon the 12 filters map the same images' 2x2 patches to uncorrelated unit variances.
    images = splits.x_train[:300]
    exact = recipe.patch_whitening_kernel(images, epsilon=1e-12).reshape(12, 24)[:, :12]
    assert images.dtype == np.uint8  # the model's Rescaling layer scales; the kernel is computed on 0..1
    scaled = images.astype(np.float64) / 255
    patches = np.lib.stride_tricks.sliding_window_view(scaled, (2, 2), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3)
    outputs = patches.reshape(-1, 12).astype(np.float64) @ exact
    np.testing.assert_allclose(np.cov(outputs, rowvar=False), np.eye(12), atol=1e-3)


def test_recipe_output_stays_float32_under_mixed_precision():
    import keras

    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = recipe.make_model()
        assert model.get_layer("block1_conv1").compute_dtype == "bfloat16"
        assert model.get_layer("block1_conv1").variable_dtype == "float32"
        assert model.get_layer("probabilities").compute_dtype == "float32"
        x = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
        assert model(x).dtype == "float32"
        assert inference.predict_probabilities(model, x, flip_tta=True).dtype == np.float32  # scikit-learn reads it
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_describe_saved_model_warns_about_another_profile_and_other_data():
    metadata = {"variant": "6 final recipe", "profile": "smoke", "train_images": 450, "epochs": 1,
                "test_accuracy": 0.154, "saved": "2026-11-23 10:00", "data": "sample"}
    text = models.describe_saved_model(metadata, "class", "official")
    first, *warnings = text.splitlines()
    assert first == ("Saved model: 6 final recipe; trained in profile 'smoke' on 450 images for 1 epoch; "
                     "test accuracy 15.4%; saved 2026-11-23 10:00.")
    assert len(warnings) == 2
    assert warnings[0].startswith("Warning: this model was trained in profile 'smoke', not in the profile in force ('class')")
    assert warnings[1] == "Warning: this model was trained on other data (sample) than this run's (official)."
    assert models.describe_saved_model(metadata, "smoke", "sample") == first
    bare = models.describe_saved_model({}, None, None)
    assert bare == "Saved model: unknown; trained in profile unknown on unknown images for unknown epochs; saved unknown."
    assert "for 8 epochs;" in models.describe_saved_model({**metadata, "epochs": 8})


def test_no_process_wide_settings_in_library_code():
    import re
    from pathlib import Path

    for path in Path(cifar_tutorial.__file__).parent.rglob("*.py"):
        text = path.read_text()
        assert "setdefaulttimeout" not in text, path.name
        assert not re.search(r"os\.environ\[[^]]+\]\s*=(?!=)", text), path.name


def test_a_genuine_error_printed_while_tensorflow_imports_still_shows():
    """Only the known start-up notices are dropped from what ``import tensorflow`` prints."""
    notices = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1795448799.363284    5675 port.cc:153] oneDNN custom operations are on. You may see "
        "slightly different numerical results due to floating-point round-off errors.\n"
        "I0000 00:00:1795448799.413400    5675 cpu_feature_guard.cc:227] This TensorFlow binary is optimized "
        "to use available CPU instructions in performance-critical operations.\n"
        "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with "
        "the appropriate compiler flags.\n"
    )
    error = "E0000 00:00:1795448799.5 5675 cuda_dnn.cc:8579] Unable to register cuDNN factory\n"
    assert startup.drop_startup_notices(notices) == ""
    assert startup.drop_startup_notices(notices + error + "Traceback (most recent call last):\n") == (
        error + "Traceback (most recent call last):\n")


def test_the_import_passes_a_genuine_error_through_to_stderr():
    """In a fresh process: a line TensorFlow's import writes to file descriptor 2
    that is not a known notice reaches stderr; the known notices do not."""
    import subprocess
    import sys

    code = (
        "import builtins, os\n"
        "real = builtins.__import__\n"
        "def noisy(name, *args, **kwargs):\n"
        "    if name == 'tensorflow':\n"
        "        os.write(2, b'E0000 00:00:1.0 1 real_problem.cc:1] something failed\\n')\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = noisy\n"
        "import cifar_tutorial\n"
        "cifar_tutorial.quiet_startup()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "real_problem.cc:1] something failed" in result.stderr
    assert "oneDNN custom operations" not in result.stderr
    assert "All log messages before absl" not in result.stderr


def test_a_model_compiled_with_the_recipes_loss_saves_and_reloads(tmp_path):
    """Lesson 08 trains the recipe itself when lesson 07's model is missing, then saves and
    reloads it with its training configuration: the custom loss must be registered."""
    import keras

    from cifar_tutorial import recipe

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="sgd", loss=recipe.SmoothedSparseCategoricalCrossentropy(label_smoothing=0.2))
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    assert reloaded.loss.get_config()["label_smoothing"] == 0.2
