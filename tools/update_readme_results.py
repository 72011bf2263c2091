"""Development script: write the replicated studies' verdicts and the full-size-archive timings
into README.md, from the files the benchmarks wrote (nothing is typed by hand).

* ``<!-- studies:all:start -->`` ... ``end``: one table per study in ``cifar_tutorial/studies/``
  (each setting's mean validation accuracy with its 95% interval, and its paired difference from
  the reference by ``cifar_tutorial.metrics.paired_difference``);
* ``<!-- timings:class-full-size:start -->`` ... ``end``: ``benchmarks/results/class_profile_timing.json``
  (``benchmarks/class_profile_timing.py``);
* ``<!-- timings:full-epochs:start -->`` ... ``end``: ``benchmarks/results/full_profile_epoch_seconds.json``
  (``benchmarks/full_profile_epoch_seconds.py``).

Usage (repository root)::

    python tools/update_readme_results.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from update_readme_timings import README, replace_block

REPO = Path(__file__).resolve().parent.parent
TIMING = REPO / "benchmarks" / "results" / "class_profile_timing.json"
FULL_EPOCHS = REPO / "benchmarks" / "results" / "full_profile_epoch_seconds.json"


def studies_markdown() -> str:
    """A table per study: setting, mean validation accuracy [95% interval], difference from the reference."""
    from cifar_tutorial import studies

    parts = []
    loaded = [studies.load(name) for name in studies.names()]
    timed = [s for s in loaded if "minutes" in s]  # the seed check records runs, not a timed study
    parts.append(f"All {len(timed)} timed studies together: {sum(s['minutes'] for s in timed):.1f} minutes of training "
                 "on the machine named in each (target: 60).\n")
    for name, study in zip(studies.names(), loaded):
        if study.get("kind") == "seed_check":
            parts.append(seed_check_markdown(name, study))
            continue
        if study.get("kind") == "learning_curve":
            parts.append(learning_curve_markdown(name, study))
            continue
        reference = study.get("reference")  # a tuning study has none: it states its decision instead
        key = "difference_from_" + reference.replace(" ", "_") if reference else None
        rows = ["| setting | validation accuracy, mean [95% interval] |" + (f" minus {reference} |" if reference else ""),
                "| --- | --- |" + (" --- |" if reference else "")]
        for setting, entry in study["summary"].items():
            acc = entry["val_accuracy"]
            rows.append(f"| {setting} | {acc['mean']:.1%} [{acc['low']:.1%}, {acc['high']:.1%}] |"
                        + (f" {entry[key]['text'] if key in entry else 'reference'} |" if reference else ""))
        extra = "".join(f"\n\n{comparison}: {result['text']}." for comparison, result in study.get("comparisons", {}).items())
        extra += f"\n\nDecision: {study['decision']}." if "decision" in study else ""
        regime = study["regime"]
        parts.append(f"**{name}** (lesson {study['lesson']}; {regime['train_images']:,} training images, "
                     f"{regime['epochs']} epochs, {len(study['seeds'])} seeds; {study['minutes']} min; "
                     f"{study['machine']}, {study['precision']}, {study['date']}; `{study['command']}`)\n\n"
                     + "\n".join(rows) + extra + "\n")
    return "\n".join(parts)


def seed_check_markdown(name: str, study: dict) -> str:
    """A seed check (lesson 07): per seed, the validation accuracy of the study's trainer and of the
    lesson's procedure, beside the stored study's range."""
    low, high = study["stored_study_range"]
    runs = "; ".join(f"seed {r['seed']}: study's trainer {r['study_trainer_val_accuracy']:.1%}, lesson's procedure "
                     f"{r['lesson_procedure_val_accuracy']:.1%}" for r in study["runs"])
    return (f"**{name}** (lesson {study['lesson']}; {study['machine']}, {study['precision']}; `{study['command']}`): "
            f"{runs}; the stored study's runs {low:.1%} to {high:.1%}.\n")


def learning_curve_markdown(name: str, study: dict) -> str:
    """A learning-curve study (lesson 10): per size, each method's mean and each transfer method's
    paired difference from the reference."""
    reference, regime = study["reference"], study["regime"]
    others = [m for m in study["methods"] if m != reference]
    rows = ["| per class | " + " | ".join(f"{m}, mean [95% interval]" for m in study["methods"]) + " | "
            + " | ".join(f"{m} minus {reference}" for m in others) + " |",
            "| --- " * (1 + len(study["methods"]) + len(others)) + "|"]
    for n in regime["sizes_per_class"]:
        entry = study["summary"][str(n)]
        accs = [entry[m]["val_accuracy"] for m in study["methods"]]
        rows.append(f"| {n} | " + " | ".join(f"{a['mean']:.1%} [{a['low']:.1%}, {a['high']:.1%}]" for a in accs) + " | "
                    + " | ".join(entry[f"{m} minus {reference}"]["text"] for m in others) + " |")
    return (f"**{name}** (lesson {study['lesson']}; pre-training {regime['pretrain_epochs']} epochs on "
            f"{regime['group_a_training_images']:,} group A images, {regime['steps_per_stage']} steps per few-label stage, "
            f"{len(study['seeds'])} seeds; {study['minutes']} min; {study['machine']}, {study['precision']}, "
            f"{study['date']}; `{study['command']}`)\n\n" + "\n".join(rows) + "\n")


def timing_markdown() -> str:
    """The full-size-archive timing of the class profile: per notebook, its slowest cell."""
    report = json.loads(TIMING.read_text())
    rows = ["| notebook | slowest cells (s) | cells over 60 s |", "| --- | --- | --- |"]
    for name, nb in report["notebooks"].items():
        slowest = ", ".join(f"{c['seconds']:.0f}" for c in nb["slowest"])
        rows.append(f"| {name} | {slowest} | {len(nb['over_target']) or 'none'} |")
    over = sum(len(v) for v in report["cells_over_target"].values())
    return (f"`class` profile on an archive in the official layout at full size (50,000 train / 10,000 test, "
            f"the sample's real images tiled, timing only), measured {report['date']} by "
            f"`{report['command']}` on {report['machine']}, precision {report['precision']}: the whole run took "
            f"{report['run_seconds'] / 60:.1f} minutes (target 15), {over} code cell(s) over 60 s.\n\n"
            + "\n".join(rows) + "\n")


def full_epochs_markdown() -> str:
    """The ``full`` profile's seconds per epoch on the full-size archive, per model."""
    report = json.loads(FULL_EPOCHS.read_text())
    rows = ["| model | batch | seconds per epoch | profile epochs | minutes for one training |", "| --- | --- | --- | --- | --- |"]
    for name, row in report["models"].items():
        rows.append(f"| {name} | {row['batch_size']} | {row['seconds_per_epoch']:.0f} | {row['profile_epochs']} | "
                    f"about {row['estimated_minutes']:.0f} |")
    return (f"`full` profile: {report['train_images']:,} training and {report['validation_images']:,} validation "
            f"images of an archive at full size (timing only), measured {report['date']} by `{report['command']}` on "
            f"{report['machine']}, precision {report['precision']}; the second of two epochs, validation included.\n\n"
            + "\n".join(rows) + "\n")


def main() -> int:
    text = README.read_text(encoding="utf-8")
    text = replace_block(text, "all", studies_markdown(), kind="studies")
    if TIMING.is_file():
        text = replace_block(text, "class-full-size", timing_markdown())
    if FULL_EPOCHS.is_file():
        text = replace_block(text, "full-epochs", full_epochs_markdown())
    README.write_text(text, encoding="utf-8")
    print("README.md: studies" + (" and full-size timings" if TIMING.is_file() else "") + " written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
