"""Instructor tools: ``python -m cifar_tutorial doctor`` and ``prepare``.

``doctor`` checks what a student's machine has and says how to fix each
problem. ``prepare`` stages the data before class (copy or download into the
data folder, verify) and can run every lesson once, which pre-trains the model
lesson 05 reuses and measures how long each lesson takes on this machine.
The README's timing table is written by a development script,
``tools/update_readme_timings.py``, never by the package.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import re
import shutil
import sys
from pathlib import Path

from cifar_tutorial import data

MIN_PYTHON = (3, 11)
MIN_KERAS = (3, 5)
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


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (Linux), else what
    :mod:`platform` reports."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine_summary() -> str:
    """One line: CPU model, core count, GPUs, Python, TensorFlow and Keras versions."""
    import keras
    import tensorflow as tf

    gpus = len(tf.config.list_physical_devices("GPU"))
    return (f"{cpu_model()}, {os.cpu_count()} cores, {'%d GPU(s)' % gpus if gpus else 'no GPU'}; Python "
            f"{platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}")


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
    checks = []
    py = sys.version_info[:2]
    checks.append(Check("Python", py >= MIN_PYTHON, platform.python_version(),
                        "" if py >= MIN_PYTHON else "install Python 3.11, 3.12 or 3.13 (the versions CI tests)."))
    try:
        import tensorflow as tf

        checks.append(Check("TensorFlow", True, tf.__version__))
    except ImportError as err:
        checks.append(Check("TensorFlow", False, f"not importable ({err})",
                            "pip install -r requirements.txt (or pip install tensorflow on a GPU machine)."))
        tf = None
    try:
        import keras

        ok = _version_tuple(keras.__version__) >= MIN_KERAS and keras.backend.backend() == "tensorflow"
        checks.append(Check("Keras", ok, f"{keras.__version__}, backend {keras.backend.backend()}",
                            "" if ok else "pip install 'keras>=3.5' and unset KERAS_BACKEND (the lessons use TensorFlow)."))
    except ImportError as err:
        checks.append(Check("Keras", False, f"not importable ({err})", "pip install -r requirements.txt"))
    missing = []
    for module in ("numpy", "sklearn", "matplotlib", "PIL", "papermill", "nbformat"):
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

    folder = Path(data_dir) if data_dir is not None else data.default_data_dir()
    try:
        source = data.locate_archive(data_dir=folder, download=False)
        verified = source.sha256 in data.KNOWN_ARCHIVES
        checks.append(Check("CIFAR-10 data", verified, source.description,
                            "" if verified else "this archive is not one the course knows; use the official "
                            f"{data.ARCHIVE_NAME}."))
    except data.ArchiveNotFoundError as err:
        checks.append(Check("CIFAR-10 data", False, f"not ready ({type(err).__name__})",
                            "run `python -m cifar_tutorial prepare` (downloads 163 MB), or copy "
                            f"{data.ARCHIVE_NAME} into {folder}, or set {data.ARCHIVE_ENV} to it."))
    except data.CIFAR10Error as err:  # found, but corrupt or altered: its message names the file and the fix
        checks.append(Check("CIFAR-10 data", False, f"not usable ({type(err).__name__})", str(err)))
    if tf is not None:
        gpus = tf.config.list_physical_devices("GPU")
        detail = (f"{len(gpus)} GPU(s)" if gpus else "CPU only") + f", {os.cpu_count()} CPU cores"
        checks.append(Check("processors", True, detail + ("" if gpus else "; the class profile is sized for a 2-core CPU")))
    existing = folder if folder.exists() else next((p for p in folder.parents if p.exists()), Path.cwd())
    free = shutil.disk_usage(existing).free
    need = MODELS_FREE_BYTES + (0 if (folder / data.ARCHIVE_NAME).is_file() else data.DOWNLOAD_FREE_BYTES)
    checks.append(Check("free disk", free >= need, f"{free / 1e9:.1f} GB free where the data goes",
                        "" if free >= need else f"free at least {need / 1e6:.0f} MB, or set {data.DATA_DIR_ENV} "
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
    """Put CIFAR-10 where the lessons find it, and verify every batch.

    With ``archive`` (a file): the official archive is copied into the data
    folder (to a temporary name, then renamed), so lessons find it with no
    environment variable; any other archive is verified where it is, and the
    message says to keep pointing ``CIFAR10_ARCHIVE`` at it. Without
    ``archive``: ``CIFAR10_ARCHIVE``, the data folder, then a download, as
    :func:`cifar_tutorial.data.load_cifar10` does.

    Returns:
        A one-paragraph report: the source and the image counts.

    Raises:
        cifar_tutorial.data.CIFAR10Error: the archive is missing, corrupt or
            altered, or the folder cannot take it.
    """
    folder = Path(data_dir) if data_dir is not None else data.default_data_dir()
    notes = []
    if archive is not None:
        archive = Path(archive).expanduser()
        source = data.locate_archive(archive)
        if source.sha256 == data.CIFAR10.sha256:
            target = folder / data.ARCHIVE_NAME
            if not target.is_file() or data.sha256_of(target) != data.CIFAR10.sha256:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = folder / f".{data.ARCHIVE_NAME}.{os.getpid()}.copy"
                try:
                    shutil.copyfile(archive, tmp)
                    os.replace(tmp, target)
                except OSError as err:
                    raise data.folder_error(folder, err, "while copying the archive") from None
                finally:
                    tmp.unlink(missing_ok=True)
            notes.append(f"Copied into the data folder ({folder.name}/); lessons find it there.")
            archive = None
        else:
            notes.append(f"Not the official archive, so not copied: keep {data.ARCHIVE_ENV} pointing at it "
                         "(or pass --archive to `run`).")
    (x_train, _), (x_test, _), info = data.load_cifar10(archive, data_dir=folder)
    return (f"Data: {info.source.description}\n{len(x_train):,} training and {len(x_test):,} test images read "
            "and checked. " + " ".join(notes))
