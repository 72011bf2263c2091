"""Checks for the exercises of lessons 06 (batch normalization and the learning-rate schedule)
and 07 (the course's recipe: resuming its schedule, flip test-time augmentation, its ablation
study)."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

from cifar_tutorial import inference, metrics, recipe
from cifar_tutorial.exercises.feedback import Feedback, all_layers, as_int, hint, right

VERDICTS = ("better", "worse", "no difference shown")


def check_06_schedule(peak_step, last_rate, schedule, total_steps: int,
                      peak: float = recipe.PEAK_LEARNING_RATE) -> Feedback:
    """Exercise 06.1: a learning-rate schedule built like lesson 06's for ``total_steps`` steps, the
    step at which it is largest, and its rate at the last training step.

    Args:
        peak_step: the student's step (an integer, counted from 0 as the optimizer counts).
        last_rate: the student's learning rate at step ``total_steps - 1``.
        schedule: the student's ``keras.optimizers.schedules.LearningRateSchedule``, evaluated
            here at every step.
        total_steps: the number of training steps it was built for (the exercise's
            ``4 * steps_per_epoch``).
        peak: the recipe's peak rate. The schedule must equal, at every step (to 1e-6 relative),
            :func:`cifar_tutorial.recipe.warmup_cosine_schedule` for ``peak`` and ``total_steps``,
            the package's copy of the lesson's schedule.

    Returns:
        :class:`Feedback`. A peak step is right if the rate there equals the largest rate
        (to 1e-9 relative: a plateau of equal rates accepts any of its steps); the last rate
        to 1e-6 relative.
    """
    steps = range(int(total_steps))
    rates = np.array([float(schedule(step)) for step in steps])
    lesson = recipe.warmup_cosine_schedule(peak, int(total_steps))
    if not np.allclose(rates, [float(lesson(step)) for step in steps], rtol=1e-6, atol=0):
        return hint(f"this schedule is not the lesson's built for {int(total_steps)} steps: it should start at a tenth "
                    "of the peak, warm up over the first 20% of these steps and decay over the rest (decay_steps = "
                    "all steps minus the warm-up steps), as in the schedule section's cell.")
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


def check_06_larger_learning_rate(best_val_accuracy: Mapping[str, float], baseline, batch_norm) -> Feedback:
    """Exercise 06.3: one run each of lesson 06's baseline and batch-normalised model at a learning
    rate ten times the lesson's (Adam, 1e-2 instead of 1e-3), to try Ioffe and Szegedy's (2015)
    report that batch normalization tolerates larger learning rates.

    Args:
        best_val_accuracy: ``{"baseline": ..., "batch norm": ...}``, each run's best validation
            accuracy over its epochs, as a fraction.
        baseline, batch_norm: the two runs, as lesson 06's ``train`` returns them
            (:class:`cifar_tutorial.training.TrainingRun`: ``.model`` and ``.history``).

    Returns:
        :class:`Feedback`: checks that the runs are the two models, compiled at 1e-2, and that
        each number is its run's best ``val_accuracy``; when right, says what one run each can
        and cannot show. It judges the procedure, not which model wins.
    """
    runs = {"baseline": baseline, "batch norm": batch_norm}
    for name, run in runs.items():
        if not hasattr(run, "model") or not hasattr(run, "history"):
            return hint(f"pass the {name} run as train() returns it (its .model and .history).")
    has_batch_norm = {name: any(isinstance(layer, keras.layers.BatchNormalization) for layer in all_layers(run.model))
                      for name, run in runs.items()}
    if has_batch_norm["baseline"] or not has_batch_norm["batch norm"]:
        return hint("the baseline is make_baseline() (no BatchNormalization), the other make_batch_norm().")
    for name, run in runs.items():
        optimizer = getattr(run.model, "optimizer", None)
        rate = float(optimizer.learning_rate) if optimizer is not None else None
        if rate is None or not np.isclose(rate, 1e-2, rtol=1e-6):
            return hint(f"the {name} run was compiled with learning rate {rate}; the exercise asks for ten times "
                        "the lesson's 1e-3, the same for both models.")
    if not isinstance(best_val_accuracy, Mapping) or set(best_val_accuracy) != set(runs):
        return hint('give a dictionary with the keys "baseline" and "batch norm".')
    for name, run in runs.items():
        val = np.asarray(run.history["val_accuracy"], dtype=np.float64)
        try:
            answer = float(best_val_accuracy[name])
        except (TypeError, ValueError):
            return hint(f"give the {name} run's best validation accuracy as one number.")
        if answer > 1:
            answer /= 100  # a percentage, read as such
        if not np.isclose(answer, val.max(), atol=5e-4):
            if np.isclose(answer, val[-1], atol=5e-4):
                return hint(f"that is the {name} run's last epoch; the best is the largest val_accuracy over all epochs.")
            return hint(f"not the {name} run's best validation accuracy: take the largest value of "
                        "run.history['val_accuracy'].")
    return right("both runs at 1e-2, each read at its best epoch. One run each is one draw of weights and batch "
                 "order: whichever is ahead, the course's rule (lesson 05) needs paired seeds, for example five, and "
                 "an interval on the mean difference that excludes zero before saying one tolerates the larger "
                 "rate better.")


def check_07_resume(steps, rate, schedule, epochs_done: int, steps_per_epoch: int) -> Feedback:
    """Exercise 07.1: where lesson 07's schedule stands when the second ``fit`` begins.

    Args:
        steps: the student's count of optimizer steps taken by the first ``fit``.
        rate: the student's learning rate for the second ``fit``'s first step.
        schedule: the lesson's ``keras.optimizers.schedules.LearningRateSchedule``.
        epochs_done: epochs of the first ``fit`` (``RECIPE_EPOCHS // 2``).
        steps_per_epoch: optimizer steps per epoch (batches per epoch).

    Returns:
        :class:`Feedback`. The optimizer counts its steps from 0 and keeps counting across ``fit``
        calls, so after ``n`` steps the next step uses ``schedule(n)``; the rate is compared to
        1e-6 relative. The hints name the mistake (epochs for steps, a restarted count, the
        first ``fit``'s last step), never the number.
    """
    expected = int(epochs_done) * int(steps_per_epoch)
    value = as_int(steps)
    if value is None:
        return hint("give the number of steps as a whole number.")
    if value != expected:
        if value == int(epochs_done):
            return hint("that counts epochs; the optimizer takes one step per batch, steps_per_epoch in each epoch.")
        if value == 0:
            return hint("a second fit keeps the compiled optimizer and its step count; initial_epoch only numbers "
                        "the epochs, it does not restart the schedule.")
        return hint("count the first fit's batches: epochs times steps_per_epoch.")
    try:
        answer = float(rate)
    except (TypeError, ValueError):
        return hint("give the learning rate as one number.")
    if np.isclose(answer, float(schedule(expected)), rtol=1e-6, atol=0):
        return right("the schedule is a function of the optimizer's step count, which goes on across fit calls: "
                     "the second fit starts at the step after the first one's last, with the rate there.")
    if np.isclose(answer, float(schedule(0)), rtol=1e-6, atol=0):
        return hint("that is the first step's rate: the schedule would have restarted, but the step count carries on.")
    if expected > 0 and np.isclose(answer, float(schedule(expected - 1)), rtol=1e-6, atol=0):
        return hint("that is the rate of the first fit's last step; steps count from 0, so after n steps "
                    "the next one is step n.")
    return hint("evaluate the schedule at the step the second fit starts with: schedule(steps taken).")


def check_07_flip_tta(accuracy, model: keras.Model, x_val: np.ndarray, y_val: np.ndarray) -> Feedback:
    """Exercise 07.2: flip test-time augmentation's validation accuracy, computed by hand.

    Args:
        accuracy: the student's accuracy (a fraction) of the average of the model's probabilities
            for each validation image and its mirror image.
        model: the model (lesson 07's ``final_model``).
        x_val: validation images ``(N, 32, 32, 3)``, uint8; y_val: their labels ``(N,)``.

    Returns:
        :class:`Feedback`; right within one image of
        :func:`cifar_tutorial.inference.predict_probabilities` with ``flip_tta=True``. The hints
        recognise the plain model's accuracy and an upside-down flip (axis 1).
    """
    try:
        value = float(accuracy)
    except (TypeError, ValueError):
        return hint("give the accuracy as one number, a fraction.")
    y_val = np.asarray(y_val)
    tolerance = 1.5 / len(y_val)

    def accuracy_of(probabilities):
        return float(np.mean(np.asarray(probabilities).argmax(axis=1) == y_val))

    tta = accuracy_of(inference.predict_probabilities(model, x_val, flip_tta=True))
    if value > 1:
        return hint("give a fraction between 0 and 1, not a percentage.")
    if abs(value - tta) <= tolerance:
        return right("the average of each image's and its mirror image's probabilities, scored on validation "
                     "images only: the choice it feeds is made without the test set.")
    plain = model.predict(x_val, verbose=0)
    if abs(value - accuracy_of(plain)) <= tolerance and abs(accuracy_of(plain) - tta) > tolerance:
        return hint("that is the plain model's accuracy; average its probabilities with those of the mirror images.")
    upside_down = (plain + model.predict(np.asarray(x_val)[:, ::-1], verbose=0)) / 2
    if abs(value - accuracy_of(upside_down)) <= tolerance:
        return hint("axis 1 of x_val is the rows: that flip turns images upside down. The mirror image reverses "
                    "the columns, axis 2.")
    return hint("predict x_val and x_val[:, :, ::-1], average the two probability arrays, and compare the average's "
                "argmax with y_val.")


def check_07_ablation_verdicts(verdicts: Mapping[str, str], study: Mapping) -> Feedback:
    """Exercise 07.3: every variant's verdict in a replicated study with a reference (lesson 07's
    ``recipe_ablation``), recomputed from its runs with
    :func:`cifar_tutorial.metrics.paired_difference` (the course's rule, lesson 05).

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
