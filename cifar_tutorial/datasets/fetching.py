"""Finding the archive, and downloading it under a lock with retries.

Where the archive comes from, first match wins (:func:`locate_archive`):

1. the ``path`` argument;
2. the format's environment variable (``CIFAR10_ARCHIVE``, ``CIFAR100_ARCHIVE``):
   an archive or an extracted ``cifar-10-batches-py/`` folder;
3. a copy in the data folder whose sha256 matches the official one;
4. a download of the official archive into the data folder, sha256-checked,
   retried when interrupted (``tenacity``), under a file lock (``filelock``) so
   that concurrent notebooks download it once, written atomically
   (:func:`~cifar_tutorial.datasets.files.atomic_write`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from pathlib import Path

from cifar_tutorial import config
from cifar_tutorial.datasets import formats
from cifar_tutorial.datasets.errors import (
    DATA_DIR_ENV,
    DOWNLOAD_FREE_BYTES,
    FOLDER_ERRNOS,
    ArchiveNotFoundError,
    ChecksumMismatchError,
    DataFolderError,
    folder_error,
)
from cifar_tutorial.datasets.files import atomic_write, sha256_of
from cifar_tutorial.datasets.formats import ArchiveFormat, DataSource

DOWNLOAD_TIMEOUT_S = 20.0
DOWNLOAD_ATTEMPTS = 3  # an interrupted download is retried twice, from the start
RETRY_WAIT_S = 2.0
# Longest wait for another process's download into the same folder: 163 MB
# at 1 Mbit/s is about 22 minutes.
LOCK_TIMEOUT_S = 30 * 60.0


def _format(fmt: ArchiveFormat | None) -> ArchiveFormat:
    return fmt if fmt is not None else formats.CIFAR10  # looked up at call time, so tests can stand in


def default_data_dir() -> Path:
    """The folder where a downloaded archive is cached.

    ``CIFAR10_DATA_DIR`` overrides it (a shared drive, say); else the
    workspace's ``data/`` (:func:`cifar_tutorial.config.workspace_dir`:
    ``$CIFAR_TUTORIAL_HOME/data``, or ``<repo>/data`` in a checkout, git-ignored);
    when the package is installed elsewhere (Colab, site-packages) the Keras
    cache, ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``.
    """
    if os.environ.get(DATA_DIR_ENV, "").strip():
        return Path(os.environ[DATA_DIR_ENV].strip()).expanduser()
    keras_cache = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"
    return config.workspace_dir("data", outside=keras_cache)


@contextlib.contextmanager
def cache_lock(data_dir: Path, *, required: bool = True, timeout_s: float = LOCK_TIMEOUT_S,
               fmt: ArchiveFormat | None = None):
    """Hold ``<data_dir>/<fmt.lock_name>`` (``filelock.FileLock``, an OS-level
    lock released when the process ends) while the cache is checked or filled,
    so two notebooks never download into one folder at once.

    Args:
        data_dir: the cache folder; created if missing.
        required: with ``False``, a folder where no lock file can be created
            (read-only) is used without one: nobody can write there either.
        timeout_s: seconds to wait for another process's lock.
        fmt: the archive's format (default CIFAR-10).

    Raises:
        DataFolderError: the lock was held for ``timeout_s``, or the folder
            cannot take a lock file and ``required`` is true.
    """
    from filelock import FileLock, Timeout

    fmt = _format(fmt)
    lock = FileLock(data_dir / fmt.lock_name, timeout=timeout_s)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout:
        raise DataFolderError(
            errno.EBUSY, f"{data_dir}: another process has held {fmt.lock_name} for {timeout_s:g} s "
            "(a download into the same folder). Fix: wait for it to finish, or stop it and run again."
        ) from None
    except OSError as err:
        if required or err.errno not in FOLDER_ERRNOS:
            raise folder_error(data_dir, err, "when preparing to download the archive", fmt) from None
        yield
        return
    try:
        yield
    finally:
        lock.release()


class _TransferError(Exception):
    """A transfer that failed in a way worth retrying (network, HTTP, cut short)."""


def _fetch(url: str, part: Path, timeout_s: float) -> None:
    """Stream ``url`` into ``part`` with ``requests``; its ``timeout`` bounds the
    connection and each read, so no process-wide socket setting is needed.

    Raises:
        _TransferError: the request failed or the body was cut short.
        OSError: writing ``part`` failed (a full disk, a read-only folder).
    """
    import requests  # deferred: only downloads need it

    try:
        with requests.get(url, stream=True, timeout=(timeout_s, timeout_s)) as response:
            response.raise_for_status()
            with open(part, "wb") as f:
                for chunk in response.iter_content(chunk_size=1 << 20):
                    f.write(chunk)
    except requests.RequestException as err:
        raise _TransferError(f"{type(err).__name__}: {err}") from err


def _download(data_dir: Path, url: str | None = None, sha256: str | None = None,
              timeout_s: float = DOWNLOAD_TIMEOUT_S, attempts: int = DOWNLOAD_ATTEMPTS,
              retry_wait_s: float = RETRY_WAIT_S, min_free_bytes: int = DOWNLOAD_FREE_BYTES,
              fmt: ArchiveFormat | None = None) -> Path:
    """:func:`download_archive` without the lock."""
    from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

    fmt = _format(fmt)
    url = url or os.environ.get(fmt.url_env) or fmt.url
    sha256 = sha256 or fmt.sha256
    attempts = max(1, attempts)
    target = data_dir / fmt.archive_name
    free = shutil.disk_usage(data_dir).free
    if free < min_free_bytes:
        raise folder_error(data_dir, OSError(errno.ENOSPC, f"{free / 1e6:.0f} MB free, "
                                              f"{min_free_bytes / 1e6:.0f} MB needed"), "before downloading", fmt)

    def say_retrying(state) -> None:
        failure = state.outcome.exception()
        print(f"Download of {url} failed ({failure}); retrying ({state.attempt_number + 1} of {attempts}).",
              file=sys.stderr)

    def attempt_once(number: int) -> Path:
        try:
            with atomic_write(target, tag=f"{number}.part") as part:
                _fetch(url, part, timeout_s)
                got = sha256_of(part)
                if got != sha256:
                    raise ChecksumMismatchError(
                        f"{url}: downloaded file has sha256 {got}, expected {sha256}; it was "
                        "deleted. Fix: try again, or download it by hand and check the checksum."
                    )
            return target
        except OSError as err:
            if err.errno in FOLDER_ERRNOS:
                raise folder_error(data_dir, err, "while downloading the archive", fmt) from None
            raise _TransferError(f"{type(err).__name__}: {err}") from err

    retrying = Retrying(stop=stop_after_attempt(attempts), wait=wait_fixed(retry_wait_s),
                        retry=retry_if_exception_type(_TransferError), before_sleep=say_retrying, reraise=True)
    try:
        for attempt in retrying:
            with attempt:
                return attempt_once(attempt.retry_state.attempt_number)
    except _TransferError as failure:
        raise ArchiveNotFoundError(
            f"No {fmt.name} archive was found and the download from {url} failed {attempts} time(s) "
            f"(last: {failure}). " + fmt.fix(data_dir)
        ) from None


def download_archive(data_dir: str | os.PathLike, *, url: str | None = None,
                     sha256: str | None = None, timeout_s: float = DOWNLOAD_TIMEOUT_S,
                     attempts: int = DOWNLOAD_ATTEMPTS, retry_wait_s: float = RETRY_WAIT_S,
                     min_free_bytes: int = DOWNLOAD_FREE_BYTES, fmt: ArchiveFormat | None = None) -> Path:
    """Download the archive into ``data_dir`` and return its path.

    The file is streamed with ``requests`` (its own connect and read
    timeouts; no process-wide socket setting) under a temporary name in
    ``data_dir``, its sha256 is checked, and only then is it renamed to
    the official name: an interrupted or corrupt download never leaves
    a file under the final name, and its partial file is deleted. A failed
    transfer (connection dropped, timeout, HTTP error) is retried from the
    start, ``attempts`` times in all (``tenacity``); the folder is locked
    meanwhile (:func:`cache_lock`), so a second process waits and then finds the file.

    Args:
        data_dir: the cache folder; created if missing.
        url: where to fetch from; ``None`` reads the format's mirror variable
            (``CIFAR10_URL``) and falls back to the official address.
        sha256: the expected hex digest; ``None`` means the official one.
        timeout_s: seconds allowed for connecting and for each read.
        attempts: transfers tried before giving up (at least 1).
        retry_wait_s: seconds to wait between attempts.
        min_free_bytes: free space (bytes) the folder's disk must have
            before the download starts.
        fmt: the archive's format (default CIFAR-10).

    Raises:
        ArchiveNotFoundError: every attempt failed (no network, HTTP error,
            connection dropped).
        ChecksumMismatchError: a completely downloaded file's sha256 differs
            (not retried: the server holds another file).
        DataFolderError: the folder is read-only, the disk is (or became)
            full, or another process held the lock for ``LOCK_TIMEOUT_S``.
    """
    data_dir = Path(data_dir)
    with cache_lock(data_dir, fmt=fmt):
        return _download(data_dir, url, sha256, timeout_s, attempts, retry_wait_s, min_free_bytes, fmt)


def locate_archive(path: str | os.PathLike | None = None, *, data_dir: str | os.PathLike | None = None,
                   download: bool = True, fmt: ArchiveFormat | None = None) -> DataSource:
    """Find the archive to read, downloading it only as the last resort.

    Args:
        path: an archive file or an extracted ``cifar-10-batches-py`` folder.
        data_dir: the cache folder (default: :func:`default_data_dir`).
        download: whether to download when nothing else is found.
        fmt: the archive's format (default CIFAR-10), whose environment
            variable, file name and checksum are used.

    Returns:
        A :class:`~cifar_tutorial.datasets.formats.DataSource`; an archive
        file's sha256 is computed (about 0.5 s for the 163 MB archive) so
        callers can tell which data they have.

    Raises:
        ArchiveNotFoundError: ``path`` or the environment variable names
            nothing, or nothing was found and the download was off or failed.
        ChecksumMismatchError: the cached archive's sha256 is wrong (it is left
            in place, named in the message, for the user to delete).
        DataFolderError: a download is needed but the data folder is
            read-only or its disk full (see :func:`download_archive`).
    """
    fmt = _format(fmt)
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    env = fmt.archive_env
    for kind, value in (("argument", path), ("environment", os.environ.get(env) or None)):
        if value is None:
            continue
        candidate = Path(value).expanduser()
        origin = "the path argument" if kind == "argument" else f"{env}={value}"
        if candidate.is_dir():
            return DataSource(kind, candidate, None, env)
        if candidate.is_file():
            return DataSource(kind, candidate, sha256_of(candidate), env)
        raise ArchiveNotFoundError(
            f"{candidate}: no such file or folder (from {origin}). Fix: point it at "
            f"{fmt.archive_name} or at an extracted {fmt.folder_name}/ folder."
        )
    cached = data_dir / fmt.archive_name
    if not download and not cached.is_file():
        raise ArchiveNotFoundError(
            f"No {fmt.name} archive given and none in {data_dir}; download is off. " + fmt.fix(data_dir)
        )
    # Locked, so that a notebook starting while another downloads waits for the file.
    with cache_lock(data_dir, required=not cached.is_file(), fmt=fmt):
        if cached.is_file():
            got = sha256_of(cached)
            if got != fmt.sha256:
                raise ChecksumMismatchError(
                    f"{cached}: sha256 {got} does not match the official {fmt.sha256}; "
                    "the copy is incomplete or altered. Fix: delete it and run again to "
                    f"download a fresh copy, or set {env} to another archive."
                )
            return DataSource("cache", cached, got, env)
        path = _download(data_dir, fmt=fmt)
    return DataSource("download", path, fmt.sha256, env)
