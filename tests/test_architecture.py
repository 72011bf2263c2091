"""The package's three parts and what each may import; a start without TensorFlow;
saved models that are plain Keras; damaged saved models named; ``run`` from an installed copy."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import cifar_tutorial
from cifar_tutorial import models, recipe

from .conftest import REPO

PACKAGE = Path(cifar_tutorial.__file__).parent
# Modules every part may use: standard library only (config), the machine probe and the quiet start-up.
SHARED = {"cifar_tutorial", "cifar_tutorial.config", "cifar_tutorial.machine", "cifar_tutorial.startup"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """The ``cifar_tutorial`` modules ``path`` imports (``from cifar_tutorial import x`` counts as
    ``cifar_tutorial.x`` when x is a module), at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cifar_tutorial":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                as_path = PACKAGE.parent / Path(*candidate.split("."))
                found.add(candidate if as_path.with_suffix(".py").exists() or as_path.is_dir() else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "cifar_tutorial"}
    return found


GRAPH = {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}


def _part(module: str) -> str:
    if module.startswith("cifar_tutorial.tools") or module == "cifar_tutorial.__main__":
        return "tools"
    if module.startswith("cifar_tutorial.datasets"):
        return "data layer"
    return "shared" if module in SHARED else "lesson helpers"


def test_no_lesson_helper_or_data_module_imports_the_tools():
    offenders = {m: sorted(i for i in deps if _part(i) == "tools")
                 for m, deps in GRAPH.items() if _part(m) != "tools"}
    assert not {m: d for m, d in offenders.items() if d}, "lesson helpers and the data layer must not import tools"


def test_the_data_layer_imports_only_itself_and_config():
    offenders = {m: sorted(i for i in deps if not (i.startswith("cifar_tutorial.datasets") or i == "cifar_tutorial.config"))
                 for m, deps in GRAPH.items() if _part(m) == "data layer"}
    assert not {m: d for m, d in offenders.items() if d}


def test_the_shared_modules_import_no_part():
    offenders = {m: sorted(i for i in deps if i not in SHARED and i != "cifar_tutorial.datasets")
                 for m, deps in GRAPH.items() if m in SHARED and m != "cifar_tutorial"}
    assert not {m: d for m, d in offenders.items() if d}


def test_the_package_imports_without_cycles():
    """No module imports one that imports it back, directly or not (the package's ``__init__`` aside:
    every submodule import runs it first by design)."""
    graph = {m: {d for d in deps if d in GRAPH and d != "cifar_tutorial"} - {m} for m, deps in GRAPH.items()}

    def reaches(start, target, seen=()):
        return any(n == target or (n not in seen and reaches(n, target, (*seen, n))) for n in graph.get(start, ()))

    cycles = sorted(m for m in graph if m != "cifar_tutorial" and reaches(m, m))
    assert not cycles, {m: graph[m] for m in cycles}


def test_no_module_is_over_about_400_lines():
    long = {_module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 420}
    assert not long


def _imported_modules(code: list[str]) -> str:
    """stderr of ``python -X importtime <code>``: one line per module the process imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", *code], capture_output=True, text=True,
                            timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


@pytest.mark.parametrize("code", [["-m", "cifar_tutorial", "--help"], ["-m", "cifar_tutorial", "run", "--help"],
                                  ["-c", "import cifar_tutorial.datasets"]])
def test_the_command_line_and_the_data_layer_start_without_tensorflow(code):
    imported = {line.split("|")[-1].strip() for line in _imported_modules(code).splitlines() if "|" in line}
    assert "tensorflow" not in imported and "keras" not in imported


def test_the_data_layer_loads_the_sample_without_tensorflow(sample_archive):
    code = ("import sys; from cifar_tutorial.datasets import load_cifar10; "
            f"(x, y), _, info = load_cifar10({str(sample_archive)!r}); "
            "assert x.shape == (5085, 32, 32, 3), x.shape; "
            "assert not {'tensorflow', 'keras'} & set(sys.modules), 'imported a framework'; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


@pytest.fixture(scope="module")
def saved_recipe(tmp_path_factory):
    """The course's recipe, compiled with its custom label-smoothing loss, trained one step and saved."""
    folder = tmp_path_factory.mktemp("models")
    model = recipe.compile_model(recipe.make_model(), epochs=1, steps_per_epoch=1)
    x = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 3)).astype("uint8")
    model.fit(x, np.arange(8) % 10, epochs=1, verbose=0)
    models.save_with_metadata(model, "course_cnn", {"flip_tta": True}, models_dir=folder)
    np.save(folder / "x.npy", x)
    np.save(folder / "expected.npy", model.predict(x, verbose=0))
    return folder


def test_a_saved_course_model_loads_with_keras_alone(saved_recipe):
    """In a fresh process that imports Keras and never this package."""
    code = (
        "import sys, numpy as np, keras\n"
        f"folder = {str(saved_recipe)!r}\n"
        "model = keras.saving.load_model(folder + '/course_cnn.keras')\n"
        "got = model.predict(np.load(folder + '/x.npy'), verbose=0)\n"
        "np.testing.assert_allclose(got, np.load(folder + '/expected.npy'), rtol=1e-5, atol=1e-6)\n"
        "assert not any(name.startswith('cifar_tutorial') for name in sys.modules), 'the package was imported'\n"
        "print('ok')\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180,
                            cwd=saved_recipe, env=env)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr[-3000:]


def _damage(path: Path, how: str) -> None:
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "random bytes":
        path.write_bytes(np.random.default_rng(0).bytes(len(raw)))
    else:  # an empty file
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["truncated", "random bytes", "empty"])
@pytest.mark.parametrize("which", [".keras", ".json"])
def test_a_damaged_saved_model_is_named_with_the_fix(saved_recipe, tmp_path, which, how):
    folder = tmp_path / "models"
    shutil.copytree(saved_recipe, folder)
    damaged = folder / f"course_cnn{which}"
    _damage(damaged, how)
    with pytest.raises(models.SavedModelError) as caught:
        models.load_with_metadata("course_cnn", models_dir=folder)
    message = str(caught.value)
    assert str(damaged) in message and "is damaged" in message
    assert "delete course_cnn.keras and course_cnn.json, then run lesson 07 again" in message
    assert "prepare --pretrain" in message
    if which == ".keras" and how != "empty":
        assert not zipfile.is_zipfile(damaged) or how == "truncated"
    assert json.loads((saved_recipe / "course_cnn.json").read_text())["flip_tta"] is True  # the original is intact


def _tiny_lessons(folder: Path) -> Path:
    """A folder with one lesson notebook that reads the profile parameter and records a result."""
    folder.mkdir()
    lesson = new_notebook(cells=[
        new_code_cell("PROFILE = None", metadata={"tags": ["parameters"]}),
        new_code_cell("import cifar_tutorial\nfrom cifar_tutorial.notebook import record_result\n"
                      "record_result('profile_is_smoke', float(cifar_tutorial.get_profile(PROFILE).name == 'smoke'))"),
    ])
    lesson.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(lesson, folder / "00_tiny.ipynb")
    return folder


def test_run_works_from_a_non_editable_install(tmp_path, sample_archive):
    """A fresh virtual environment, the course installed into it from a wheel (not editable), its
    dependencies seen through a .pth file from this environment; ``run`` from outside the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(PACKAGE, source / "cifar_tutorial", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "course-dependencies.pth").write_text("\n".join(ours) + "\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                              str(source)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-3000:]
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {**os.environ, "CIFAR10_ARCHIVE": str(sample_archive), "PYTHONPATH": ""}
    where = subprocess.run([str(python), "-c", "import cifar_tutorial; print(cifar_tutorial.__file__)"],
                           capture_output=True, text=True, cwd=workdir, env=env, check=True).stdout
    assert str(site) in where and str(REPO) not in where  # the installed copy, not the checkout
    missing = subprocess.run([str(python), "-m", "cifar_tutorial", "run", "--profile", "smoke", "--no-html"],
                             capture_output=True, text=True, cwd=workdir, env=env, timeout=120)
    assert missing.returncode == 2 and "--notebooks DIR" in missing.stderr
    lessons = _tiny_lessons(tmp_path / "lessons")
    result = subprocess.run([str(python), "-m", "cifar_tutorial", "run", "--profile", "smoke", "--no-html",
                             "--notebooks", str(lessons), "--output-dir", str(tmp_path / "build")],
                            capture_output=True, text=True, cwd=workdir, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "profile_is_smoke=1" in result.stdout


def test_doctor_reports_a_broken_tensorflow_as_a_failed_check_with_its_fix(tmp_path):
    """``doctor`` imports TensorFlow as one of its checks: an install where that import fails
    (simulated in a fresh process) gives a PROBLEM line and the fix, not a traceback."""
    code = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def broken(name, *args, **kwargs):\n"
        "    if name.split('.')[0] == 'tensorflow':\n"
        "        raise ImportError('simulated broken install')\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = broken\n"
        "from cifar_tutorial.tools.cli import main\n"
        f"sys.exit(main(['doctor', '--data-dir', {str(tmp_path)!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "[PROBLEM] TensorFlow: not importable (ImportError: simulated broken install)" in result.stdout
    assert "fix: pip install -r requirements.txt" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
