"""The data layer's exceptions. Every message names the file and the fix."""

from __future__ import annotations

import errno
import pickle
from pathlib import Path

# The official archive is 170,498,071 bytes; a download asks for that plus a margin
# of free space first, so a nearly full disk fails at once rather than at 95%.
DOWNLOAD_FREE_BYTES = 200_000_000
# errno values that mean "this folder cannot take the file", not "the network failed".
FOLDER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT})
DATA_DIR_ENV = "CIFAR10_DATA_DIR"


class CIFAR10Error(Exception):
    """Base class of every data-loading error (CIFAR-10 and CIFAR-100)."""


class ArchiveNotFoundError(CIFAR10Error, FileNotFoundError):
    """No archive was found and none could be downloaded."""


class ArchiveCorruptError(CIFAR10Error, ValueError):
    """The archive or a batch in it is truncated, corrupt or malformed."""


class ChecksumMismatchError(ArchiveCorruptError):
    """A file's sha256 differs from the published one."""


class UnsafePickleError(ArchiveCorruptError, pickle.UnpicklingError):
    """A batch asked to load a Python object that CIFAR batches never hold."""


class DataFolderError(CIFAR10Error, OSError):
    """The data folder cannot take the archive: it is read-only, the disk is
    full, or another process kept it locked too long."""


def folder_error(data_dir: Path, err: OSError, during: str, fmt) -> DataFolderError:
    """A :class:`DataFolderError` with the fix for a failed write into ``data_dir``.

    Args:
        data_dir: the folder that could not be written.
        err: the ``OSError``; ``ENOSPC``/``EDQUOT`` read as a full disk, any
            other errno as a folder that is not writable.
        during: what was being done, for the message ("while downloading ...").
        fmt: the archive's :class:`~cifar_tutorial.datasets.formats.ArchiveFormat`,
            for the file's name and environment variable.
    """
    where = f"{data_dir}: "
    alternatives = (f"or set {DATA_DIR_ENV} to a folder on another disk, or set {fmt.archive_env} "
                    f"to a copy of {fmt.archive_name} you already have.")
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return DataFolderError(err.errno, where + f"the disk is full ({err.strerror}) {during}; nothing was "
                               f"left behind. Fix: free at least {DOWNLOAD_FREE_BYTES // 1_000_000} MB, " + alternatives)
    return DataFolderError(err.errno, where + f"the data folder is not writable ({err.strerror}) {during}. "
                           "Fix: make it writable, " + alternatives)
