"""Whole-suite guard: the tests and the notebooks nbval re-executes write only
into a temporary workspace, never into the checkout.

``pytest_configure`` points ``CIFAR_TUTORIAL_HOME`` at a fresh temporary folder
before any test runs or any notebook kernel starts (kernels inherit it), so
lessons save models, checkpoints and photos there
(:func:`cifar_tutorial.config.workspace_dir`). It also fingerprints (sha256)
every file in the checkout's ``models/``, ``data/`` and ``build/`` folders and
every file git tracks; ``pytest_sessionfinish`` fingerprints them again and
fails the run, naming each file, if anything was added, changed or removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent
GUARDED_FOLDERS = ("models", "data", "build")
_state: dict = {}


def checkout_fingerprint(repo: Path = REPO) -> dict[str, str]:
    """``{relative path: sha256}`` of every file in the guarded folders and every tracked file."""
    paths = {p for name in GUARDED_FOLDERS for p in (repo / name).rglob("*") if p.is_file()}
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True).stdout
        paths |= {repo / name for name in listed.decode().split("\0") if name and (repo / name).is_file()}
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: the guarded folders only
        pass
    return {p.relative_to(repo).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(paths)}


def pytest_configure(config):
    home = tempfile.mkdtemp(prefix="cifar-tutorial-tests-")
    os.environ["CIFAR_TUTORIAL_HOME"] = home  # test set-up, before any kernel starts
    _state.update(home=home, before=checkout_fingerprint())


def pytest_sessionfinish(session, exitstatus):
    if "before" not in _state:
        return
    after = checkout_fingerprint()
    before = _state["before"]
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    shutil.rmtree(_state["home"], ignore_errors=True)
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("The test run changed files of the checkout (it must write only into CIFAR_TUTORIAL_HOME): "
                   + ", ".join(changed))
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = 1
