"""The verdict every exercise check returns, and the helpers several checks share."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np


@dataclasses.dataclass(frozen=True)
class Feedback:
    """The verdict of a check.

    Attributes:
        correct: whether the answer is right.
        message: what was right, or a hint on what is wrong.
    """

    correct: bool
    message: str

    def __str__(self) -> str:
        return f"{'Correct' if self.correct else 'Not yet'}: {self.message}"

    __repr__ = __str__

    def __bool__(self) -> bool:
        return self.correct


def right(message: str) -> Feedback:
    return Feedback(True, message)


def hint(message: str) -> Feedback:
    return Feedback(False, message)


def as_int(answer) -> int | None:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return int(value) if value == int(value) else None


def as_array(answer) -> np.ndarray | None:
    """The student's answer as a float64 array, or ``None`` if it is not numbers."""
    try:
        return np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def all_layers(model: keras.Model) -> list:
    """Every layer of ``model``, descending into nested models."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(all_layers(layer))
    return found


def check_parameter_count(answer, expected: int, without_bias: int, what: str) -> Feedback:
    value = as_int(answer)
    if value is None:
        return hint(f"give the count as a whole number, not {answer!r}.")
    if value == expected:
        return right(f"{what} has {expected:,} parameters: weights plus one bias per unit (neuron or filter).")
    if value == without_bias:
        return hint("that counts the weights only; every unit also has one bias.")
    return hint(f"{value:,} is not it. Count inputs x units for the weights, plus units for the biases, "
                 "layer by layer, and check against model.summary().")
