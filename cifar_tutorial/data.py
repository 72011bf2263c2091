"""Loading CIFAR-10 and CIFAR-100 from their official archives, and the standard preprocessing.

CIFAR-10 (Krizhevsky, 2009, "Learning Multiple Layers of Features from Tiny
Images", https://www.cs.toronto.edu/~kriz/cifar.html) ships as
``cifar-10-python.tar.gz``: a folder ``cifar-10-batches-py/`` holding five
training batches, one test batch and ``batches.meta``, each a Python 2 pickle.
A batch is a dict with ``b"labels"`` (list of ints 0-9) and ``b"data"`` (uint8
array of shape ``(n, 3072)``: 1024 red, 1024 green, then 1024 blue values of a
32x32 image, row-major). Nothing here assumes ``n``: the full archive (10,000
images a batch) and smaller slices in the same format load through the same
code.

CIFAR-100 (same paper and page) ships as ``cifar-100-python.tar.gz``: a folder
``cifar-100-python/`` holding ``train``, ``test`` and ``meta``; a batch has
``b"fine_labels"`` (0-99) and ``b"coarse_labels"`` (0-19, the 20
superclasses) beside the same ``b"data"``, and ``meta`` has
``b"fine_label_names"`` and ``b"coarse_label_names"``. Both archives are
described by an :class:`ArchiveFormat` (:data:`CIFAR10`, :data:`CIFAR100`)
and go through the same code: source order, restricted unpickler, download,
lock and errors.

Where the archive comes from, first match wins (see :func:`locate_archive`):

1. the ``path`` argument;
2. the ``CIFAR10_ARCHIVE`` (``CIFAR100_ARCHIVE``) environment variable (an archive or an extracted
   ``cifar-10-batches-py/`` folder);
3. a copy in the data folder whose sha256 matches the official one;
4. a download of the official archive into the data folder, sha256-checked,
   retried when interrupted, under a file lock so that concurrent notebooks
   download it once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import io
import os
import pickle
import shutil
import sys
import tarfile
import zlib
from pathlib import Path

import numpy as np

from cifar_tutorial.config import HOME_ENV, workspace_dir

ARCHIVE_ENV = "CIFAR10_ARCHIVE"
DATA_DIR_ENV = "CIFAR10_DATA_DIR"
URL_ENV = "CIFAR10_URL"
ARCHIVE_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
ARCHIVE_NAME = "cifar-10-python.tar.gz"
FOLDER_NAME = "cifar-10-batches-py"
# Published on https://www.cs.toronto.edu/~kriz/cifar.html (md5) and recorded as
# sha256 by Keras (keras/src/datasets/cifar10.py).
ARCHIVE_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
# Archives whose sha256 we recognise, for showing which data a lesson ran on.
KNOWN_ARCHIVES = {
    ARCHIVE_SHA256: "official CIFAR-10 archive (50,000 train / 10,000 test)",
    "ab594268cdba7471cea194ec5a9e9d67c022479615fd5a4870584e76f3a9b018": (
        "CIFAR-10 sample slice in the official format (5,085 train / 1,017 test)"
    ),
}
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCH = "test_batch"
META_FILE = "batches.meta"
CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
IMAGE_SHAPE = (32, 32, 3)
DOWNLOAD_TIMEOUT_S = 20.0
DOWNLOAD_ATTEMPTS = 3  # an interrupted download is retried twice, from the start
RETRY_WAIT_S = 2.0
# The official archive is 170,498,071 bytes; ask for that plus a margin before
# downloading, so a nearly full disk fails at once rather than at 95%.
DOWNLOAD_FREE_BYTES = 200_000_000
LOCK_NAME = ARCHIVE_NAME + ".lock"
# Longest wait for another process's download into the same folder: 163 MB
# at 1 Mbit/s is about 22 minutes.
LOCK_TIMEOUT_S = 30 * 60.0
CIFAR100_ARCHIVE_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
KNOWN_ARCHIVES[CIFAR100_ARCHIVE_SHA256] = "official CIFAR-100 archive (50,000 train / 10,000 test)"
# errno values that mean "this folder cannot take the file", not "the network failed".
_FOLDER_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}



@dataclasses.dataclass(frozen=True)
class LabelSet:
    """One kind of label an archive holds.

    Attributes:
        key: the batch dict's key of the labels, e.g. ``b"labels"``.
        names_key: the meta file's key of the class names.
        num_classes: how many classes (labels run 0..num_classes-1).
    """

    key: bytes
    names_key: bytes
    num_classes: int


@dataclasses.dataclass(frozen=True)
class ArchiveFormat:
    """What tells one archive of the CIFAR family from another; everything
    else (finding, checking, downloading, unpickling) is shared.

    Attributes:
        name: ``"CIFAR-10"`` or ``"CIFAR-100"``, for messages.
        archive_name: the official file name, also its name in the data folder.
        url: the official address.
        sha256: the official archive's hex digest.
        size: its size, for messages (``"163 MB"``).
        folder_name: the folder inside the archive.
        train_members, test_member, meta_member: batch file names in it.
        archive_env, url_env: environment variables naming a local copy and
            a mirror.
        label_sets: label mode -> :class:`LabelSet`; the first is the default.
    """

    name: str
    archive_name: str
    url: str
    sha256: str
    size: str
    folder_name: str
    train_members: tuple[str, ...]
    test_member: str
    meta_member: str
    archive_env: str
    url_env: str
    label_sets: dict

    @property
    def lock_name(self) -> str:
        """The lock file held in the data folder while the cache is checked or filled."""
        return self.archive_name + ".lock"

    def fix(self, data_dir) -> str:
        """The fix for "no archive": where to get it and where to put it."""
        return (f"Fix: download {self.archive_name} ({self.size}) from {self.url} on a machine with "
                f"internet access, then either set {self.archive_env}=/path/to/{self.archive_name} or "
                f"copy it into the data folder ({data_dir}).")


CIFAR10 = ArchiveFormat(
    "CIFAR-10", ARCHIVE_NAME, ARCHIVE_URL, ARCHIVE_SHA256, "163 MB", FOLDER_NAME, TRAIN_BATCHES,
    TEST_BATCH, META_FILE, ARCHIVE_ENV, URL_ENV, {"labels": LabelSet(b"labels", b"label_names", 10)},
)
# Published on https://www.cs.toronto.edu/~kriz/cifar.html (md5
# eb9058c3a382ffc7106e4002c42a8d85) and recorded as sha256 by Keras
# (keras/src/datasets/cifar100.py); 169,001,437 bytes.
CIFAR100 = ArchiveFormat(
    "CIFAR-100", "cifar-100-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
    CIFAR100_ARCHIVE_SHA256, "161 MB", "cifar-100-python", ("train",), "test", "meta",
    "CIFAR100_ARCHIVE", "CIFAR100_URL",
    {"fine": LabelSet(b"fine_labels", b"fine_label_names", 100),
     "coarse": LabelSet(b"coarse_labels", b"coarse_label_names", 20)},
)


def _format(fmt: ArchiveFormat | None) -> ArchiveFormat:
    return fmt if fmt is not None else CIFAR10  # looked up at call time, so tests can stand in


class CIFAR10Error(Exception):
    """Base class of every data-loading error raised by this module."""


class ArchiveNotFoundError(CIFAR10Error, FileNotFoundError):
    """No archive was found and none could be downloaded."""


class ArchiveCorruptError(CIFAR10Error, ValueError):
    """The archive or a batch in it is truncated, corrupt or malformed."""


class ChecksumMismatchError(ArchiveCorruptError):
    """A file's sha256 differs from the published one."""


class UnsafePickleError(ArchiveCorruptError, pickle.UnpicklingError):
    """A batch asked to load a Python object that CIFAR-10 batches never hold."""


class DataFolderError(CIFAR10Error, OSError):
    """The data folder cannot take the archive: it is read-only, the disk is
    full, or another process kept it locked too long."""


@dataclasses.dataclass(frozen=True)
class DataSource:
    """Where the images came from.

    Attributes:
        kind: ``"argument"``, ``"environment"``, ``"cache"`` or ``"download"``.
        path: the archive file or extracted folder that was read.
        sha256: hex digest of the archive file (``None`` for a folder).
    """

    kind: str
    path: Path
    sha256: str | None
    env_name: str = ARCHIVE_ENV

    @property
    def description(self) -> str:
        """One line naming the source without machine-specific paths."""
        how = {
            "argument": "path given to the loader",
            "environment": self.env_name,
            "cache": "verified copy in the data folder",
            "download": "downloaded into the data folder",
        }[self.kind]
        what = KNOWN_ARCHIVES.get(self.sha256 or "", "unrecognised archive, checksum not verified")
        if self.sha256 is None:
            what = "extracted folder, checksum not verified"
        return f"{self.path.name} ({how}): {what}"

    def __str__(self) -> str:
        return self.description


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What :func:`load_cifar10` and :func:`load_cifar100` return beside the arrays.

    Attributes:
        class_names: the label names read from the meta file, index = label
            (10 for CIFAR-10; 100 or 20 for CIFAR-100).
        source: the :class:`DataSource` that was read.
    """

    class_names: tuple[str, ...]
    source: DataSource


# --------------------------------------------------------------------------
# Safe unpickling
# --------------------------------------------------------------------------
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the NumPy globals a CIFAR-10 batch uses.

    A CIFAR-10 batch is a dict of bytes, ints, lists and one NumPy array; the
    pickle refers to ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``
    and ``numpy.dtype``. Any other global (``os.system``, ``builtins.eval``,
    ...) raises :class:`UnsafePickleError` before anything is called.
    """

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise UnsafePickleError(f"refused to load global {module}.{name}")
        if module == "numpy.core.multiarray":  # NumPy 2 moved it to numpy._core
            module = "numpy._core.multiarray"
        return super().find_class(module, name)


def _unpickle(raw: bytes, where: str, fmt: ArchiveFormat | None = None) -> dict:
    fmt = _format(fmt)
    try:
        obj = _BatchUnpickler(io.BytesIO(raw), encoding="bytes").load()
    except UnsafePickleError as err:
        raise UnsafePickleError(
            f"{where}: {err}. {fmt.name} batches hold only NumPy arrays and lists, so this "
            f"file was tampered with or is not a {fmt.name} batch; nothing in it was run. "
            f"Fix: replace the archive with the official {fmt.archive_name}."
        ) from None
    except Exception as err:  # truncated or garbled pickle: many error types
        raise ArchiveCorruptError(
            f"{where}: not a readable pickle ({type(err).__name__}: {err}). "
            f"Fix: replace the archive with a fresh copy of {fmt.archive_name}."
        ) from err
    if not isinstance(obj, dict):
        raise ArchiveCorruptError(f"{where}: expected a dict, found {type(obj).__name__}.")
    return obj


def _label_set(fmt: ArchiveFormat, label_mode: str | None) -> LabelSet:
    if label_mode is None:
        return next(iter(fmt.label_sets.values()))
    if label_mode not in fmt.label_sets:
        raise ValueError(f"label_mode must be one of {', '.join(map(repr, fmt.label_sets))} for "
                         f"{fmt.name}, got {label_mode!r}.")
    return fmt.label_sets[label_mode]


def parse_batch(raw: bytes, where: str = "batch", fmt: ArchiveFormat | None = None,
                label_mode: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Decode one pickled batch of CIFAR-10 (or, with ``fmt=CIFAR100``, CIFAR-100).

    Args:
        raw: the bytes of a ``data_batch_*`` or ``test_batch`` file (CIFAR-100:
            ``train`` or ``test``).
        where: a name for the file, used in error messages.
        fmt: :data:`CIFAR10` (default) or :data:`CIFAR100`.
        label_mode: which labels to read (CIFAR-100: ``"fine"``, the default,
            or ``"coarse"``); ``None`` the format's first.

    Returns:
        ``(x, y)``: ``x`` uint8 of shape ``(n, 32, 32, 3)`` (height, width,
        RGB channels, as Keras returns), ``y`` uint8 of shape ``(n,)``.

    Raises:
        UnsafePickleError: the pickle refers to anything but NumPy arrays.
        ArchiveCorruptError: the pickle is unreadable, or ``data`` is not
            ``(n, 3072)`` uint8, or the labels are not ``n`` ints in
            0..num_classes-1.
        ValueError: ``label_mode`` is not one the format has.
    """
    fmt = _format(fmt)
    labels_of = _label_set(fmt, label_mode)
    batch = _unpickle(raw, where, fmt)
    data = batch.get(b"data")
    labels = batch.get(labels_of.key)
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        shape = getattr(data, "shape", None)
        raise ArchiveCorruptError(
            f"{where}: 'data' must be a uint8 array of shape (n, 3072), found "
            f"{type(data).__name__} with shape {shape}. Fix: replace the archive with "
            f"a fresh copy of {fmt.archive_name}."
        )
    y = np.asarray(labels if labels is not None else [], dtype=np.int64)
    top = labels_of.num_classes - 1
    if y.shape != (data.shape[0],) or (y.size and (y.min() < 0 or y.max() > top)):
        raise ArchiveCorruptError(
            f"{where}: '{labels_of.key.decode()}' must hold {data.shape[0]} integers in 0..{top}, found "
            f"shape {y.shape}. Fix: replace the archive with a fresh copy of {fmt.archive_name}."
        )
    x = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), y.astype(np.uint8)


def parse_meta(raw: bytes, where: str = META_FILE, fmt: ArchiveFormat | None = None,
               label_mode: str | None = None) -> tuple[str, ...]:
    """Decode ``batches.meta`` (CIFAR-100: ``meta``) into the class names (index = label).

    Args:
        raw, where, fmt, label_mode: as :func:`parse_batch`.

    Raises:
        UnsafePickleError, ArchiveCorruptError, ValueError: as :func:`parse_batch`.
    """
    fmt = _format(fmt)
    labels_of = _label_set(fmt, label_mode)
    meta = _unpickle(raw, where, fmt)
    names = meta.get(labels_of.names_key)
    if not isinstance(names, list) or len(names) != labels_of.num_classes:
        raise ArchiveCorruptError(f"{where}: expected {labels_of.num_classes} "
                                  f"'{labels_of.names_key.decode()}', found {names!r:.80}.")
    return tuple(n.decode("ascii") if isinstance(n, bytes) else str(n) for n in names)


# --------------------------------------------------------------------------
# Finding, verifying and downloading the archive
# --------------------------------------------------------------------------
def default_data_dir() -> Path:
    """The folder where a downloaded archive is cached.

    ``CIFAR10_DATA_DIR`` overrides it (a shared drive, say); else
    ``$CIFAR_TUTORIAL_HOME/data`` if that is set. From a checkout of this
    repository it is ``<repo>/data`` (git-ignored);
    when the package is installed elsewhere (Colab, site-packages) it is the
    Keras cache, ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``.
    """
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    folder = workspace_dir("data")
    if folder is not None and (os.environ.get(HOME_ENV) or folder.is_dir()):
        return folder
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser() / "datasets"


def sha256_of(path: str | os.PathLike, chunk_bytes: int = 1 << 20) -> str:
    """Hex sha256 digest of a file, read in ``chunk_bytes`` chunks (bytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_bytes), b""):
            digest.update(chunk)
    return digest.hexdigest()


def folder_error(data_dir: Path, err: OSError, during: str, fmt: ArchiveFormat | None = None) -> DataFolderError:
    """A :class:`DataFolderError` with the fix for a failed write into ``data_dir``.

    Args:
        data_dir: the folder that could not be written.
        err: the ``OSError``; ``ENOSPC``/``EDQUOT`` read as a full disk, any
            other errno as a folder that is not writable.
        during: what was being done, for the message ("while downloading ...").
        fmt: the archive's format (default :data:`CIFAR10`), for the file's name.
    """
    fmt = _format(fmt)
    where = f"{data_dir}: "
    alternatives = (f"or set {DATA_DIR_ENV} to a folder on another disk, or set {fmt.archive_env} "
                    f"to a copy of {fmt.archive_name} you already have.")
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return DataFolderError(err.errno, where + f"the disk is full ({err.strerror}) {during}; nothing was "
                               f"left behind. Fix: free at least {DOWNLOAD_FREE_BYTES // 1_000_000} MB, " + alternatives)
    return DataFolderError(err.errno, where + f"the data folder is not writable ({err.strerror}) {during}. "
                           "Fix: make it writable, " + alternatives)


@contextlib.contextmanager
def _cache_lock(data_dir: Path, *, required: bool = True, timeout_s: float = LOCK_TIMEOUT_S,
                fmt: ArchiveFormat | None = None):
    """Hold ``<data_dir>/cifar-10-python.tar.gz.lock`` (``fmt.lock_name``) (``filelock.FileLock``,
    an OS-level lock released when the process ends) while the cache is
    checked or filled, so two notebooks never download into one folder at
    once. With ``required=False`` a folder where no lock file can be created
    (read-only) is used without one: nobody can write there either."""
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
        if required or err.errno not in _FOLDER_ERRNOS:
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
        # A name of this process and attempt alone, under the final name only once verified.
        part = data_dir / f".{fmt.archive_name}.{os.getpid()}.{number}.part"
        try:
            _fetch(url, part, timeout_s)
            got = sha256_of(part)
            if got != sha256:
                raise ChecksumMismatchError(
                    f"{url}: downloaded file has sha256 {got}, expected {sha256}; it was "
                    "deleted. Fix: try again, or download it by hand and check the checksum."
                )
            os.replace(part, target)
            return target
        except OSError as err:
            if err.errno in _FOLDER_ERRNOS:
                raise folder_error(data_dir, err, "while downloading the archive", fmt) from None
            raise _TransferError(f"{type(err).__name__}: {err}") from err
        finally:
            part.unlink(missing_ok=True)

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
    ``cifar-10-python.tar.gz``: an interrupted or corrupt download never leaves
    a file under the final name, and its partial file is deleted. A failed
    transfer (connection dropped, timeout, HTTP error) is retried from the
    start, ``attempts`` times in all (``tenacity``); the folder is locked meanwhile (see
    ``LOCK_NAME``), so a second process waits and then finds the file.

    Args:
        data_dir: the cache folder; created if missing.
        url: where to fetch from; ``None`` reads ``CIFAR10_URL`` (a classroom
            mirror, say) and falls back to the official address.
        sha256: the expected hex digest; ``None`` means the official one.
        timeout_s: seconds allowed for connecting and for each read (the
            request's own timeout), so that a blocked network fails instead
            of hanging.
        attempts: transfers tried before giving up (at least 1).
        retry_wait_s: seconds to wait between attempts.
        min_free_bytes: free space (bytes) the folder's disk must have
            before the download starts.
        fmt: :data:`CIFAR10` (default) or :data:`CIFAR100`: the file's name,
            official address and checksum, and ``CIFAR100_URL`` for a mirror.

    Raises:
        ArchiveNotFoundError: every attempt failed (no network, HTTP error,
            connection dropped).
        ChecksumMismatchError: a completely downloaded file's sha256 differs
            (not retried: the server holds another file).
        DataFolderError: the folder is read-only, the disk is (or became)
            full, or another process held the lock for ``LOCK_TIMEOUT_S``.
    """
    data_dir = Path(data_dir)
    with _cache_lock(data_dir, fmt=fmt):
        return _download(data_dir, url, sha256, timeout_s, attempts, retry_wait_s, min_free_bytes, fmt)


def locate_archive(path: str | os.PathLike | None = None, *, data_dir: str | os.PathLike | None = None,
                   download: bool = True, fmt: ArchiveFormat | None = None) -> DataSource:
    """Find the archive to read, downloading it only as the last resort.

    Args:
        path: an archive file or an extracted ``cifar-10-batches-py`` folder.
        data_dir: the cache folder (default: :func:`default_data_dir`).
        download: whether to download when nothing else is found.
        fmt: :data:`CIFAR10` (default) or :data:`CIFAR100`, whose environment
            variable (``CIFAR100_ARCHIVE``), file name and checksum are used.

    Returns:
        A :class:`DataSource`; an archive file's sha256 is computed (about
        0.5 s for the 163 MB archive) so callers can tell which data they have.

    Raises:
        ArchiveNotFoundError: ``path`` or ``CIFAR10_ARCHIVE`` names nothing, or
            nothing was found and the download was off or failed.
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
    with _cache_lock(data_dir, required=not cached.is_file(), fmt=fmt):
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


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
def _read_members(source: DataSource, fmt: ArchiveFormat | None = None) -> dict[str, bytes]:
    """Return the bytes of every batch file and the meta file, by base name."""
    fmt = _format(fmt)
    wanted = {*fmt.train_members, fmt.test_member, fmt.meta_member}
    found: dict[str, bytes] = {}
    if source.sha256 is None:  # an extracted folder
        folder = source.path
        if not any((folder / name).is_file() for name in wanted) and (folder / fmt.folder_name).is_dir():
            folder = folder / fmt.folder_name
        for name in wanted:
            if (folder / name).is_file():
                found[name] = (folder / name).read_bytes()
        return found
    try:
        with tarfile.open(source.path, "r:*") as tar:
            for member in tar:
                name = Path(member.name).name
                if member.isfile() and name in wanted and name not in found:
                    found[name] = tar.extractfile(member).read()
            # tarfile takes a garbled header for the end of the archive, so read
            # the compressed stream to its end: gzip then checks its CRC.
            if tar.fileobj is not None:
                while tar.fileobj.read(1 << 20):
                    pass
    except (tarfile.TarError, EOFError, OSError, zlib.error) as err:
        raise ArchiveCorruptError(
            f"{source.path}: cannot read the archive ({type(err).__name__}: {err}); it is "
            "truncated or corrupt. Fix: download a fresh copy of " + fmt.archive_name
            + (f" and point {fmt.archive_env} at it." if source.kind == "environment" else ".")
        ) from None
    return found


def _load(fmt: ArchiveFormat, label_mode: str | None, path, data_dir, download: bool):
    """Find, read and decode an archive of format ``fmt`` (shared by both loaders)."""
    _label_set(fmt, label_mode)  # a wrong label mode fails before any file is read
    source = locate_archive(path, data_dir=data_dir, download=download, fmt=fmt)
    members = _read_members(source, fmt)
    expected = (*fmt.train_members, fmt.test_member, fmt.meta_member)
    missing = [name for name in expected if name not in members]
    if missing:
        raise ArchiveNotFoundError(
            f"{source.path}: missing {', '.join(missing)} (expected {fmt.folder_name}/ with "
            f"{', '.join(expected[:-1])} and {expected[-1]}). Fix: use an "
            f"unmodified {fmt.archive_name} or a complete extraction of it."
        )

    def parse(name: str):
        return parse_batch(members[name], f"{source.path.name}:{name}", fmt, label_mode)

    train = [parse(name) for name in fmt.train_members]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    x_test, y_test = parse(fmt.test_member)
    class_names = parse_meta(members[fmt.meta_member], f"{source.path.name}:{fmt.meta_member}", fmt, label_mode)
    return (x_train, y_train), (x_test, y_test), DatasetInfo(class_names, source)


def load_cifar10(path: str | os.PathLike | None = None, *, data_dir: str | os.PathLike | None = None,
                 download: bool = True):
    """Load CIFAR-10 as Keras' ``cifar10.load_data()`` does, from any source.

    Args:
        path: an official-format archive or extracted folder; ``None`` tries
            ``CIFAR10_ARCHIVE``, the data folder, then a download
            (see :func:`locate_archive`).
        data_dir: the cache folder (default: :func:`default_data_dir`).
        download: whether a download may be attempted.

    Returns:
        ``(x_train, y_train), (x_test, y_test), info``: ``x_*`` uint8 arrays of
        shape ``(N, 32, 32, 3)`` with values 0-255; ``y_*`` uint8 arrays of
        shape ``(N,)`` with labels 0-9 (1-D, unlike Keras' ``(N, 1)``, because
        scikit-learn's metrics and splits take 1-D labels and Keras' sparse
        losses accept both); ``info`` a :class:`DatasetInfo` with the class
        names and the source. N is 50,000 / 10,000 for the official archive
        and whatever the batches hold otherwise.

    Raises:
        ArchiveNotFoundError: no archive found or downloadable, or a batch file
            is missing from it.
        ArchiveCorruptError (and its subclasses ChecksumMismatchError,
            UnsafePickleError): truncated, altered or malformed data.
    """
    return _load(_format(None), None, path, data_dir, download)


def load_cifar100(path: str | os.PathLike | None = None, *, label_mode: str = "fine",
                  data_dir: str | os.PathLike | None = None, download: bool = True):
    """Load CIFAR-100 as Keras' ``cifar100.load_data(label_mode)`` does, from any
    source, through the same code as :func:`load_cifar10` (introduced in lesson 06).

    Args:
        path: ``cifar-100-python.tar.gz`` or an extracted ``cifar-100-python``
            folder; ``None`` tries ``CIFAR100_ARCHIVE``, the data folder
            (``cifar-100-python.tar.gz`` with the official sha256), then a
            download of the official archive (161 MB; ``CIFAR100_URL`` names a mirror).
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
        data_dir: the cache folder (default: :func:`default_data_dir`).
        download: whether a download may be attempted.

    Returns:
        ``(x_train, y_train), (x_test, y_test), info`` as :func:`load_cifar10`,
        with labels 0-99 (fine) or 0-19 (coarse) and ``info.class_names`` of
        that length. N is 50,000 / 10,000 for the official archive.

    Raises:
        ValueError: ``label_mode`` is neither ``"fine"`` nor ``"coarse"``.
        ArchiveNotFoundError, ArchiveCorruptError, ChecksumMismatchError,
            UnsafePickleError, DataFolderError: as :func:`load_cifar10`.
    """
    return _load(CIFAR100, label_mode, path, data_dir, download)


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------
def scale_pixels(x: np.ndarray) -> np.ndarray:
    """Map uint8 pixels 0..255 to float32 in [0, 1] (divide by 255).

    Args:
        x: uint8 array of any shape, e.g. ``(N, 32, 32, 3)``.

    Returns:
        float32 array of the same shape.

    Raises:
        TypeError: if ``x`` is not uint8 (scaling twice is a common slip).
    """
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise TypeError(f"scale_pixels expects uint8 pixels 0..255, got dtype {x.dtype}.")
    return x.astype(np.float32) / np.float32(255.0)


def one_hot(y: np.ndarray, num_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """One-hot encode integer labels with :func:`keras.utils.to_categorical`.

    Args:
        y: integer labels of shape ``(N,)`` or ``(N, 1)``, values 0..num_classes-1.

    Returns:
        float32 array of shape ``(N, num_classes)`` with a single 1 per row.
    """
    import keras

    return keras.utils.to_categorical(np.asarray(y).reshape(-1), num_classes).astype(np.float32)


def train_validation_split(x: np.ndarray, y: np.ndarray, validation_split: float = 0.1, seed: int = 0):
    """Hold out a stratified validation set (scikit-learn ``train_test_split``).

    Stratifying keeps each class's share the same in both parts, which matters
    for small subsets.

    Args:
        x: images, shape ``(N, ...)``.
        y: labels, shape ``(N,)``.
        validation_split: fraction of images held out, in (0, 1), as Keras'
            ``fit(validation_split=...)``.
        seed: random state of the shuffle.

    Returns:
        ``(x_train, y_train), (x_val, y_val)``.

    Raises:
        ValueError: from scikit-learn, if a class has fewer than two images or
            the split leaves a part with fewer images than classes.
    """
    from sklearn.model_selection import train_test_split

    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=validation_split, stratify=y, random_state=seed
    )
    return (x_train, y_train), (x_val, y_val)


def stratified_subset(x: np.ndarray, y: np.ndarray, size: int | None, seed: int = 0):
    """Take ``size`` images keeping the class balance (all of them if ``size`` is
    ``None`` or at least ``len(x)``).

    Returns:
        ``(x_subset, y_subset)`` with the same dtypes; order is shuffled unless
        everything is kept, in which case the inputs are returned unchanged.
    """
    if size is None or size >= len(x):
        return x, y
    from sklearn.model_selection import train_test_split

    x_sub, _, y_sub, _ = train_test_split(x, y, train_size=size, stratify=y, random_state=seed)
    return x_sub, y_sub


@dataclasses.dataclass
class Splits:
    """Train, validation and test sets ready for ``fit``.

    Attributes:
        x_train, x_val, x_test: uint8 images ``(N, 32, 32, 3)``, pixels 0..255
            as stored in the archive; the lessons' models scale them with a
            ``keras.layers.Rescaling(1 / 255)`` layer of their own (the keras.io
            convention), so a saved model takes raw images.
        y_train, y_val, y_test: uint8 labels ``(N,)``, 0..9.
        info: the :class:`DatasetInfo` of the loaded archive.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: DatasetInfo

    def __str__(self) -> str:
        return (f"train {len(self.x_train):,} / validation {len(self.x_val):,} / "
                f"test {len(self.x_test):,} images")


def prepare_splits(train_size: int | None = None, *, validation_split: float = 0.1, seed: int = 0,
                   path: str | os.PathLike | None = None) -> Splits:
    """Lesson 01's steps in one call (introduced there, reused by lessons 02-05):
    load, subset, split.

    Loads CIFAR-10 (see :func:`load_cifar10`), keeps a stratified subset of
    ``train_size`` training images (all if ``None``) and holds out
    ``validation_split`` of them for validation. Images stay uint8 0..255:
    scaling to [0, 1] is the first layer of every model (``Rescaling``). The
    test set is never subset or touched otherwise.

    Raises:
        The errors of :func:`load_cifar10` and :func:`train_validation_split`.
    """
    (x_train, y_train), (x_test, y_test), info = load_cifar10(path)
    x_train, y_train = stratified_subset(x_train, y_train, train_size, seed=seed)
    (x_train, y_train), (x_val, y_val) = train_validation_split(x_train, y_train, validation_split, seed=seed)
    return Splits(x_train, y_train, x_val, y_val, x_test, y_test, info)
