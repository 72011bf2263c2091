"""Instructor tools: ``python -m cifar_tutorial doctor`` and ``prepare``.

``doctor`` checks what a student's machine has and says how to fix each
problem. ``prepare`` stages the data before class (copy or download into the
data folder, verify) and can run every lesson once, which pre-trains the model
lesson 08 reuses and measures how long each lesson takes on this machine.
The README's timing table is written by a development script,
``tools/update_readme_timings.py``, never by the package.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import platform
import shutil
import sys
from pathlib import Path

from packaging.version import Version

from cifar_tutorial import datasets, machine
from cifar_tutorial.config import __version__
from cifar_tutorial.datasets.errors import DATA_DIR_ENV, DOWNLOAD_FREE_BYTES

MIN_PYTHON = (3, 11)
MIN_KERAS = Version("3.5")
MODELS_FREE_BYTES = 100_000_000  # saved models, checkpoints and executed notebooks stay well under this


@dataclasses.dataclass(frozen=True)
class Check:
    """One line of the doctor's report.

    Attributes:
        name: what was checked.
        ok: whether it is fine.
        detail: what was found.
        fix: what to do when not ``ok`` (empty otherwise).
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"[{'ok' if self.ok else 'PROBLEM'}] {self.name}: {self.detail}"
        return line + (f"\n          fix: {self.fix}" if self.fix else "")


def doctor_checks(data_dir: str | os.PathLike | None = None) -> list[Check]:
    """Check the environment the lessons need.

    Checks the Python version (at least 3.11), TensorFlow importable, Keras 3
    (at least 3.5) on the TensorFlow backend, the libraries of the lessons,
    JupyterLab,
    the CIFAR-10 archive found and verified (never downloaded here), the
    processors TensorFlow sees, and free disk space for the data folder and
    for saved models.

    Returns:
        The :class:`Check` list, in that order.
    """
    checks = [Check("course", True, f"cifar-tutorial {__version__}")]
    py = sys.version_info[:2]
    checks.append(Check("Python", py >= MIN_PYTHON, platform.python_version(),
                        "" if py >= MIN_PYTHON else "install Python 3.11, 3.12 or 3.13 (the versions CI tests)."))
    try:  # the first import of TensorFlow in this process: a broken install fails here, as a check
        from cifar_tutorial import quiet_startup

        quiet_startup()
        import tensorflow as tf

        checks.append(Check("TensorFlow", True, tf.__version__))
    except Exception as err:  # ImportError, or a broken binary (OSError, RuntimeError ...)
        checks.append(Check("TensorFlow", False, f"not importable ({type(err).__name__}: {err})",
                            "pip install -r requirements.txt (or pip install tensorflow on a GPU machine)."))
        tf = None
    try:
        import keras

        ok = (Version(importlib.metadata.version("keras")) >= MIN_KERAS
              and keras.backend.backend() == "tensorflow")
        checks.append(Check("Keras", ok, f"{keras.__version__}, backend {keras.backend.backend()}",
                            "" if ok else "pip install 'keras>=3.5' and unset KERAS_BACKEND (the lessons use TensorFlow)."))
    except Exception as err:  # not installed, or it fails to import without TensorFlow
        checks.append(Check("Keras", False, f"not importable ({type(err).__name__}: {err})",
                            "pip install -r requirements.txt"))
    missing = []
    for module in ("numpy", "sklearn", "scipy", "matplotlib", "PIL", "papermill", "nbclient", "nbformat"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    checks.append(Check("libraries", not missing, "all present" if not missing else f"missing {', '.join(missing)}",
                        "" if not missing else "pip install -r requirements.txt -e ."))
    try:
        import jupyterlab

        checks.append(Check("JupyterLab", True, f"{jupyterlab.__version__} (start it with `jupyter lab`)"))
    except ImportError:
        checks.append(Check("JupyterLab", False, "not installed (needed to work through the lessons interactively)",
                            "pip install -r requirements.txt (it pins jupyterlab), or open the notebooks in "
                            "VS Code or Colab."))

    fmt = datasets.formats.CIFAR10  # looked up at call time, so tests can stand in
    folder = Path(data_dir) if data_dir is not None else datasets.default_data_dir()
    try:
        source = datasets.locate_archive(data_dir=folder, download=False)
        verified = source.sha256 in datasets.KNOWN_ARCHIVES
        checks.append(Check("CIFAR-10 data", verified, source.description,
                            "" if verified else "this archive is not one the course knows; use the official "
                            f"{fmt.archive_name}."))
    except datasets.ArchiveNotFoundError as err:
        checks.append(Check("CIFAR-10 data", False, f"not ready ({type(err).__name__})",
                            "run `python -m cifar_tutorial prepare` (downloads 163 MB), or copy "
                            f"{fmt.archive_name} into {folder}, or set {fmt.archive_env} to it."))
    except datasets.CIFAR10Error as err:  # found, but corrupt or altered: its message names the file and the fix
        checks.append(Check("CIFAR-10 data", False, f"not usable ({type(err).__name__})", str(err)))
    if tf is not None:
        gpus = machine.gpus()
        detail = (f"{len(gpus)} GPU(s)" if gpus else "CPU only") + f", {os.cpu_count()} CPU cores"
        checks.append(Check("processors", True, detail + ("" if gpus else "; the class profile is sized for a 2-core CPU")))
    existing = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path.cwd())
    free = shutil.disk_usage(existing).free
    need = MODELS_FREE_BYTES + (0 if (folder / fmt.archive_name).is_file() else DOWNLOAD_FREE_BYTES)
    checks.append(Check("free disk", free >= need, f"{free / 1e9:.1f} GB free where the data goes",
                        "" if free >= need else f"free at least {need / 1e6:.0f} MB, or set {DATA_DIR_ENV} "
                        "to a folder on another disk."))
    return checks


def doctor(data_dir: str | os.PathLike | None = None) -> int:
    """Print :func:`doctor_checks` and return 0 if all passed, else 1."""
    checks = doctor_checks(data_dir)
    for check in checks:
        print(check)
    problems = sum(not c.ok for c in checks)
    print("\nAll set." if not problems else f"\n{problems} problem(s) to fix before class.")
    return 0 if not problems else 1


def stage_data(archive: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None) -> str:
    """Put CIFAR-10 where the lessons find it, and verify every batch (``prepare``).

    With ``archive`` (a file): the official archive is copied into the data
    folder (to a temporary name, then renamed: :func:`cifar_tutorial.datasets.atomic_write`),
    so lessons find it with no environment variable; any other archive is
    verified where it is, and the message says to keep pointing
    ``CIFAR10_ARCHIVE`` at it. Without ``archive``: ``CIFAR10_ARCHIVE``, the
    data folder, then a download, as :func:`cifar_tutorial.datasets.load_cifar10` does.

    Returns:
        A one-paragraph report: the source and the image counts.

    Raises:
        cifar_tutorial.datasets.CIFAR10Error: the archive is missing, corrupt or
            altered, or the folder cannot take it.
    """
    fmt = datasets.formats.CIFAR10  # looked up at call time, so tests can stand in
    folder = Path(data_dir) if data_dir is not None else datasets.default_data_dir()
    notes = []
    if archive is not None:
        archive = Path(archive).expanduser()
        source = datasets.locate_archive(archive)
        if source.sha256 == fmt.sha256:
            target = folder / fmt.archive_name
            if not target.is_file() or datasets.sha256_of(target) != fmt.sha256:
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    with datasets.atomic_write(target, tag="copy") as tmp:
                        shutil.copyfile(archive, tmp)
                except OSError as err:
                    raise datasets.errors.folder_error(folder, err, "while copying the archive", fmt) from None
            notes.append(f"Copied into the data folder ({folder.name}/); lessons find it there.")
            archive = None
        else:
            notes.append(f"Not the official archive, so not copied: keep {fmt.archive_env} pointing at it "
                         "(or pass --archive to `run`).")
    (x_train, _), (x_test, _), info = datasets.load_cifar10(archive, data_dir=folder)
    return (f"Data: {info.source.description}\n{len(x_train):,} training and {len(x_test):,} test images read "
            "and checked. " + " ".join(notes))
