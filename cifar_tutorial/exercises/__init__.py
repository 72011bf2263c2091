"""Check helpers for the exercises at the end of each lesson.

Each ``check_*`` function takes the student's answer (and whatever data it
depends on), works out the right answer itself, and returns a
:class:`Feedback`: ``Correct: ...`` or ``Not yet: <a hint on what is wrong>``.
A check never raises on a wrong answer; it explains. Worked solutions are in
``notebooks/solutions/``, where CI runs them against these checks.

Functions are named ``check_<lesson>_<what>``, in the order of the lesson's
exercises.

The checks live in one module per pair of lessons
(:mod:`~cifar_tutorial.exercises.first_models`, :mod:`~cifar_tutorial.exercises.networks` for lessons 03 to 05, :mod:`~cifar_tutorial.exercises.recipes` for lessons 06 and 07, :mod:`~cifar_tutorial.exercises.residual` for lesson 09,
:mod:`~cifar_tutorial.exercises.evaluation`, :mod:`~cifar_tutorial.exercises.interpretation` for lesson 11), the lessons' concept quizzes in
:mod:`~cifar_tutorial.exercises.quizzes` (their questions' feedback in
:mod:`~cifar_tutorial.exercises.quiz_questions`), and are all importable from here.
"""

from cifar_tutorial.exercises.evaluation import (
    check_08_confidence_threshold,
    check_08_ece_bins,
    check_08_lowest_recall,
    check_10_majority_baseline,
    check_10_clearly_better,
    check_10_new_classes,
    check_10_paired_difference,
    check_10_trainable_parameters,
)
from cifar_tutorial.exercises.interpretation import (
    check_11_centre_share,
    check_11_grad_cam,
    check_11_true_class_maps,
)
from cifar_tutorial.exercises.feedback import (
    Feedback,
)
from cifar_tutorial.exercises.first_models import (
    check_00_by_hand,
    check_00_mistakes,
    check_00_parameters,
    check_01_channel_mean,
    check_01_first_ship,
    check_01_standardize,
    check_02_accuracy,
    check_02_parameters,
    check_02_width_sweep,
)
from cifar_tutorial.exercises.quizzes import (
    check_00_quiz,
    check_01_quiz,
    check_02_quiz,
    check_03_quiz,
    check_04_quiz,
    check_05_quiz,
    check_06_quiz,
    check_07_quiz,
    check_08_quiz,
    check_09_quiz,
    check_10_quiz,
    check_11_quiz,
)
from cifar_tutorial.exercises.residual import (
    check_09_functional,
    check_09_residual_block,
    check_09_shortcut_parameters,
    check_09_training_difference,
)
from cifar_tutorial.exercises.recipes import (
    check_06_larger_learning_rate,
    check_06_moving_statistics,
    check_06_schedule,
    check_07_ablation_verdicts,
    check_07_flip_tta,
    check_07_resume,
)
from cifar_tutorial.exercises.networks import (
    check_03_output_shapes,
    check_03_sharpen,
    check_03_small_model,
    check_04_cost_ratio,
    check_04_dark_maps,
    check_04_own_cnn,
    check_05_augmentation,
    check_05_callbacks,
    check_05_gap,
)

__all__ = [
    "Feedback",
    "check_00_quiz",
    "check_01_quiz",
    "check_02_quiz",
    "check_03_quiz",
    "check_04_quiz",
    "check_05_quiz",
    "check_06_quiz",
    "check_07_quiz",
    "check_08_quiz",
    "check_09_quiz",
    "check_10_quiz",
    "check_11_quiz",
    "check_00_by_hand",
    "check_00_mistakes",
    "check_00_parameters",
    "check_01_channel_mean",
    "check_01_first_ship",
    "check_01_standardize",
    "check_02_accuracy",
    "check_02_parameters",
    "check_02_width_sweep",
    "check_03_output_shapes",
    "check_03_sharpen",
    "check_03_small_model",
    "check_04_cost_ratio",
    "check_04_dark_maps",
    "check_04_own_cnn",
    "check_05_augmentation",
    "check_05_callbacks",
    "check_05_gap",
    "check_06_larger_learning_rate",
    "check_06_moving_statistics",
    "check_06_schedule",
    "check_07_ablation_verdicts",
    "check_07_flip_tta",
    "check_07_resume",
    "check_08_confidence_threshold",
    "check_08_ece_bins",
    "check_08_lowest_recall",
    "check_09_functional",
    "check_09_residual_block",
    "check_09_shortcut_parameters",
    "check_09_training_difference",
    "check_10_majority_baseline",
    "check_10_clearly_better",
    "check_10_new_classes",
    "check_10_paired_difference",
    "check_10_trainable_parameters",
    "check_11_true_class_maps",
    "check_11_grad_cam",
    "check_11_centre_share",
]
