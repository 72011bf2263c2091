"""CIFAR-100 through the CIFAR-10 loader's code (lesson 10).

The archives are built here in the official CIFAR-100 format (a
``cifar-100-python/`` folder with ``train``, ``test`` and ``meta``; batches
with ``fine_labels`` and ``coarse_labels``) from the real CIFAR-10 sample's
images: what is tested is the format and the shared code paths, not CIFAR-100's
content. The bad inputs are those CIFAR-10 is tested with."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import tarfile

import numpy as np
import pytest

from cifar_tutorial import datasets
from cifar_tutorial.datasets import (
    ArchiveCorruptError,
    ArchiveNotFoundError,
    ChecksumMismatchError,
    UnsafePickleError,
    formats,
    load_cifar100,
)

from .conftest import files_in, write_archive

FINE_NAMES = [f"fine_{i:02d}" for i in range(100)]
COARSE_NAMES = [f"coarse_{i:02d}" for i in range(20)]


def _fine_labels(y10: np.ndarray) -> np.ndarray:
    """A fine label 0..99 for each image: its CIFAR-10 class times ten plus its index mod 10."""
    return (y10.astype(np.int64) * 10 + np.arange(len(y10)) % 10).astype(np.int64)


def _batch(x: np.ndarray, y10: np.ndarray, name: bytes) -> bytes:
    fine = _fine_labels(y10)
    batch = {
        b"filenames": [f"img_{i}.png".encode() for i in range(len(x))],
        b"batch_label": name,
        b"fine_labels": fine.tolist(),
        b"coarse_labels": (fine // 5).tolist(),
        b"data": x.transpose(0, 3, 1, 2).reshape(len(x), 3072).copy(),
    }
    return pickle.dumps(batch, protocol=2)


@pytest.fixture(scope="module")
def sample_arrays(sample_archive):
    return datasets.load_cifar10(sample_archive)[:2]


@pytest.fixture
def make_cifar100(sample_arrays, tmp_path):
    """make(name, replace={member: bytes}, drop=(member,)) -> an archive path."""
    (x_train, y_train), (x_test, y_test) = sample_arrays
    members = {
        "train": _batch(x_train, y_train, b"training batch 1 of 1"),
        "test": _batch(x_test, y_test, b"testing batch 1 of 1"),
        "meta": pickle.dumps({b"fine_label_names": [n.encode() for n in FINE_NAMES],
                              b"coarse_label_names": [n.encode() for n in COARSE_NAMES]}, protocol=2),
    }

    def make(name="cifar-100-python.tar.gz", replace=None, drop=()):
        chosen = {base: raw for base, raw in {**members, **(replace or {})}.items() if base not in drop}
        return write_archive(tmp_path / name, chosen, "cifar-100-python")

    return make


def test_fine_and_coarse_labels_come_with_their_names(make_cifar100, sample_arrays):
    (x10, y10), (x10_test, _) = sample_arrays
    archive = make_cifar100()
    (x_train, y_train), (x_test, y_test), info = load_cifar100(archive)
    assert x_train.shape == (5085, 32, 32, 3) and x_test.shape == (1017, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_train.shape == (5085,)
    np.testing.assert_array_equal(x_train, x10)  # the same pixels, in the same layout, as CIFAR-10's reader
    np.testing.assert_array_equal(x_test, x10_test)
    np.testing.assert_array_equal(y_train, _fine_labels(y10))
    assert info.class_names == tuple(FINE_NAMES) and y_train.max() <= 99
    (_, y_coarse), _, coarse = load_cifar100(archive, label_mode="coarse")
    np.testing.assert_array_equal(y_coarse, _fine_labels(y10) // 5)
    assert coarse.class_names == tuple(COARSE_NAMES) and y_coarse.max() <= 19


def test_extracted_folder_and_environment_variable(make_cifar100, tmp_path, monkeypatch):
    archive = make_cifar100()
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "extracted", filter="data")
    (x_train, _), _, info = load_cifar100(tmp_path / "extracted")
    assert len(x_train) == 5085 and info.source.sha256 is None
    monkeypatch.setenv("CIFAR100_ARCHIVE", str(archive))
    (x_env, _), _, info = load_cifar100(data_dir=tmp_path / "empty", download=False)
    assert info.source.kind == "environment" and "CIFAR100_ARCHIVE" in info.source.description
    np.testing.assert_array_equal(x_env, x_train)


def test_cifar10_variable_is_not_read_for_cifar100(sample_archive, tmp_path, monkeypatch):
    monkeypatch.setenv("CIFAR10_ARCHIVE", str(sample_archive))
    with pytest.raises(ArchiveNotFoundError, match=r"No CIFAR-100 archive given and none in .*download is off\. "
                                                   r"Fix: download cifar-100-python\.tar\.gz \(161 MB\) .*"
                                                   r"set CIFAR100_ARCHIVE=/path/to/cifar-100-python\.tar\.gz"):
        load_cifar100(data_dir=tmp_path / "empty", download=False)


def test_unknown_label_mode_is_refused_before_reading(tmp_path):
    with pytest.raises(ValueError, match=r"label_mode must be one of 'fine', 'coarse' for CIFAR-100, got 'medium'"):
        load_cifar100(tmp_path / "nothing-here.tar.gz", label_mode="medium")


def test_verified_cache_and_wrong_checksum(make_cifar100, tmp_path, monkeypatch):
    archive = make_cifar100()
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(archive, cache / "cifar-100-python.tar.gz")
    with pytest.raises(ChecksumMismatchError, match=r"cifar-100-python\.tar\.gz: sha256 .* does not match the official "
                                                    + datasets.CIFAR100.sha256 + r".*CIFAR100_ARCHIVE"):
        load_cifar100(data_dir=cache, download=False)
    assert files_in(cache) == ["cifar-100-python.tar.gz"]  # nothing deleted behind the user's back
    monkeypatch.setattr(formats, "CIFAR100", dataclasses.replace(formats.CIFAR100, sha256=datasets.sha256_of(archive)))
    (x_train, _), _, info = load_cifar100(data_dir=cache, download=False)
    assert info.source.kind == "cache" and len(x_train) == 5085


def test_download_is_verified_locked_and_named(make_cifar100, http_server, tmp_path, monkeypatch):
    archive = make_cifar100()
    digest = datasets.sha256_of(archive)
    monkeypatch.setattr(formats, "CIFAR100", dataclasses.replace(formats.CIFAR100, sha256=digest))
    monkeypatch.setenv("CIFAR100_URL", http_server(archive.read_bytes()))
    cache = tmp_path / "cache"
    (x_train, _), _, info = load_cifar100(data_dir=cache)
    assert info.source.kind == "download" and len(x_train) == 5085
    assert files_in(cache) == ["cifar-100-python.tar.gz"]  # its own lock file is empty and hidden from files_in
    assert (cache / "cifar-100-python.tar.gz.lock").exists()


def test_interrupted_download_leaves_nothing(make_cifar100, http_server, tmp_path):
    body = make_cifar100().read_bytes()
    url = http_server(body, cut_after=len(body) // 3)
    cache = tmp_path / "cache"
    with pytest.raises(ArchiveNotFoundError, match=r"No CIFAR-100 archive was found and the download from .* failed .*"
                                                   r"CIFAR100_ARCHIVE"):
        datasets.download_archive(cache, url=url, sha256="0" * 64, retry_wait_s=0, fmt=datasets.CIFAR100)
    assert files_in(cache) == []


def test_truncated_archive(make_cifar100, tmp_path):
    archive = make_cifar100()
    truncated = tmp_path / "truncated" / "cifar-100-python.tar.gz"
    truncated.parent.mkdir()
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(ArchiveCorruptError, match=r"cifar-100-python\.tar\.gz: cannot read the archive .*truncated or "
                                                  r"corrupt\. Fix: download a fresh copy of cifar-100-python\.tar\.gz"):
        load_cifar100(truncated)


def test_missing_member_is_named(make_cifar100):
    with pytest.raises(ArchiveNotFoundError, match=r"missing meta \(expected cifar-100-python/ with train, test and meta\)"):
        load_cifar100(make_cifar100(drop=("meta",)))


class _System:
    """Unpickles as os.system("touch <path>"): what a tampered batch would run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f"touch {self.path}",)


def test_tampered_pickle_runs_nothing(make_cifar100, tmp_path):
    marker = tmp_path / "pwned"
    archive = make_cifar100(replace={"test": pickle.dumps({b"data": _System(marker)}, protocol=2)})
    with pytest.raises(UnsafePickleError, match=r"cifar-100-python\.tar\.gz:test: refused to load global posix\.system\. "
                                                r"CIFAR-100 batches hold only NumPy arrays"):
        load_cifar100(archive)
    assert not marker.exists()


def test_labels_out_of_range_are_refused(make_cifar100, sample_arrays):
    (x_train, y_train), _ = sample_arrays
    bad = pickle.loads(_batch(x_train, y_train, b"train"))
    bad[b"coarse_labels"][0] = 20
    archive = make_cifar100(replace={"train": pickle.dumps(bad, protocol=2)})
    load_cifar100(archive)  # the fine labels are fine
    with pytest.raises(ArchiveCorruptError, match=r"train: 'coarse_labels' must hold 5085 integers in 0\.\.19"):
        load_cifar100(archive, label_mode="coarse")
