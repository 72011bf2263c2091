"""Matplotlib figures the lessons share. Each function draws and returns the figure.

Images are uint8 ``(N, 32, 32, 3)`` (0..255) or float ``(N, 32, 32, 3)`` in [0, 1];
labels are integers ``(N,)`` indexing ``class_names``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

# One marker per series wherever several share an axis, so that colour is never the only way to
# tell them apart (the course website's accessibility rule).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

def plot_class_balance(y: np.ndarray, class_names: Sequence[str], title: str = "Images per class"):
    """Bar chart of how many labels ``y`` (shape ``(N,)``) fall in each class."""
    counts = np.bincount(np.asarray(y).reshape(-1), minlength=len(class_names))
    fig, ax = plt.subplots(figsize=(8, 3))
    bars = ax.bar(class_names, counts, color="tab:blue")
    ax.bar_label(bars, fontsize=8)
    ax.axhline(counts.mean(), color="grey", linestyle="--", linewidth=1, label="mean")
    ax.set_ylabel("images")
    ax.set_title(title)
    ax.legend(loc="lower right")
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def plot_examples_per_class(x: np.ndarray, y: np.ndarray, class_names: Sequence[str], per_class: int = 8):
    """A grid with one row per class and the first ``per_class`` images of it."""
    y = np.asarray(y).reshape(-1)
    fig, axes = plt.subplots(len(class_names), per_class, figsize=(per_class * 0.62, len(class_names) * 0.8))
    for row, name in enumerate(class_names):
        indices = np.flatnonzero(y == row)[:per_class]
        for col in range(per_class):
            ax = axes[row, col]
            ax.axis("off")
            if col < len(indices):
                ax.imshow(x[indices[col]])
        axes[row, 0].set_title(name, fontsize=8, loc="left")
    fig.tight_layout(pad=0.2)
    return fig


def plot_history(histories: Mapping[str, Mapping[str, Sequence[float]]], metrics: Sequence[str] = ("loss", "accuracy")):
    """Training curves: one panel per metric, solid train and dashed validation lines.

    Args:
        histories: ``{label: history}``, each a ``History.history`` dict with
            per-epoch lists such as ``loss`` and ``val_loss``. Several runs share
            the axes, each in its own colour and, when there are several, its own marker.
        metrics: which metrics to draw, one panel each.
    """
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (label, history) in enumerate(histories.items()):
            style = {"color": f"C{i}"}
            if len(histories) > 1:
                style.update(marker=MARKERS[i % len(MARKERS)], markersize=4)
            epochs = np.arange(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], label=f"{label} train", **style)
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], linestyle="--", label=f"{label} validation", **style)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(metric)
        if "accuracy" in metric:  # shown in percent, as the lessons' tables and prose give it
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.grid(alpha=0.3)
    # One legend below both panels, so that no line is hidden behind it; long handles show the dashes.
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=min(4, len(labels)), frameon=False,
               handlelength=3.5)
    fig.tight_layout(rect=(0, 0.06 + 0.045 * ((len(labels) - 1) // 4), 1, 1))
    return fig


def plot_predictions(x: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                     probabilities: np.ndarray | None = None, columns: int = 5):
    """Images titled with true and predicted label: a tick (✓) and green when right, a cross
    (✗) and red when wrong, so that colour is never the only sign.

    Args:
        x: images ``(n, 32, 32, 3)``.
        y_true, y_pred: integer labels ``(n,)``.
        probabilities: optional ``(n,)`` confidence of each prediction (0..1),
            shown as a percentage.
    """
    n = len(x)
    rows = int(np.ceil(n / columns))
    # Two lines of title need about 0.45 inch above each 1.7-inch image: rows 2.4 inches apart
    # keep the second row's titles clear of the first row's images.
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.9, rows * 2.4), squeeze=False,
                             layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(x[i])
        right = y_true[i] == y_pred[i]
        guess = class_names[y_pred[i]]
        if probabilities is not None:
            guess += f" {100 * probabilities[i]:.0f}%"
        ax.set_title(f"{'✓' if right else '✗'} true: {class_names[y_true[i]]}\npred: {guess}", fontsize=8,
                     color="tab:green" if right else "tab:red")
    return fig


def plot_feature_maps(maps: np.ndarray, titles: Sequence[str] | None = None, columns: int = 8,
                      image: np.ndarray | None = None, cmap: str = "viridis"):
    """Show each channel of one layer's output as a small image.

    Args:
        maps: activations of one image, shape ``(height, width, channels)``.
        titles: one title per channel (default: the channel number).
        image: the input image ``(32, 32, 3)``, drawn first for reference.
        cmap: Matplotlib colour map; bright = large activation.
    """
    maps = np.asarray(maps)
    panels = maps.shape[-1] + (image is not None)
    rows = int(np.ceil(panels / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.45), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    flat = list(axes.flat)
    if image is not None:
        flat[0].imshow(image)
        flat[0].set_title("input", fontsize=8)
        flat = flat[1:]
    for c in range(maps.shape[-1]):
        flat[c].imshow(maps[..., c], cmap=cmap)
        flat[c].set_title(titles[c] if titles else str(c), fontsize=8)
    fig.tight_layout()
    return fig


def plot_filters(kernel: np.ndarray, columns: int = 16):
    """Show first-layer convolution filters as tiny RGB images.

    Args:
        kernel: a ``Conv2D`` kernel of shape ``(k, k, 3, filters)``. Each filter
            is rescaled to [0, 1] on its own, so colours show the pattern each
            filter responds to, not its magnitude.
    """
    kernel = np.asarray(kernel)
    n = kernel.shape[-1]
    rows = int(np.ceil(n / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.6, rows * 0.6), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            f = kernel[..., i]
            ax.imshow((f - f.min()) / (np.ptp(f) + 1e-8), interpolation="nearest")
    fig.tight_layout(pad=0.1)
    return fig


def plot_comparison(labels: Sequence[str], val_accuracy: Sequence[float], seconds: Sequence[float]):
    """Bars of validation accuracy (fractions) per variant, with training seconds on the
    right-hand panel (lesson 07). The accuracy axis starts at 0, so bars compare honestly."""
    y = np.arange(len(labels))
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 0.45 * len(labels) + 1.0), sharey=True,
                                      gridspec_kw={"width_ratios": [2, 1]})
    left.barh(y, 100 * np.asarray(val_accuracy), height=0.6)
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel("validation accuracy (%)")
    left.grid(axis="x", alpha=0.3)
    right.barh(y, seconds, color="tab:grey")
    right.set_xlabel("training seconds")
    right.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                          normalize: bool | str = True, title: str = "Confusion matrix"):
    """Heat map of scikit-learn's ``confusion_matrix``: rows are true classes,
    columns predicted ones (lesson 00; lesson 08 reads it both ways).

    Args:
        y_true, y_pred: integer labels ``(N,)``.
        normalize: ``True`` or ``"true"``: divide each row by its count, so a
            cell is the fraction of that true class predicted as the column's
            class (the diagonal is each class's recall); ``"pred"``: divide each
            column by its count, so a cell is the fraction of the images
            *predicted* as the column's class that truly are the row's class (the
            diagonal is each class's precision); ``False``: counts.

    Raises:
        ValueError: for any other ``normalize``.
    """
    if normalize is True:
        normalize = "true"
    if normalize not in ("true", "pred", False, None):
        raise ValueError(f"normalize must be True, 'true', 'pred' or False, got {normalize!r}.")
    from sklearn.metrics import ConfusionMatrixDisplay

    fig, ax = plt.subplots(figsize=(0.55 * len(class_names) + 2.5, 0.55 * len(class_names) + 1.8))
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=list(range(len(class_names))), display_labels=list(class_names),
        normalize=normalize or None, values_format=".2f" if normalize else "d",
        cmap="Blues", ax=ax, colorbar=True, text_kw={"fontsize": 7},
    )
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=45)
    fig.tight_layout()
    return fig


def plot_reliability_diagram(edges: np.ndarray, accuracy: np.ndarray, confidence: np.ndarray,
                             counts: np.ndarray, ece: float | None = None):
    """Reliability diagram from :func:`cifar_tutorial.metrics.calibration_bins`.

    Bars show each confidence bin's accuracy, written above every bin that holds predictions (an
    all-wrong bin reads "0%", not empty); the diagonal is perfect calibration, bars below it mean
    over-confidence. The lower panel shows how many predictions fall in each bin.
    """
    centers = (edges[:-1] + edges[1:]) / 2
    width = edges[1] - edges[0]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(4.5, 5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    bars = top.bar(centers, np.nan_to_num(accuracy), width=width * 0.9, edgecolor="black", label="accuracy")
    top.bar_label(bars, labels=[f"{a:.0%}" if n else "" for a, n in zip(np.nan_to_num(accuracy), counts)], fontsize=7)
    top.set_ylim(0, 1.1)
    top.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    top.set(ylabel="accuracy", title="Reliability diagram" + (f" (ECE = {ece:.3f})" if ece is not None else ""))
    top.legend(fontsize=8, loc="upper left")
    count_bars = bottom.bar(centers, counts, width=width * 0.9, color="tab:grey")
    bottom.bar_label(count_bars, labels=[str(int(n)) if n else "" for n in counts], fontsize=7)
    bottom.set_ylim(0, 1.25 * max(1, np.max(counts)))
    bottom.set(xlabel="confidence (largest predicted probability)", ylabel="images", xlim=(0, 1))
    fig.tight_layout()
    return fig


def plot_grad_cam(x: np.ndarray, heatmaps: np.ndarray, titles: Sequence[str], columns: int = 6,
                  alpha: float = 0.45, row_labels: Sequence[str] | None = None):
    """Each image beside itself with its Grad-CAM heat map drawn over it (lesson 11).

    The heat map (:func:`cifar_tutorial.gradcam.grad_cam`, ``(N, h, w)`` in
    [0, 1] at the layer's resolution) is stretched over the 32x32 image with
    bilinear interpolation by Matplotlib; yellow = strongest evidence for the
    class named in the title, dark = none.

    Args:
        x: images ``(N, 32, 32, 3)``.
        heatmaps: ``(N, h, w)`` maps, or a list of N 2-D maps of any sizes
            (maps of different layers side by side).
        titles: one short title per image, e.g. ``"frog → frog 91%"`` (drawn on two lines, broken
            after the arrow, so that neighbouring titles do not overlap).
        columns: image pairs per row.
        alpha: opacity of the heat map.
        row_labels: one label per row of images (e.g. ``"right"``, ``"mistakes"``), written
            to the left of that row, so the figure says what each row holds.
    """
    n = len(x)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows * 2, columns, figsize=(columns * 1.35, rows * 2.9), squeeze=False,
                             layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    height, width = np.asarray(x).shape[1:3]  # each map is stretched over the whole image
    overlay = None
    for i in range(n):
        row, col = 2 * (i // columns), i % columns
        axes[row, col].imshow(x[i])
        axes[row, col].set_title(titles[i].replace(" → ", " →\n"), fontsize=7)  # two lines: no overlap
        axes[row + 1, col].imshow(x[i])
        overlay = axes[row + 1, col].imshow(heatmaps[i], cmap="inferno", alpha=alpha, vmin=0, vmax=1,
                                            interpolation="bilinear",
                                            extent=(-0.5, width - 0.5, height - 0.5, -0.5))
        if col == 0:
            axes[row + 1, col].text(-2, height / 2, "Grad-CAM", rotation=90, va="center", ha="right", fontsize=7)
            if row_labels is not None and i // columns < len(row_labels):
                axes[row, col].text(-2, height / 2, row_labels[i // columns], rotation=90, va="center", ha="right",
                                    fontsize=7, fontweight="bold")
    if overlay is not None:
        bar = fig.colorbar(overlay, ax=axes, shrink=0.6, pad=0.02)
        bar.set_label("evidence for the class (1 = the map's maximum)", fontsize=7)
        bar.ax.tick_params(labelsize=7)
    return fig


def plot_study(study: Mapping, live: Mapping[str, float] | None = None, title: str | None = None,
               variants: Sequence[str] | None = None):
    """A replicated study's result beside this notebook's own run (introduced in lesson 02).

    Left: each variant's mean validation accuracy over the study's seeds, with its 95% interval
    (error bar) and the reference's interval as a grey band; ``live`` values are drawn as crosses
    on the same rows, so a reader sees where one run falls. Right: the course's rule itself, each
    variant's paired difference from the reference (:func:`cifar_tutorial.metrics.paired_difference`)
    with its 95% interval against a zero line, and the verdict as text.

    Args:
        study: what :func:`cifar_tutorial.studies.load` returns.
        live: variant name -> this run's validation accuracy (fraction 0..1); names not in the
            study are ignored.
        title: the figure's title (default: the study's name and replicates).
        variants: the variants to draw besides the reference, in the study's order (default:
            all); lesson 05 draws the regularization study's first three, lesson 07 its fourth.

    Raises:
        KeyError: if ``variants`` names a variant the study does not have.
    """
    summary, reference = study["summary"], study["reference"]
    if variants is not None:
        missing = [name for name in variants if name not in summary]
        if missing:
            raise KeyError(f"not variants of the {study['study']} study: {', '.join(missing)}")
    names = [name for name in summary if variants is None or name == reference or name in variants]
    key = "difference_from_" + reference.replace(" ", "_")
    y = np.arange(len(names))[::-1]
    fig, (ax, ax_diff) = plt.subplots(1, 2, figsize=(10, 0.55 * len(names) + 1.9), sharey=True,
                                      gridspec_kw={"width_ratios": [3, 2]})
    band = summary[reference]["val_accuracy"]
    ax.axvspan(100 * band["low"], 100 * band["high"], color="0.88", label=f"{reference}: 95% interval")
    shown_live = False
    for yi, name in zip(y, names):
        acc = summary[name]["val_accuracy"]
        ax.errorbar(100 * acc["mean"], yi, xerr=[[100 * (acc["mean"] - acc["low"])], [100 * (acc["high"] - acc["mean"])]],
                    fmt="o", color="C0", capsize=4, label="mean of the seeds, 95% interval" if yi == y[0] else None)
        if live and name in live:
            ax.plot(100 * live[name], yi, marker="x", color="C3", markersize=9, markeredgewidth=2, linestyle="none",
                    label=None if shown_live else "this notebook's run")
            shown_live = True
        diff = summary[name].get(key)
        if diff is None:
            ax_diff.annotate("reference", (0, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8)
            continue
        ax_diff.errorbar(100 * diff["mean"], yi, xerr=[[100 * (diff["mean"] - diff["low"])], [100 * (diff["high"] - diff["mean"])]],
                         fmt="s", color="C2", capsize=4)
        ax_diff.annotate(diff["verdict"], (100 * diff["high"], yi), xytext=(6, 0), textcoords="offset points",
                         va="center", fontsize=8)
    ax.set_yticks(y, names)
    ax.set_xlabel("validation accuracy (%)")
    ax.grid(axis="x", alpha=0.3)
    ax.set_ylim(y[-1] - 0.6, y[0] + 0.6)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=7, loc="lower center", ncol=3, frameon=False)
    ax_diff.axvline(0, color="black", linewidth=1)
    ax_diff.set_xlabel(f"minus {reference}, paired (points)")
    ax_diff.margins(x=0.45)
    ax_diff.grid(axis="x", alpha=0.3)
    fig.suptitle(title or f"{study['study']} study: {len(study['seeds'])} seeds each", fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 1))  # room for the legend below both panels
    return fig


def plot_learning_curve_study(study: Mapping, live: Mapping[str, Sequence[float]] | None = None,
                              title: str | None = None):
    """A replicated learning-curve study beside this notebook's run (lesson 10).

    Left: each method's mean validation accuracy over the study's seeds at every labelled-set
    size, with its 95% interval as a band, each method with its own colour and marker; ``live``
    (method -> one accuracy per size, fractions) as hollow markers of the same shape. Right: every
    paired difference the study stores (``"<method> minus <other>"``, paired by seed with
    :func:`cifar_tutorial.metrics.paired_difference`), each with its 95% interval, against zero.

    Args:
        study: what :func:`cifar_tutorial.studies.load` returns for a ``"learning_curve"`` study.
        live: this run's accuracies, in the order of ``study["regime"]["sizes_per_class"]``.
        title: the figure's title.
    """
    sizes, reference = study["regime"]["sizes_per_class"], study["reference"]
    fig, (ax, ax_diff) = plt.subplots(1, 2, figsize=(10, 3.8))
    for i, method in enumerate(study["methods"]):
        rows = [study["summary"][str(n)][method]["val_accuracy"] for n in sizes]
        ax.plot(sizes, [100 * r["mean"] for r in rows], marker=MARKERS[i % len(MARKERS)], color=f"C{i}",
                label=f"{method}: mean, 95% interval")
        ax.fill_between(sizes, [100 * r["low"] for r in rows], [100 * r["high"] for r in rows], color=f"C{i}", alpha=0.15)
        if live and method in live:
            ax.plot(sizes[:len(live[method])], 100 * np.asarray(live[method]), marker=MARKERS[i % len(MARKERS)],
                    fillstyle="none", color=f"C{i}", markersize=10, markeredgewidth=2, linestyle="none",
                    label=f"{method}: this notebook's run (hollow)")
    pairs = [key for key in study["summary"][str(sizes[0])] if " minus " in key]
    offsets = np.linspace(0.92, 1.08, len(pairs)) if len(pairs) > 1 else [1.0]  # side by side, none hidden
    for j, pair in enumerate(pairs):
        diffs = [study["summary"][str(n)][pair] for n in sizes]
        method, other = pair.split(" minus ")  # against the reference: the method's own colour and marker
        k = study["methods"].index(method) if other == reference else len(study["methods"]) + j
        ax_diff.errorbar(np.asarray(sizes) * offsets[j], [100 * d["mean"] for d in diffs], fmt=MARKERS[k % len(MARKERS)],
                         color=f"C{k}", capsize=4, label=pair,
                         yerr=[[100 * (d["mean"] - d["low"]) for d in diffs], [100 * (d["high"] - d["mean"]) for d in diffs]])
    for axis, ylabel in ((ax, "validation accuracy (%)"), (ax_diff, "paired difference (points)")):
        axis.set_xscale("log")
        axis.set_xticks(list(sizes), [str(s) for s in sizes])
        axis.minorticks_off()
        axis.set_xlabel("labelled training images per class (log scale)")
        axis.set_ylabel(ylabel)
        axis.grid(alpha=0.3)
    ax_diff.axhline(0, color="black", linewidth=1)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    ax_diff.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    fig.suptitle(title or f"{study['study']} study: {len(study['seeds'])} seeds", fontsize=10)
    fig.tight_layout()
    return fig
