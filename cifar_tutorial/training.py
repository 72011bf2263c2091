"""Timing and recording training runs: lessons 02-04 time their own ``model.fit``
with :class:`EpochTimer` and keep the outcome as a :class:`TrainingRun`;
:func:`train_recipe` trains the course's recipe for lessons 08 and 11 (when lesson 07 has not saved it) and the
``train`` command."""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np

from cifar_tutorial import recipe


@dataclasses.dataclass
class TrainingRun:
    """The outcome of :func:`train`.

    Attributes:
        model: the trained model.
        history: ``keras.callbacks.History.history``: per-epoch lists keyed
            ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (and ``learning_rate``
            when a schedule callback logs it).
        seconds: wall-clock training time in seconds (``fit`` only).
        epochs: epochs actually run (fewer than asked if early stopping fired).
        test_accuracy: set by :func:`fit_and_evaluate`, else ``None``.
    """

    model: keras.Model
    history: dict
    seconds: float
    epochs: int
    test_accuracy: float | None = None

    @property
    def seconds_per_epoch(self) -> float:
        """Mean wall-clock seconds per epoch."""
        return self.seconds / max(self.epochs, 1)

    @property
    def best_val_accuracy(self) -> float:
        """Highest validation accuracy over the epochs (fraction, 0..1)."""
        return float(max(self.history.get("val_accuracy", [float("nan")])))


class EpochTimer(keras.callbacks.Callback):
    """Records the wall-clock seconds of each epoch (training and validation) in
    ``self.seconds``, a list of floats. Introduced in lesson 02; lessons 04 and 05
    pass it to ``model.fit(callbacks=[...])`` to time every model they train."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._start)


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, *,
          validation_data: tuple[np.ndarray, np.ndarray], epochs: int, batch_size: int,
          callbacks: list | None = None, verbose: int = 2) -> TrainingRun:
    """``model.fit`` with validation data, timed.

    Args:
        model: a compiled model.
        x_train: images ``(N, 32, 32, 3)``, uint8 pixels 0..255 (the model scales them).
        y_train: integer labels ``(N,)``.
        validation_data: ``(x_val, y_val)`` of the same kinds.
        epochs: passes over ``x_train``.
        batch_size: images per gradient step.
        callbacks: Keras callbacks (early stopping, checkpoints, schedules).
        verbose: Keras' progress display; 2 prints one line per epoch, which
            reads well in a stored notebook.

    Returns:
        A :class:`TrainingRun`.
    """
    start = time.perf_counter()
    history = model.fit(
        x_train, y_train, validation_data=validation_data, epochs=epochs,
        batch_size=batch_size, callbacks=list(callbacks or []), verbose=verbose,
    )
    seconds = time.perf_counter() - start
    return TrainingRun(model, history.history, seconds, len(history.history["loss"]))


def fit_and_evaluate(model: keras.Model, splits, *, epochs: int, batch_size: int,
                     callbacks: list | None = None, verbose: int = 2) -> TrainingRun:
    """Train a compiled model on ``splits`` (a :class:`cifar_tutorial.data.Splits`),
    validating on its validation set, then measure test accuracy.

    Returns:
        The :class:`TrainingRun`, with ``test_accuracy`` (fraction 0..1) set.
    """
    run = train(model, splits.x_train, splits.y_train, validation_data=(splits.x_val, splits.y_val),
                epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose)
    run.test_accuracy = float(model.evaluate(splits.x_test, splits.y_test, verbose=0)[1])
    return run


def train_recipe(splits, *, epochs: int, batch_size: int = recipe.BATCH_SIZE, callbacks: list | None = None,
                 verbose: int = 2, name: str = "course_cnn") -> TrainingRun:
    """Build, compile and train the course's recipe (:func:`cifar_tutorial.recipe.make_model`
    with :func:`cifar_tutorial.recipe.compile_model`, its schedule spanning
    ``epochs``) on ``splits``, as :func:`fit_and_evaluate` does. Introduced in
    lesson 07; reused by lesson 08 (when lesson 07's model is missing), the
    ``train`` command and the benchmark.

    Returns:
        The :class:`TrainingRun` with ``test_accuracy`` set.
    """
    model = recipe.compile_model(recipe.make_model(splits.x_train, name=name), epochs=epochs,
                                 steps_per_epoch=recipe.steps_per_epoch(len(splits.x_train), batch_size))
    return fit_and_evaluate(model, splits, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=verbose)
