"""One concept-quiz question (:mod:`cifar_tutorial.exercises.quizzes`): the outcome it assesses,
its right letter and the feedback for every option."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Question:
    """One question: the outcome it assesses, the letter of the right option, and the
    feedback for every option (for the right one, why it is right)."""

    outcome: str
    right: str
    feedback: Mapping[str, str]
