"""Same seed, same machine, same numbers: one short training run twice."""

from __future__ import annotations

import numpy as np

from cifar_tutorial import data, models, training


def _train_once(splits):
    import keras

    keras.utils.set_random_seed(123)
    model = training.compile_best_cnn(models.build_best_cnn(), epochs=1, steps_per_epoch=4)
    run = training.train(model, splits.x_train[:256], splits.y_train[:256],
                         validation_data=(splits.x_val[:64], splits.y_val[:64]), epochs=1, batch_size=64, verbose=0)
    return run.history, [w.copy() for w in model.get_weights()]


def test_same_seed_gives_identical_weights_and_history(sample_archive):
    splits = data.prepare_splits(1000, seed=0, path=sample_archive)
    history_a, weights_a = _train_once(splits)
    history_b, weights_b = _train_once(splits)
    assert history_a == history_b
    assert len(weights_a) == len(weights_b)
    for a, b in zip(weights_a, weights_b):
        np.testing.assert_array_equal(a, b)
