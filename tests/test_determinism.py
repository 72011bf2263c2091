"""Same seed, same machine, same precision, same numbers: one short training run twice."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cifar_tutorial import data, mixed_precision, recipe, training


def _train_once(splits):
    keras.utils.set_random_seed(123)
    model = recipe.compile_model(recipe.make_model(), epochs=1, steps_per_epoch=4)
    run = training.train(model, splits.x_train[:256], splits.y_train[:256],
                         validation_data=(splits.x_val[:64], splits.y_val[:64]), epochs=1, batch_size=64, verbose=0)
    return run.history, [w.copy() for w in model.get_weights()]


@pytest.mark.parametrize("setting", ["float32", "auto"])
def test_same_seed_gives_identical_weights_and_history(sample_archive, monkeypatch, setting):
    monkeypatch.setenv(mixed_precision.PRECISION_ENV, setting)
    splits = data.prepare_splits(1000, seed=0, path=sample_archive)
    try:
        chosen = mixed_precision.set_precision()
        if setting == "float32":
            assert chosen.policy == "float32"
        history_a, weights_a = _train_once(splits)
        history_b, weights_b = _train_once(splits)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert history_a == history_b
    assert len(weights_a) == len(weights_b)
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)  # bit for bit
