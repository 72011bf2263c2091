"""Reliability: interrupted downloads, concurrent notebooks, read-only folders,
full disks. Each case asserts the exact error type and message, and that no
file was damaged or left half-written. The bytes served are the real CIFAR-10
sample from ../shared/data, on a local HTTP server (127.0.0.1)."""

from __future__ import annotations

import dataclasses
import errno
import os
import subprocess
import sys
import textwrap
from collections import namedtuple

import filelock
import pytest

from cifar_tutorial import datasets
from cifar_tutorial.datasets import ArchiveNotFoundError, DataFolderError, fetching, formats, load_cifar10

from .conftest import REPO, SAMPLE_SHA256, files_in


@pytest.fixture
def sample_is_official(monkeypatch):
    """Let the sample stand in for the official archive (its sha256 is the one expected)."""
    monkeypatch.setattr(formats, "CIFAR10", dataclasses.replace(formats.CIFAR10, sha256=SAMPLE_SHA256))


# --------------------------------------------------------------------------- interrupted downloads
def test_interrupted_download_is_retried_and_completes(sample_archive, http_server, tmp_path, capsys):
    body = sample_archive.read_bytes()
    requests = []
    url = http_server(body, cut_after=len(body) // 2, cut_requests=1, requests=requests)
    cache = tmp_path / "cache"
    path = datasets.download_archive(cache, url=url, sha256=SAMPLE_SHA256, retry_wait_s=0)
    assert len(requests) == 2
    assert path == cache / datasets.CIFAR10.archive_name and datasets.sha256_of(path) == SAMPLE_SHA256
    assert files_in(cache) == [datasets.CIFAR10.archive_name]  # no partial file from the first attempt
    err = capsys.readouterr().err
    assert f"Download of {url} failed (" in err and err.rstrip().endswith("retrying (2 of 3).")


def test_download_interrupted_every_time_gives_up_cleanly(sample_archive, http_server, tmp_path, capsys):
    body = sample_archive.read_bytes()
    requests = []
    url = http_server(body, cut_after=1000, requests=requests)
    cache = tmp_path / "cache"
    with pytest.raises(ArchiveNotFoundError, match=r"the download from http://127\.0\.0\.1:\d+/cifar-10-python\.tar\.gz "
                                                   r"failed 3 time\(s\) \(last: .*\)\. Fix: download cifar-10-python\.tar\.gz"):
        datasets.download_archive(cache, url=url, sha256=SAMPLE_SHA256, retry_wait_s=0)
    assert len(requests) == 3
    assert files_in(cache) == []
    err = capsys.readouterr().err
    assert "retrying (2 of 3)." in err and "retrying (3 of 3)." in err


# --------------------------------------------------------------------------- concurrent notebooks
_LOADER = textwrap.dedent("""
    import dataclasses, hashlib, sys
    from cifar_tutorial import datasets
    from cifar_tutorial.datasets import formats
    formats.CIFAR10 = dataclasses.replace(formats.CIFAR10, sha256=sys.argv[1])
    (x_train, y_train), (x_test, y_test), info = datasets.load_cifar10(data_dir=sys.argv[2])
    digest = hashlib.sha256(b"".join(a.tobytes() for a in (x_train, y_train, x_test, y_test))).hexdigest()
    print(info.source.kind, len(x_train), digest)
""")


@pytest.mark.parametrize("processes", [2, 8])
def test_processes_loading_at_once_download_once(sample_archive, http_server, tmp_path, processes):
    """Notebooks start at once on an empty cache (8: a lab server or JupyterHub):
    the file lock makes one download while the others wait, then read the
    verified file; all get identical arrays, and nothing but the archive and the
    empty lock file is left in the folder."""
    requests = []
    url = http_server(sample_archive.read_bytes(), delay_s=2.0, requests=requests)
    cache = tmp_path / "cache"
    env = {**os.environ, "CIFAR10_URL": url}
    env.pop("CIFAR10_DATA_DIR", None)
    procs = [subprocess.Popen([sys.executable, "-c", _LOADER, SAMPLE_SHA256, str(cache)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(processes)]
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * processes, [err[-2000:] for _, err in outputs]
    results = [out.strip().splitlines()[-1].split() for out, _ in outputs]
    assert sorted(kind for kind, _, _ in results) == ["cache"] * (processes - 1) + ["download"]
    assert {(count, digest) for _, count, digest in results} == {("5085", results[0][2])}  # identical arrays
    assert len(requests) == 1
    assert files_in(cache) == [datasets.CIFAR10.archive_name]
    assert datasets.sha256_of(cache / datasets.CIFAR10.archive_name) == SAMPLE_SHA256
    lock = cache / datasets.CIFAR10.lock_name  # stays, empty, by design: filelock never deletes it (see README)
    assert not lock.exists() or lock.stat().st_size == 0


def test_lock_held_too_long_is_a_clear_error(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    with filelock.FileLock(cache / datasets.CIFAR10.lock_name):  # another process, as far as the lock can tell
        with pytest.raises(DataFolderError, match=r"another process has held cifar-10-python\.tar\.gz\.lock for 0.2 s "
                                                  r"\(a download into the same folder\)\. Fix: wait"):
            with fetching.cache_lock(cache, timeout_s=0.2):
                pass
    assert files_in(cache) == []


# --------------------------------------------------------------------------- read-only folder
def _deny(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")


def test_read_only_folder_is_a_clear_error(tmp_path, monkeypatch):
    """Simulated: acquiring the lock file fails as it does in a read-only folder."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(filelock.FileLock, "acquire", _deny)
    with pytest.raises(DataFolderError) as err:
        load_cifar10(data_dir=cache)
    assert err.value.errno == errno.EACCES
    assert str(err.value) == (
        f"[Errno 13] {cache}: the data folder is not writable (Permission denied) when preparing to download the "
        "archive. Fix: make it writable, or set CIFAR10_DATA_DIR to a folder on another disk, or set "
        "CIFAR10_ARCHIVE to a copy of cifar-10-python.tar.gz you already have."
    )
    assert files_in(cache) == []


def test_read_only_folder_with_a_verified_copy_still_loads(sample_archive, tmp_path, monkeypatch, sample_is_official):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / datasets.CIFAR10.archive_name).write_bytes(sample_archive.read_bytes())
    monkeypatch.setattr(filelock.FileLock, "acquire", _deny)
    (x_train, _), _, info = load_cifar10(data_dir=cache)
    assert info.source.kind == "cache" and len(x_train) == 5085


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind root")
def test_really_read_only_folder(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    try:
        with pytest.raises(DataFolderError, match=r"the data folder is not writable \(Permission denied\)"):
            load_cifar10(data_dir=cache)
        assert files_in(cache) == []
    finally:
        cache.chmod(0o755)


# --------------------------------------------------------------------------- full disk
def test_too_little_free_space_fails_before_downloading(sample_archive, http_server, tmp_path, monkeypatch):
    requests = []
    url = http_server(sample_archive.read_bytes(), requests=requests)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(fetching.shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**7, 10**7))
    cache = tmp_path / "cache"
    with pytest.raises(DataFolderError) as err:
        datasets.download_archive(cache, url=url, sha256=SAMPLE_SHA256)
    assert err.value.errno == errno.ENOSPC
    assert str(err.value) == (
        f"[Errno 28] {cache}: the disk is full (10 MB free, 200 MB needed) before downloading; nothing was left "
        "behind. Fix: free at least 200 MB, or set CIFAR10_DATA_DIR to a folder on another disk, or set "
        "CIFAR10_ARCHIVE to a copy of cifar-10-python.tar.gz you already have."
    )
    assert requests == [] and files_in(cache) == []


class _FillingFile:
    """A file that accepts ``room`` bytes, then fails as a full disk does."""

    def __init__(self, path, room):
        self._file = open(path, "wb")  # noqa: SIM115 (closed by __exit__/close)
        self._room = room

    def write(self, chunk):
        if len(chunk) > self._room:
            self._file.write(chunk[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(chunk)
        return self._file.write(chunk)

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_disk_filling_up_during_download_leaves_nothing(sample_archive, http_server, tmp_path, monkeypatch):
    """The download streams into a file opened by ``fetching._fetch``; here its writes
    fail with ENOSPC after 1 MB, as on a full disk."""
    requests = []
    url = http_server(sample_archive.read_bytes(), requests=requests)
    monkeypatch.setattr(fetching, "open", lambda path, mode: _FillingFile(path, 1 << 20), raising=False)
    cache = tmp_path / "cache"
    cache.mkdir()
    keep = cache / "notes.txt"  # something of the user's in the folder
    keep.write_text("mine")
    with pytest.raises(DataFolderError) as err:
        datasets.download_archive(cache, url=url, sha256=SAMPLE_SHA256, retry_wait_s=0)
    assert err.value.errno == errno.ENOSPC
    assert str(err.value).startswith(
        f"[Errno 28] {cache}: the disk is full (No space left on device) while downloading the archive; nothing "
        "was left behind. Fix: free at least 200 MB"
    )
    assert len(requests) == 1  # a full disk is not retried
    assert files_in(cache) == ["notes.txt"] and keep.read_text() == "mine"
