"""Concept quizzes: the multiple-choice "Check your understanding" questions at the end of
each lesson, for the learning outcomes no coding exercise assesses.

Each lesson's questions are printed in its Exercises section; ``check_NN_quiz(answers)``
takes the letters chosen, e.g. ``"BCA"`` or ``{1: "B", 2: "C", 3: "A"}``, and answers
question by question: why a right answer is right, and, for a wrong one, the
misconception that option stands for. The options' texts live in the lessons; here each
option has only its feedback, so that ``help()`` on a check shows no answer.
"""

from __future__ import annotations

from collections.abc import Mapping

from cifar_tutorial.exercises.feedback import Feedback
from cifar_tutorial.exercises.quiz_questions import QUIZZES


def check_quiz(lesson: str, answers) -> Feedback:
    """Check a lesson's concept quiz.

    Args:
        lesson: ``"00"`` to ``"11"``.
        answers: the chosen letters in question order, as a string (``"BCA"``), a sequence
            (``["B", "C", "A"]``) or a mapping from question number (from 1) to letter.

    Returns:
        :class:`Feedback`, right only when every question is; its message gives, per
        question, why the chosen option is right or the misconception it stands for.

    Raises:
        KeyError: for a lesson with no quiz.
    """
    questions = QUIZZES[lesson]
    if isinstance(answers, Mapping):
        chosen = {int(k): str(v).strip().upper() for k, v in answers.items()}
    else:
        letters = [c for c in answers if str(c).strip()] if isinstance(answers, str) else list(answers)
        chosen = {i + 1: str(letter).strip().upper() for i, letter in enumerate(letters)}
    lines, correct = [], 0
    for number, question in enumerate(questions, start=1):
        letter = chosen.get(number)
        if letter is None:
            lines.append(f"question {number} ({question.outcome}): no answer given.")
        elif letter not in question.feedback:
            lines.append(f"question {number}: {letter!r} is not one of {', '.join(question.feedback)}.")
        else:
            correct += letter == question.right
            verdict = "right" if letter == question.right else "not quite"
            lines.append(f"question {number} ({question.outcome}), {letter}: {verdict}. {question.feedback[letter]}")
    summary = f"{correct} of {len(questions)} right."
    return Feedback(correct == len(questions), "\n".join([summary, *lines]))


def check_00_quiz(answers) -> Feedback:
    """Lesson 00's concept quiz (batch, step and epoch; the learning rate; the Keras calls;
    why CIFAR-10 is harder; the gradient and one step; a learning rate that is
    too small). ``answers``: see :func:`check_quiz`."""
    return check_quiz("00", answers)


def check_01_quiz(answers) -> Feedback:
    """Lesson 01's concept quiz (loading offline; where CIFAR-10 came from; indexing the arrays; why
    the test set stays apart; class balance and what an accuracy means; when labels need one-hot encoding). See :func:`check_quiz`."""
    return check_quiz("01", answers)


def check_02_quiz(answers) -> Feedback:
    """Lesson 02's concept quiz (what ``compile`` fixes; why an MLP ignores spatial structure;
    reading the training curves; reading one prediction).
    See :func:`check_quiz`."""
    return check_quiz("02", answers)


def check_03_quiz(answers) -> Feedback:
    """Lesson 03's concept quiz (a convolution's parameters; the output-size formula; the receptive
    field; what max pooling computes). See :func:`check_quiz`."""
    return check_quiz("03", answers)


def check_04_quiz(answers) -> Feedback:
    """Lesson 04's concept quiz (reading a feature map; a fair comparison of models; the
    generalization gap; reading the filter pictures). See :func:`check_quiz`."""
    return check_quiz("04", answers)


def check_05_quiz(answers) -> Feedback:
    """Lesson 05's concept quiz (an effect or noise; what each remedy changes; what
    ``restore_best_weights`` keeps; the ``.keras`` format). See :func:`check_quiz`."""
    return check_quiz("05", answers)


def check_06_quiz(answers) -> Feedback:
    """Lesson 06's concept quiz (the schedule; batch normalization's moving average; why ``fit``'s
    logged accuracy differs; weight decay; momentum). See :func:`check_quiz`."""
    return check_quiz("06", answers)


def check_07_quiz(answers) -> Feedback:
    """Lesson 07's concept quiz (label smoothing's targets; reading an ablation; choosing on
    validation data). See :func:`check_quiz`."""
    return check_quiz("07", answers)


def check_08_quiz(answers) -> Feedback:
    """Lesson 08's concept quiz (McNemar; the confusion matrix by columns; ``tf.data``;
    which mistakes to inspect; F1; McNemar's p-value; label smoothing and
    calibration). See :func:`check_quiz`."""
    return check_quiz("08", answers)


def check_09_quiz(answers) -> Feedback:
    """Lesson 09's concept quiz (symbolic tensors; ``Add``'s shapes; a block learning no change; degradation;
    what ``Sequential`` cannot express; reading the residual study)."""
    return check_quiz("09", answers)


def check_10_quiz(answers) -> Feedback:
    """Lesson 10's concept quiz (reading the learning-curve study; a ``keras.applications``
    model; why fine-tuning calls the base with ``training=False``). See :func:`check_quiz`."""
    return check_quiz("10", answers)


def check_11_quiz(answers) -> Feedback:
    """Lesson 11's concept quiz (an all-dark heat map; choosing the layer; what a heat map shows).
    See :func:`check_quiz`."""
    return check_quiz("11", answers)
