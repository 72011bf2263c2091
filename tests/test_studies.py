"""The replicated studies shipped with the package: their results hold what the lessons read,
and every verdict follows from the runs by the course's rule."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cifar_tutorial import metrics, plots, studies  # noqa: E402


def _kind(name):
    return studies.load(name).get("kind", "settings")


@pytest.mark.parametrize("name", [n for n in studies.names() if _kind(n) == "settings"])
def test_each_study_has_five_replicates_and_verdicts_recomputed_from_its_runs(name):
    study = studies.load(name)
    assert len(study["seeds"]) >= 5
    assert {"machine", "date", "command", "regime", "precision", "data"} <= set(study)
    reference = study["reference"]
    by_variant = {}
    for run in sorted(study["runs"], key=lambda r: r["seed"]):
        by_variant.setdefault(run["variant"], []).append(run["val_accuracy"])
    assert set(by_variant) == set(study["summary"])
    for variant, scores in by_variant.items():
        assert len(scores) == len(study["seeds"])
        mean, low, high = metrics.mean_interval(scores)
        assert study["summary"][variant]["val_accuracy"]["mean"] == pytest.approx(mean)
        if variant != reference:
            diff = metrics.paired_difference(by_variant[reference], scores)
            stored = study["summary"][variant]["difference_from_" + reference.replace(" ", "_")]
            assert (stored["low"], stored["high"]) == (pytest.approx(diff.low), pytest.approx(diff.high))
            assert stored["verdict"] == diff.verdict


@pytest.mark.parametrize("name", [n for n in studies.names() if _kind(n) == "learning_curve"])
def test_each_learning_curve_study_recomputes_from_its_runs(name):
    study = studies.load(name)
    assert len(study["seeds"]) >= 5
    assert {"machine", "date", "command", "regime", "precision", "data", "pretraining"} <= set(study)
    assert len(study["pretraining"]) == len(study["seeds"])
    runs = sorted(study["runs"], key=lambda r: r["seed"])
    for n in study["regime"]["sizes_per_class"]:
        scores = {m: [r["val_accuracy"] for r in runs if r["size"] == n and r["method"] == m] for m in study["methods"]}
        entry = study["summary"][str(n)]
        for method, values in scores.items():
            assert len(values) == len(study["seeds"])
            assert entry[method]["val_accuracy"]["mean"] == pytest.approx(np.mean(values))
        for method in study["methods"]:
            if method == study["reference"]:
                continue
            diff = metrics.paired_difference(scores[study["reference"]], scores[method])
            stored = entry[f"{method} minus {study['reference']}"]
            assert (stored["low"], stored["high"]) == (pytest.approx(diff.low), pytest.approx(diff.high))
            assert stored["verdict"] == diff.verdict


def test_plot_learning_curve_study_draws_bands_differences_and_the_live_run():
    summary = {str(n): {"a": {"val_accuracy": {"mean": 0.4, "low": 0.35, "high": 0.45}},
                        "b": {"val_accuracy": {"mean": 0.5, "low": 0.45, "high": 0.55}},
                        "b minus a": {"mean": 0.1, "low": 0.05, "high": 0.15},
                        "c minus b": {"mean": -0.02, "low": -0.06, "high": 0.02},
                        "c": {"val_accuracy": {"mean": 0.48, "low": 0.43, "high": 0.53}}} for n in (5, 10)}
    study = {"study": "toy", "seeds": [1, 2, 3, 4, 5], "reference": "a", "methods": ["a", "b", "c"],
             "regime": {"sizes_per_class": [5, 10]}, "summary": summary}
    fig = plots.plot_learning_curve_study(study, live={"a": [0.41, 0.39], "b": [0.52, 0.5]})
    ax, ax_diff = fig.axes
    live = [line for line in ax.get_lines() if line.get_fillstyle() == "none"]  # hollow: this notebook's run
    assert sorted(np.concatenate([line.get_ydata() for line in live]).tolist()) == [39.0, 41.0, 50.0, 52.0]
    means = [line for line in ax.get_lines() if line.get_fillstyle() != "none"]
    assert len({line.get_marker() for line in means}) == 3  # each method its own marker, not colour alone
    assert {line.get_marker() for line in live} < {line.get_marker() for line in means}  # c has no live run
    assert len(ax.collections) == 3  # one 95% band per method
    assert ax_diff.get_ylabel() == "paired difference (points)"
    drawn = {text.get_text() for text in ax_diff.get_legend().get_texts()}
    assert drawn == {"b minus a", "c minus b"}  # every stored paired difference, not only those against a
    assert sorted(bars.lines[0].get_ydata().tolist() for bars in ax_diff.containers) == [
        [-2.0, -2.0], [10.0, 10.0]]


def test_the_regularization_study_is_in_a_regime_where_the_baseline_overfits():
    if "regularization" not in studies.names():
        pytest.fail("the regularization study's results are missing from cifar_tutorial/studies/")
    baseline = studies.load("regularization")["summary"]["baseline"]
    assert baseline["train_accuracy"]["mean"] >= 0.90  # training accuracy in inference mode, mean of the seeds


def test_an_unknown_study_lists_the_known_ones():
    with pytest.raises(FileNotFoundError, match="No study 'nope'; the package has: "):
        studies.load("nope")


def test_plot_study_draws_every_variant_and_the_live_run():
    study = {"study": "toy", "seeds": [1, 2, 3, 4, 5], "reference": "a", "summary": {
        "a": {"val_accuracy": {"mean": 0.4, "low": 0.38, "high": 0.42}},
        "b": {"val_accuracy": {"mean": 0.5, "low": 0.47, "high": 0.53},
              "difference_from_a": {"verdict": "better"}}}}
    study["summary"]["b"]["difference_from_a"].update(mean=0.1, low=0.05, high=0.15)
    fig = plots.plot_study(study, live={"a": 0.41, "b": 0.52, "not in the study": 0.9})
    ax, ax_diff = fig.axes
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == ["a", "b"]
    assert {t.get_text() for t in ax_diff.texts} == {"reference", "better"}
    assert ax_diff.get_xlabel() == "minus a, paired (points)"
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert sorted(np.concatenate([line.get_xdata() for line in crosses]).tolist()) == [41.0, 52.0]


def test_plot_grad_cam_labels_each_row_of_images():
    x = np.zeros((4, 32, 32, 3), dtype="uint8")
    fig = plots.plot_grad_cam(x, np.zeros((4, 7, 7)), ["t"] * 4, columns=2, row_labels=["right", "mistakes"])
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"right", "mistakes", "Grad-CAM"} <= texts


def test_recipe_tuning_keeps_its_decision_and_lesson_07_quotes_it():
    """benchmarks/recipe_tuning.py's result: each setting's paired difference recomputed from the runs
    by the course's rule, the decision it implies, and lesson 07's sentence about it."""
    import json

    from cifar_tutorial.config import REPO_ROOT
    from cifar_tutorial.recipe import PEAK_LEARNING_RATE, WEIGHT_DECAY

    result = json.loads((REPO_ROOT / "cifar_tutorial" / "studies" / "recipe_tuning.json").read_text())
    assert {"machine", "date", "command", "regime", "precision", "data", "rule"} <= set(result)
    runs = sorted(result["runs"], key=lambda r: r["seed"])
    reference = next(name for name in result["summary"] if "difference_from_recipe" not in result["summary"][name])
    assert reference == f"peak learning rate {PEAK_LEARNING_RATE:g}, weight decay {WEIGHT_DECAY:g}"  # the recipe's own
    scores = {name: [r["val_accuracy"] for r in runs if r["setting"] == name] for name in result["summary"]}
    better = []
    for name, entry in result["summary"].items():
        assert len(scores[name]) == len(result["seeds"])
        if name == reference:
            continue
        diff = metrics.paired_difference(scores[reference], scores[name])
        stored = entry["difference_from_recipe"]
        assert (stored["low"], stored["high"], stored["verdict"]) == (pytest.approx(diff.low), pytest.approx(diff.high),
                                                                      diff.verdict)
        better += [name] if diff.verdict == "better" else []
    assert not better and result["decision"].startswith("keep the recipe's setting")
    smaller = result["summary"][f"peak learning rate {PEAK_LEARNING_RATE:g}, weight decay {WEIGHT_DECAY / 10:g}"]
    quoted = (f"scored {100 * smaller['difference_from_recipe']['mean']:.1f} points higher on average, with an interval "
              f"from {100 * smaller['difference_from_recipe']['low']:+.1f} to {100 * smaller['difference_from_recipe']['high']:+.1f} points")
    lesson = json.loads((REPO_ROOT / "notebooks" / "07_training_recipes.ipynb").read_text())
    text = "".join("".join(c["source"]) for c in lesson["cells"] if c["cell_type"] == "markdown")
    assert quoted in " ".join(text.split())

