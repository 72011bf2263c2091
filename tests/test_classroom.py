"""Instructor and student tooling: doctor, prepare, the guide's timing table,
Colab/Binder links and install cells, exercise references, re-execution."""

from __future__ import annotations

import dataclasses
import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cifar_tutorial import datasets, exercises
from cifar_tutorial.config import BRANCH, REPOSITORY
from cifar_tutorial.datasets import formats
from cifar_tutorial.tools import doctor, runner
from cifar_tutorial.tools.cli import main

from .conftest import REPO, SAMPLE_SHA256

LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((REPO / "notebooks" / "solutions").glob("*_solutions.ipynb"))


# --------------------------------------------------------------------------- doctor
def test_doctor_names_the_missing_data_and_the_fix(tmp_path, capsys):
    status = main(["doctor", "--data-dir", str(tmp_path / "empty")])
    out = capsys.readouterr().out
    assert status == 1
    assert "[PROBLEM] CIFAR-10 data: not ready (ArchiveNotFoundError)" in out
    assert "fix: run `python -m cifar_tutorial prepare` (downloads 163 MB)" in out
    assert "[ok] Python: 3." in out and "[ok] Keras: 3." in out and "backend tensorflow" in out
    assert out.rstrip().endswith("problem(s) to fix before class.")


def test_doctor_passes_on_the_error_of_an_altered_copy(sample_archive, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / datasets.CIFAR10.archive_name).write_bytes(sample_archive.read_bytes())  # not the official archive's sha256
    (check,) = [c for c in doctor.doctor_checks(cache) if c.name == "CIFAR-10 data"]
    assert not check.ok and check.detail == "not usable (ChecksumMismatchError)"
    assert "does not match the official" in check.fix and "Fix: delete it" in check.fix


def test_doctor_all_set_with_the_sample(sample_archive, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CIFAR10_ARCHIVE", str(sample_archive))
    checks = {c.name: c for c in doctor.doctor_checks(tmp_path)}
    assert checks["CIFAR-10 data"].ok
    assert "sample slice in the official format (5,085 train / 1,017 test)" in checks["CIFAR-10 data"].detail
    assert all(c.ok for c in checks.values()), [str(c) for c in checks.values() if not c.ok]
    assert doctor.doctor(tmp_path) == 0
    assert capsys.readouterr().out.rstrip().endswith("All set.")


# --------------------------------------------------------------------------- prepare
def test_prepare_copies_the_official_archive_once(sample_archive, tmp_path, monkeypatch):
    monkeypatch.setattr(formats, "CIFAR10", dataclasses.replace(formats.CIFAR10, sha256=SAMPLE_SHA256))  # the sample plays the official archive
    cache = tmp_path / "cache"
    report = doctor.stage_data(sample_archive, data_dir=cache)
    assert "Copied into the data folder (cache/)" in report
    assert "5,085 training and 1,017 test images read and checked." in report
    assert "verified copy in the data folder" in report  # the lessons' own lookup found it
    copied = cache / datasets.CIFAR10.archive_name
    assert datasets.sha256_of(copied) == SAMPLE_SHA256
    mtime = copied.stat().st_mtime_ns
    doctor.stage_data(sample_archive, data_dir=cache)  # again: nothing to do
    assert copied.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in cache.iterdir()) == [datasets.CIFAR10.archive_name, datasets.CIFAR10.lock_name]


def test_prepare_verifies_another_archive_in_place(sample_archive, tmp_path):
    cache = tmp_path / "cache"
    report = doctor.stage_data(sample_archive, data_dir=cache)
    assert "Not the official archive, so not copied: keep CIFAR10_ARCHIVE pointing at it" in report
    assert not (cache / datasets.CIFAR10.archive_name).exists()


def test_prepare_rejects_a_truncated_archive(sample_archive, tmp_path, capsys):
    truncated = tmp_path / "cifar-10-python.tar.gz"
    truncated.write_bytes(sample_archive.read_bytes()[:100_000])
    assert main(["prepare", "--archive", str(truncated)]) == 2
    err = capsys.readouterr().err
    assert "cannot read the archive" in err and "truncated or corrupt" in err


# --------------------------------------------------------------------------- the README's timing table
def _timings_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_readme_timings", REPO / "tools" / "update_readme_timings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_learner_times_tool_writes_the_readme_lesson_table():
    import importlib.util

    spec = importlib.util.spec_from_file_location("update_learner_times", REPO / "tools" / "update_learner_times.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = ("| lesson | time |\n| [00 A](notebooks/00_a.ipynb) | about 65 min | x |\n"
              "| [01 B](notebooks/01_b.ipynb) | about 60 min | y |\n")
    updated = tool.readme_with_minutes(readme, {"00_a.ipynb": "55", "01_b.ipynb": "60"})
    assert "(notebooks/00_a.ipynb) | about 55 min | x |" in updated
    assert "(notebooks/01_b.ipynb) | about 60 min | y |" in updated
    with pytest.raises(ValueError, match="02_c.ipynb"):
        tool.readme_with_minutes(readme, {"02_c.ipynb": "50"})


def test_runner_results_make_the_readme_timing_table(tmp_path, sample_archive, capsys):
    tool = _timings_tool()
    lessons = tmp_path / "notebooks"
    lessons.mkdir()
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, lessons / "00_tiny.ipynb")
    status, rows = runner.run("smoke", output_dir=tmp_path / "build", html=False, notebooks_dir=lessons)
    assert status == 0
    markdown = tool.timings_markdown("smoke", rows, "a test machine", date="2026-11-23")
    assert markdown.startswith("Profile `smoke`, measured 2026-11-23 by `python tools/update_readme_timings.py "
                               "--profile smoke` on: a test machine.")
    assert re.search(r"00_tiny\.ipynb +ok +0:\d\d\.\d", markdown)
    text = "intro\n<!-- timings:smoke:start -->\nold table\n<!-- timings:smoke:end -->\nrest\n"
    updated = tool.replace_block(text, "smoke", markdown)
    assert "old table" not in updated and updated.startswith("intro\n<!-- timings:smoke:start -->\nProfile `smoke`")
    assert updated.endswith("<!-- timings:smoke:end -->\nrest\n")
    with pytest.raises(ValueError, match="no <!-- timings:class:start --> ... <!-- timings:class:end --> block"):
        tool.replace_block(text, "class", "x")


def test_the_package_never_writes_the_readme():
    """Only the development scripts in tools/ rewrite README blocks. In the package, only the
    website builder names the README, and only to read it (the site includes some of its
    sections); the suite's guard fingerprints every tracked file, the README included, around
    every test, the site's build among them."""
    readers = {path.name for path in (REPO / "cifar_tutorial").rglob("*.py") if "README.md" in path.read_text()}
    assert readers <= {"site.py"}, readers
    site = (REPO / "cifar_tutorial" / "tools" / "site.py").read_text()
    uses = [line for line in site.splitlines() if '"README.md"' in line]
    assert uses and all('"README.md").read_text(' in line for line in uses), uses



def test_readme_has_a_block_for_each_measured_profile():
    text = (REPO / "README.md").read_text()
    for profile in ("class", "smoke"):
        block = text.split(f"<!-- timings:{profile}:start -->")[1].split(f"<!-- timings:{profile}:end -->")[0]
        assert f"Profile `{profile}`, measured" in block, f"run python tools/update_readme_timings.py --profile {profile}"
        assert all(p.name in block for p in LESSONS)


# --------------------------------------------------------------------------- notebooks: links, install cell, exercises
@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_notebook_opens_with_colab_and_binder_links_and_an_install_cell(path):
    nb = nbformat.read(path, as_version=4)
    relative = path.relative_to(REPO).as_posix()
    first = nb.cells[0].source
    assert f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/{relative})" in first
    assert f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?labpath={relative.replace('/', '%2F')})" in first
    glossary = (path.parent / re.search(r"\[Glossary\]\(([^)]+)\)", first).group(1)).resolve()
    assert glossary == REPO / "notebooks" / "glossary.md" and glossary.is_file()
    install = next(c for c in nb.cells if c.cell_type == "code")
    assert 'find_spec("cifar_tutorial") is None' in install.source
    assert f"git+https://github.com/{REPOSITORY}" in install.source


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_exercises_name_real_checks_and_a_solutions_notebook(path):
    nb = nbformat.read(path, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    exercises_section = text.split("## Exercises")[-1]
    named = list(dict.fromkeys(re.findall(r"exercises\.(check_\w+)\(", exercises_section)))
    quiz = f"check_{path.name[:2]}_quiz"
    names = [n for n in named if n != quiz]
    assert quiz in named, f"{path.name}: no concept quiz"
    in_class, _, homework = exercises_section.partition("## Homework")
    items = re.split(r"\n(?=\d\. \*\*)", in_class.split("**Quiz.**")[0])[1:]
    assert len(items) == 2, f"{path.name}: two exercises in class (easy or medium), before the quiz"
    assert not re.search(r"\*\*Open\.\*\*", in_class), f"{path.name}: the open exercise is homework"
    open_items = re.split(r"\n(?=\d\. \*\*)", homework)[1:]
    assert len(open_items) == 1 and "**Open.**" in open_items[0], f"{path.name}: one open exercise as homework"
    items += open_items
    assert all("exercises.check_" in item for item in items), f"{path.name}: an exercise names no check"
    assert all(n.startswith(f"check_{path.name[:2]}_") for n in names)
    assert all(callable(getattr(exercises, n)) for n in named)
    solution = path.parent / "solutions" / f"{path.stem}_solutions.ipynb"
    assert f"(solutions/{solution.name})" in exercises_section and solution.is_file()
    solved = nbformat.read(solution, as_version=4)
    checked = {}  # check name -> the checked cells that end by calling it
    for cell in solved.cells:
        if cell.cell_type == "code" and "nbval-check-output" in cell.metadata.get("tags", []):
            last = cell.source.strip().splitlines()[-1]
            match = re.match(r"exercises\.(check_\w+)\(", last)
            if match:
                checked.setdefault(match.group(1), []).append(cell)
    for name in names:  # each exercise's check, once, its stored verdict right (what nbval compares)
        assert len(checked.get(name, [])) == 1, f"{solution.name}: {name} in {len(checked.get(name, []))} checked cells"
        cell = checked[name][0]
        results = [o for o in cell.outputs if o["output_type"] == "execute_result"]
        assert cell.execution_count is not None and len(results) == 1
        assert results[0]["data"]["text/plain"].startswith("Correct: "), name
    quiz_cells = [c for c in solved.cells if c.cell_type == "code" and f"exercises.{quiz}(" in c.source]
    assert len(quiz_cells) == 1 and "nbval-check-output" in quiz_cells[0].metadata.get("tags", [])
    assert quiz_cells[0].outputs[0]["text"].startswith("Correct: ")


# --------------------------------------------------------------------------- re-execution
def test_lessons_05_07_and_08_run_twice_in_the_same_folder(sample_archive, monkeypatch, tmp_path):
    """Second runs find models/ and the checkpoint from the first and overwrite
    them safely; lesson 08 loads what lessons 05 and 07 saved each time."""
    monkeypatch.setenv("CIFAR10_ARCHIVE", str(sample_archive))
    monkeypatch.setenv("CIFAR_TUTORIAL_PROFILE", "smoke")
    for attempt in range(2):
        for lesson in ("05", "07", "08"):
            (path,) = runner.find_notebooks([lesson])
            result = runner.execute_notebook(path, tmp_path / f"run{attempt}", html=False)
            assert result.status == "ok", result.error
        executed = nbformat.read(tmp_path / f"run{attempt}" / "notebooks" / "08_evaluation.ipynb", as_version=4)
        outputs = str([cell.get("outputs", []) for cell in executed.cells])
        assert "Saved model: " in outputs and "final recipe now instead" not in outputs
    from cifar_tutorial import models

    model, metadata = models.load_with_metadata("07_best")
    assert metadata["profile"] == "smoke" and model.output_shape == (None, 10)
    assert not list((REPO / "models").glob(".*.tmp*"))  # no half-written files left
    shutil.rmtree(tmp_path / "run0")
