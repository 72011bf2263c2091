"""Evaluation helpers: confusions, calibration, top-k, intervals, and the rule for comparisons.

Counts and scores come from scikit-learn where it has them
(``confusion_matrix``, ``top_k_accuracy_score``, ``classification_report``);
this module adds what it lacks: the most-confused class pairs, the expected
calibration error, and (with SciPy) a confidence interval on accuracy, a
paired test of two models on the same images, and the course's one rule for
comparing two settings over repeated runs (:func:`paired_difference`). Pure
functions of labels, probabilities and scores; using a model on images is
:mod:`cifar_tutorial.inference`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np


def most_confused_pairs(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str], k: int = 5):
    """The ``k`` most frequent mistakes, from scikit-learn's ``confusion_matrix``.

    Args:
        y_true, y_pred: integer labels ``(N,)``.

    Returns:
        A list of ``(true_name, predicted_name, count, fraction_of_true_class)``,
        largest count first, ties in class order; correct predictions (the
        diagonal) are excluded.
    """
    from sklearn.metrics import confusion_matrix

    cm = confusion_matrix(y_true, y_pred, labels=list(range(len(class_names))))
    mistakes = [(-int(cm[t, p]), t, p) for t in range(len(cm)) for p in range(len(cm)) if t != p and cm[t, p]]
    return [(class_names[t], class_names[p], -neg, float(-neg / cm[t].sum()))
            for neg, t, p in sorted(mistakes)[:k]]


def top_k_accuracy(y_true: np.ndarray, probabilities: np.ndarray, k: int) -> float:
    """Fraction of images whose true class is among the ``k`` most probable
    (scikit-learn's ``top_k_accuracy_score``).

    Args:
        y_true: integer labels ``(N,)``.
        probabilities: ``(N, classes)`` predicted probabilities.
    """
    from sklearn.metrics import top_k_accuracy_score

    probabilities = np.asarray(probabilities, dtype=np.float64)  # bfloat16 outputs too (scikit-learn needs float)
    return float(top_k_accuracy_score(y_true, probabilities, k=k, labels=np.arange(probabilities.shape[1])))


def calibration_bins(y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 10):
    """Group predictions by confidence, for a reliability diagram.

    The confidence of a prediction is its largest probability. Predictions are
    put in ``n_bins`` equal-width bins of confidence over (0, 1].

    Returns:
        ``(bin_edges, accuracy, confidence, counts)``: edges ``(n_bins + 1,)``;
        per bin the accuracy and mean confidence (NaN for an empty bin) and
        the number of predictions, each ``(n_bins,)``.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)  # bfloat16 outputs too (exactly)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(y_true).reshape(-1)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    index = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore"):
        accuracy = np.bincount(index, weights=correct, minlength=n_bins) / counts
        mean_confidence = np.bincount(index, weights=confidence, minlength=n_bins) / counts
    return edges, accuracy, mean_confidence, counts


def expected_calibration_error(y_true: np.ndarray, probabilities: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error (ECE), Guo et al. 2017, "On Calibration of
    Modern Neural Networks", eq. 3: the average over confidence bins of
    ``|accuracy - mean confidence|``, weighted by the fraction of predictions
    in each bin. 0 means confidences match accuracies exactly.

    Args:
        y_true: integer labels ``(N,)``.
        probabilities: ``(N, classes)``, rows summing to 1.
        n_bins: equal-width confidence bins (Guo et al. use 15; 10 is common).
    """
    _, accuracy, confidence, counts = calibration_bins(y_true, probabilities, n_bins)
    used = counts > 0
    return float(np.sum(counts[used] / counts.sum() * np.abs(accuracy[used] - confidence[used])))


def accuracy_interval(y_true: np.ndarray, y_pred: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Accuracy on a test set with its Wilson score confidence interval (lesson 08).

    The test images are a sample: another 1,000 images would give another
    accuracy. The Wilson interval (Wilson, 1927; recommended over the normal
    approximation by Brown, Cai and DasGupta, 2001, "Interval Estimation for a
    Binomial Proportion") is computed by SciPy's
    ``scipy.stats.binomtest(...).proportion_ci(method="wilson")``.

    Args:
        y_true, y_pred: integer labels ``(N,)``, the true and the predicted classes.
        confidence: the interval's confidence level, in (0, 1).

    Returns:
        ``(accuracy, low, high)``, fractions in [0, 1].

    Raises:
        ValueError: if the arrays are empty or differ in length.
    """
    from scipy.stats import binomtest

    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    if len(y_true) == 0 or len(y_true) != len(y_pred):
        raise ValueError(f"need two label arrays of the same non-zero length, got {len(y_true)} and {len(y_pred)}.")
    correct = int(np.sum(y_true == y_pred))
    interval = binomtest(correct, len(y_true)).proportion_ci(confidence_level=confidence, method="wilson")
    return correct / len(y_true), float(interval.low), float(interval.high)


def mcnemar_test(y_true: np.ndarray, y_pred_a: np.ndarray, y_pred_b: np.ndarray) -> tuple[int, int, float]:
    """Exact McNemar test: do two models differ in accuracy on the same test images? (lesson 08)

    Only the images where exactly one of the two models is right carry
    information: ``a_only`` (A right, B wrong) and ``b_only`` (B right, A
    wrong). If the models were equally accurate, each such image would be
    either kind with probability 1/2, so ``a_only`` follows a binomial
    distribution with ``n = a_only + b_only``, ``p = 1/2`` (McNemar, 1947; the
    exact form, as in Dietterich, 1998, "Approximate Statistical Tests for
    Comparing Supervised Classification Learning Algorithms"). The two-sided
    p-value is SciPy's ``scipy.stats.binomtest``.

    Args:
        y_true: integer labels ``(N,)``.
        y_pred_a, y_pred_b: the two models' predicted classes ``(N,)`` on the same images.

    Returns:
        ``(a_only, b_only, p_value)``; ``p_value`` is 1.0 when no image separates them.

    Raises:
        ValueError: if the arrays differ in length.
    """
    from scipy.stats import binomtest

    y_true, a, b = (np.asarray(v).reshape(-1) for v in (y_true, y_pred_a, y_pred_b))
    if not len(y_true) == len(a) == len(b):
        raise ValueError(f"labels and predictions differ in length: {len(y_true)}, {len(a)}, {len(b)}.")
    a_only = int(np.sum((a == y_true) & (b != y_true)))
    b_only = int(np.sum((b == y_true) & (a != y_true)))
    p_value = 1.0 if a_only + b_only == 0 else float(binomtest(a_only, a_only + b_only, 0.5).pvalue)
    return a_only, b_only, p_value


@dataclasses.dataclass(frozen=True)
class Difference:
    """A difference between two settings over repeated runs, with its confidence interval
    (the outcome of :func:`paired_difference`).

    Attributes:
        mean: mean of ``b - a`` over the replicates (fractions, e.g. accuracy points / 100).
        low, high: the confidence interval of that mean.
        replicates: how many paired runs.
        confidence: the interval's level, e.g. 0.95.
    """

    mean: float
    low: float
    high: float
    replicates: int
    confidence: float = 0.95

    @property
    def excludes_zero(self) -> bool:
        """Whether the interval lies wholly on one side of zero: the one rule by which
        the course calls a difference an effect."""
        return self.low > 0 or self.high < 0

    @property
    def verdict(self) -> str:
        """``"better"``, ``"worse"`` or ``"no difference shown"``, from the interval alone."""
        if not self.excludes_zero:
            return "no difference shown"
        return "better" if self.mean > 0 else "worse"

    def __str__(self) -> str:
        return (f"{100 * self.mean:+.1f} points ({self.confidence:.0%} interval {100 * self.low:+.1f} to "
                f"{100 * self.high:+.1f}, {self.replicates} paired runs): {self.verdict}")


def paired_difference(a, b, confidence: float = 0.95) -> Difference:
    """How much setting ``b`` differs from setting ``a`` over paired replicates: the course's
    one rule for comparing two settings (introduced in lesson 05, used by every lesson and study).

    Replicate ``i`` of ``a`` and of ``b`` share what varies between runs on purpose (the seed, and
    the labelled set where it varies), so the differences ``b[i] - a[i]`` are independent draws of
    the effect. Their mean gets Student's t interval with ``n - 1`` degrees of freedom (Student,
    1908, "The Probable Error of a Mean"), computed by SciPy (the one-sample t interval of the differences, :func:`mean_interval`, which is
    what ``scipy.stats.ttest_rel(b, a).confidence_interval(confidence)`` gives). A difference counts as an
    effect only when its interval excludes zero (:attr:`Difference.excludes_zero`); with few
    replicates the interval is wide, so "no difference shown" is the honest reading of most small
    differences. Scores should be validation scores: the test set is reported, never used to choose.

    Args:
        a, b: scores of the two settings, one per replicate, same order and length (at least 2),
            e.g. validation accuracies as fractions.
        confidence: the interval's level, in (0, 1).

    Returns:
        A :class:`Difference`. When every difference is the same number the interval is that number.

    Raises:
        ValueError: fewer than two replicates, or ``a`` and ``b`` of different lengths.
    """
    a, b = np.asarray(a, dtype=np.float64).reshape(-1), np.asarray(b, dtype=np.float64).reshape(-1)
    if len(a) != len(b) or len(a) < 2:
        raise ValueError(f"need two score lists of the same length, at least 2, got {len(a)} and {len(b)}.")
    # The paired t interval is the one-sample t interval of the differences (what ttest_rel computes).
    mean, low, high = mean_interval(b - a, confidence)
    return Difference(mean, low, high, len(a), confidence)


def mean_interval(scores, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of repeated scores with its Student's t interval (what a study's error bars show).

    Args:
        scores: one score per replicate (at least 2), e.g. validation accuracies.
        confidence: the interval's level.

    Returns:
        ``(mean, low, high)``; SciPy's ``scipy.stats.ttest_1samp(scores, 0).confidence_interval``.

    Raises:
        ValueError: fewer than two scores.
    """
    from scipy.stats import ttest_1samp

    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(scores) < 2:
        raise ValueError(f"need at least two scores, got {len(scores)}.")
    mean = float(scores.mean())
    if np.allclose(scores, scores[0]):
        return mean, mean, mean
    interval = ttest_1samp(scores, 0.0).confidence_interval(confidence_level=confidence)
    return mean, float(interval.low), float(interval.high)
