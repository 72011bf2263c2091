"""The notebook runner: order, selection, recorded results, and failure reporting."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cifar_tutorial.notebook import RESULT_MIME
from cifar_tutorial.tools import runner
from cifar_tutorial.tools.cli import main


def write_notebook(path, *sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def lessons(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "01_ok.ipynb",
                   "from cifar_tutorial.notebook import record_result",
                   "record_result('test_accuracy', 0.5)")
    write_notebook(folder / "02_fails.ipynb", "x = 1", "raise ValueError('deliberate failure')")
    write_notebook(folder / "03_never_reached.ipynb", "pass")
    (folder / "scratch.ipynb").write_text("{}")  # not a lesson: no NN_ prefix
    return folder


def test_find_notebooks_orders_and_selects(lessons):
    assert [p.name for p in runner.find_notebooks(None, lessons)] == [
        "01_ok.ipynb", "02_fails.ipynb", "03_never_reached.ipynb"]
    assert [p.name for p in runner.find_notebooks(["03", "01"], lessons)] == [
        "03_never_reached.ipynb", "01_ok.ipynb"]
    with pytest.raises(FileNotFoundError, match=r"No notebook starts with '11'; choose from: 01_ok\.ipynb"):
        runner.find_notebooks(["11"], lessons)


def test_recorded_results_reads_the_mime_bundle():
    nb = {"cells": [{"outputs": [{"data": {RESULT_MIME: {"name": "test_accuracy", "value": 0.7}}}]},
                    {"outputs": [{"output_type": "stream", "text": "x"}]}]}
    assert runner.recorded_results(nb) == {"test_accuracy": 0.7}


def test_run_stops_at_the_failing_cell_and_names_it(lessons, sample_archive, tmp_path, capsys):
    status, rows = runner.run("smoke", archive=str(sample_archive), output_dir=tmp_path / "build",
                              html=False, notebooks_dir=lessons)
    out = capsys.readouterr().out
    assert status == 1
    assert "02_fails.ipynb FAILED in cell 1 (execution count 2): ValueError: deliberate failure" in out
    assert "03_never_reached" not in out.split("FAILED")[1]  # later lessons are not run
    table = out.split("\n\nnotebook")[1]
    assert "01_ok.ipynb" in table and "test_accuracy=0.5" in table and "failed" in table
    assert (tmp_path / "build" / "notebooks" / "01_ok.ipynb").is_file()
    assert [r.status for r in rows] == ["ok", "failed"]


def test_run_passes_profile_and_archive_to_the_kernels_only(lessons, sample_archive, tmp_path, monkeypatch, capsys):
    """The profile arrives as the papermill parameter PROFILE and the archive in the
    kernel's environment; this process's environment is not changed."""
    import os

    monkeypatch.delenv("CIFAR10_ARCHIVE", raising=False)
    write_notebook(lessons / "05_env.ipynb",
                   "PROFILE = None",
                   "import os\nfrom cifar_tutorial.notebook import record_result\n"
                   "record_result('profile_is_class', PROFILE == 'class')\n"
                   "record_result('archive_given', os.environ.get('CIFAR10_ARCHIVE', '').endswith('.tar.gz'))")
    nb = nbformat.read(lessons / "05_env.ipynb", as_version=4)
    nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, lessons / "05_env.ipynb")
    before = dict(os.environ)
    status, rows = runner.run("class", archive=str(sample_archive), selection=["05"], output_dir=tmp_path / "build",
                              html=False, notebooks_dir=lessons)
    assert status == 0
    assert rows[0].results == {"profile_is_class": 1.0, "archive_given": 1.0}
    assert dict(os.environ) == before


def test_cli_rejects_a_missing_archive_quickly(tmp_path, capsys):
    assert main(["run", "--archive", str(tmp_path / "missing.tar.gz")]) == 2
    assert "missing.tar.gz: no such archive or folder (from --archive)" in capsys.readouterr().err
