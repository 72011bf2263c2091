"""Checks for the exercises of lesson 06 (training recipes: batch normalization, the
learning-rate schedule, the recipe's ablation study)."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

from cifar_tutorial import metrics
from cifar_tutorial.exercises.feedback import Feedback, all_layers, as_int, hint, right

VERDICTS = ("better", "worse", "no difference shown")


def check_06_schedule(peak_step, last_rate, schedule, total_steps: int) -> Feedback:
    """Exercise 06.1: the step at which a learning-rate schedule is largest, and its rate at the
    last training step.

    Args:
        peak_step: the student's step (an integer, counted from 0 as the optimizer counts).
        last_rate: the student's learning rate at step ``total_steps - 1``.
        schedule: a ``keras.optimizers.schedules.LearningRateSchedule`` (the lesson's warm-up
            plus cosine decay), evaluated here at every step.
        total_steps: the number of training steps, ``RECIPE_EPOCHS * steps_per_epoch``.

    Returns:
        :class:`Feedback`. A peak step is right if the rate there equals the largest rate
        (to 1e-9 relative: a plateau of equal rates accepts any of its steps); the last rate
        to 1e-6 relative.
    """
    rates = np.array([float(schedule(step)) for step in range(int(total_steps))])
    step = as_int(peak_step)
    if step is None:
        return hint("give the peak as a whole step number, counted from 0.")
    if not 0 <= step < len(rates):
        return hint(f"training runs steps 0 to {len(rates) - 1}; your step is outside them.")
    try:
        last = float(last_rate)
    except (TypeError, ValueError):
        return hint("give the last learning rate as one number.")
    if not np.isclose(rates[step], rates.max(), rtol=1e-9, atol=0):
        if step == 0:
            return hint("the warm-up starts low: the first step is not the largest. Evaluate schedule(step) for "
                        "every step and find where it stops rising.")
        if step == len(rates) - 1:
            return hint("the cosine decay ends the run with small steps: the last step is not the largest.")
        return hint("not the largest rate: evaluate schedule(step) for every step and take np.argmax.")
    if not np.isclose(last, rates[-1], rtol=1e-6, atol=0):
        if np.isclose(last, rates.max(), rtol=1e-6):
            return hint("that is the peak rate; the question asks for the rate at the last step.")
        return hint("evaluate the schedule at the last step, total_steps - 1 (steps count from 0).")
    return right("the rate rises during the warm-up to its peak, then the cosine decay lowers it for the rest "
                 "of the run, towards its floor of alpha times the peak.")


def check_06_moving_statistics(count, model: keras.Model) -> Feedback:
    """Exercise 06.2: the number of a model's parameters that gradient descent does not change
    (for lesson 06's ``make_batch_norm()``: the moving means and variances of its
    ``BatchNormalization`` layers).

    Args:
        count: the student's count, a whole number.
        model: the model counted; its non-trainable weights are summed here.

    Returns:
        :class:`Feedback`; the hints name the mistake (only the means or the variances counted,
        the learned scale and offset counted too), never the number.
    """
    value = as_int(count)
    if value is None:
        return hint(f"give the count as a whole number, not {count!r}.")
    expected = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    channels = sum(int(layer.moving_mean.shape[0]) for layer in all_layers(model)
                   if isinstance(layer, keras.layers.BatchNormalization))
    if value == expected:
        return right("two moving statistics per channel of every BatchNormalization layer; fit updates them "
                     "as averages of the batches' statistics, not by gradient descent.")
    if value == expected // 2 and channels:
        return hint("each channel keeps two moving statistics, a mean and a variance.")
    if value == 2 * expected and channels:
        return hint("the scale (gamma) and offset (beta) are learned by gradient descent: they are trainable.")
    return hint("go layer by layer: only the BatchNormalization layers have non-trainable parameters, and how "
                "many depends on the channels of the convolution before each. Compare with model.summary().")


def check_06_ablation_verdicts(verdicts: Mapping[str, str], study: Mapping) -> Feedback:
    """Exercise 06.3: every variant's verdict in a replicated study with a reference (lesson 06's
    ``recipe_ablation``), recomputed from its runs with
    :func:`cifar_tutorial.metrics.paired_difference` (the course's rule, lesson 04).

    Args:
        verdicts: variant name -> ``"better"``, ``"worse"`` or ``"no difference shown"``, for
            every variant but the reference.
        study: what :func:`cifar_tutorial.studies.load` returns; its runs are paired by seed.

    Returns:
        :class:`Feedback` naming the variants whose verdict differs, not the verdict itself.
    """
    reference = study["reference"]
    scores = {}
    for run in study["runs"]:
        scores.setdefault(run["variant"], {})[run["seed"]] = run["val_accuracy"]
    expected = {}
    for name, by_seed in scores.items():
        if name == reference:
            continue
        seeds = sorted(by_seed)
        expected[name] = metrics.paired_difference([scores[reference][s] for s in seeds],
                                                   [by_seed[s] for s in seeds]).verdict
    if not isinstance(verdicts, Mapping):
        return hint("give a dictionary from each variant's name to its verdict.")
    missing = [name for name in expected if name not in verdicts]
    if missing:
        return hint(f"no verdict for: {', '.join(missing)} (the names are the study's variants, as in "
                    "ablation['summary']).")
    unknown = [str(v) for v in verdicts.values() if v not in VERDICTS]
    if unknown:
        return hint(f"a verdict is one of {', '.join(repr(v) for v in VERDICTS)}; got {', '.join(unknown)}.")
    wrong = [name for name, verdict in expected.items() if verdicts[name] != verdict]
    if wrong:
        return hint(f"not the rule's verdict for: {', '.join(wrong)}. Pair each variant's runs with the recipe's "
                    "by seed, in the order paired_difference(recipe, variant), and read whether the interval "
                    "excludes zero and on which side.")
    return right("each verdict recomputed from the runs: an interval below zero means the recipe does worse "
                 "with the change; one that contains zero shows no difference in this many runs.")
