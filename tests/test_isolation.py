"""The suite runs in a temporary workspace: nothing a test or notebook saves lands in the checkout."""

from __future__ import annotations

import os
from pathlib import Path

from cifar_tutorial import config

from .conftest import REPO


def test_the_workspace_is_a_temporary_folder_outside_the_checkout():
    home = Path(os.environ[config.HOME_ENV])
    assert home.is_dir() and REPO not in home.parents
    assert config.workspace_dir("models") == home / "models"
    assert config.workspace_dir("build") == home / "build"


def test_without_a_home_a_checkout_uses_its_own_folders(monkeypatch):
    monkeypatch.delenv(config.HOME_ENV)
    assert config.workspace_dir("models") == REPO / "models"
    assert config.workspace_dir("build") == REPO / "build"


def test_the_guard_sees_a_changed_model(tmp_path):
    """The fingerprint the session guard compares changes when a guarded file does."""
    import conftest as root  # the repository's conftest.py (the session guard)

    (tmp_path / "models").mkdir()
    sentinel = tmp_path / "models" / "07_best.keras"
    sentinel.write_bytes(b"the user's model")
    before = root.checkout_fingerprint(tmp_path)
    sentinel.write_bytes(b"a smoke-profile model")
    after = root.checkout_fingerprint(tmp_path)
    assert before.keys() == after.keys() == {"models/07_best.keras"}
    assert before != after
