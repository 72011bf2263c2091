"""Checksums and atomic writes: the two file operations the course relies on.

:func:`atomic_write` is the one place where the course writes a file under a
temporary name and renames it into place (downloads, the staged archive,
saved models and their metadata), so that no reader ever sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 digest of a file (:func:`hashlib.file_digest`, Python 3.11+).

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextlib.contextmanager
def atomic_write(target: str | os.PathLike, tag: str = "tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` when
    the block ends without an exception, else delete it.

    The temporary name is hidden (leading dot), holds the process id and
    ``tag`` (e.g. an attempt number), and keeps ``target``'s suffix (Keras
    checks that a model file ends in ``.keras``). :func:`os.replace` is atomic
    on one file system, so ``target`` is either the old file or the whole new
    one. Nothing is left behind on failure.

    Raises:
        OSError: from the rename (the folder is not writable, the disk is full).
    """
    target = Path(target)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.{tag}{target.suffix}")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
