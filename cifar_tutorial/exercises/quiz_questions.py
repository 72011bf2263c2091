"""The questions of the lessons' concept quizzes (:mod:`cifar_tutorial.exercises.quizzes`): for
each lesson, in order, the outcome a question assesses, its right letter, and the feedback for
every option. The options' texts are printed in the lessons; the questions are kept in two
modules, lessons 00-05 and 06-11.
"""

from __future__ import annotations

from cifar_tutorial.exercises import quiz_questions_00_05, quiz_questions_06_11
from cifar_tutorial.exercises.quiz_question import Question

QUIZZES: dict[str, list[Question]] = {**quiz_questions_00_05.QUIZZES, **quiz_questions_06_11.QUIZZES}

__all__ = ["QUIZZES", "Question"]
