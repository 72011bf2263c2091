"""Training with a timer, so lessons can compare models by accuracy and cost."""

from __future__ import annotations

import dataclasses
import time

import keras
import numpy as np


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
    """

    model: keras.Model
    history: dict
    seconds: float
    epochs: int

    @property
    def seconds_per_epoch(self) -> float:
        """Mean wall-clock seconds per epoch."""
        return self.seconds / max(self.epochs, 1)

    @property
    def best_val_accuracy(self) -> float:
        """Highest validation accuracy over the epochs (fraction, 0..1)."""
        return float(max(self.history.get("val_accuracy", [float("nan")])))


def train(model: keras.Model, x_train: np.ndarray, y_train: np.ndarray, *,
          validation_data: tuple[np.ndarray, np.ndarray], epochs: int, batch_size: int,
          callbacks: list | None = None, verbose: int = 2) -> TrainingRun:
    """``model.fit`` with validation data, timed.

    Args:
        model: a compiled model.
        x_train: float32 images ``(N, 32, 32, 3)`` scaled to [0, 1].
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
        batch_size=batch_size, callbacks=callbacks or [], verbose=verbose,
    )
    seconds = time.perf_counter() - start
    return TrainingRun(model, history.history, seconds, len(history.history["loss"]))
