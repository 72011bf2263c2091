"""Reading the archives: a restricted unpickler, batch decoding, and the two loaders.

Batches are Python 2 pickles. They are read with an unpickler that resolves
only the NumPy globals a batch uses, so a tampered file runs no code.
"""

from __future__ import annotations

import io
import os
import pickle
import tarfile
import zlib
from pathlib import Path

import numpy as np

from cifar_tutorial.datasets import formats
from cifar_tutorial.datasets.errors import ArchiveCorruptError, ArchiveNotFoundError, UnsafePickleError
from cifar_tutorial.datasets.fetching import locate_archive
from cifar_tutorial.datasets.formats import ArchiveFormat, DatasetInfo, DataSource

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
}


class _BatchUnpickler(pickle.Unpickler):
    """Unpickler that resolves only the NumPy globals a CIFAR batch uses.

    A batch is a dict of bytes, ints, lists and one NumPy array; the pickle
    refers to ``numpy.core.multiarray._reconstruct``, ``numpy.ndarray`` and
    ``numpy.dtype``. Any other global (``os.system``, ``builtins.eval``, ...)
    raises :class:`UnsafePickleError` before anything is called.
    """

    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED_GLOBALS:
            raise UnsafePickleError(f"refused to load global {module}.{name}")
        if module == "numpy.core.multiarray":  # NumPy 2 moved it to numpy._core
            module = "numpy._core.multiarray"
        return super().find_class(module, name)


def _unpickle(raw: bytes, where: str, fmt: ArchiveFormat) -> dict:
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


def parse_batch(raw: bytes, where: str = "batch", fmt: ArchiveFormat | None = None,
                label_mode: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Decode one pickled batch of CIFAR-10 (or, with ``fmt=CIFAR100``, CIFAR-100).

    Args:
        raw: the bytes of a ``data_batch_*`` or ``test_batch`` file (CIFAR-100:
            ``train`` or ``test``).
        where: a name for the file, used in error messages.
        fmt: the archive's format (default CIFAR-10).
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
    fmt = fmt or formats.CIFAR10
    labels_of = fmt.label_set(label_mode)
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


def parse_meta(raw: bytes, where: str = "batches.meta", fmt: ArchiveFormat | None = None,
               label_mode: str | None = None) -> tuple[str, ...]:
    """Decode ``batches.meta`` (CIFAR-100: ``meta``) into the class names (index = label).

    Args:
        raw, where, fmt, label_mode: as :func:`parse_batch`.

    Raises:
        UnsafePickleError, ArchiveCorruptError, ValueError: as :func:`parse_batch`.
    """
    fmt = fmt or formats.CIFAR10
    labels_of = fmt.label_set(label_mode)
    meta = _unpickle(raw, where, fmt)
    names = meta.get(labels_of.names_key)
    if not isinstance(names, list) or len(names) != labels_of.num_classes:
        raise ArchiveCorruptError(f"{where}: expected {labels_of.num_classes} "
                                  f"'{labels_of.names_key.decode()}', found {names!r:.80}.")
    return tuple(n.decode("ascii") if isinstance(n, bytes) else str(n) for n in names)


def _read_members(source: DataSource, fmt: ArchiveFormat) -> dict[str, bytes]:
    """Return the bytes of every batch file and the meta file, by base name."""
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
    fmt.label_set(label_mode)  # a wrong label mode fails before any file is read
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
    """Load CIFAR-10 as Keras' ``cifar10.load_data()`` does, from any source
    (introduced in lesson 01).

    Args:
        path: an official-format archive or extracted folder; ``None`` tries
            ``CIFAR10_ARCHIVE``, the data folder, then a download
            (see :func:`~cifar_tutorial.datasets.fetching.locate_archive`).
        data_dir: the cache folder (default:
            :func:`~cifar_tutorial.datasets.fetching.default_data_dir`).
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
        DataFolderError: a download is needed and the data folder cannot take it.
    """
    return _load(formats.CIFAR10, None, path, data_dir, download)


def load_cifar100(path: str | os.PathLike | None = None, *, label_mode: str = "fine",
                  data_dir: str | os.PathLike | None = None, download: bool = True):
    """Load CIFAR-100 as Keras' ``cifar100.load_data(label_mode)`` does, from any
    source, through the same code as :func:`load_cifar10` (introduced in lesson 10).

    Args:
        path: ``cifar-100-python.tar.gz`` or an extracted ``cifar-100-python``
            folder; ``None`` tries ``CIFAR100_ARCHIVE``, the data folder
            (with the official sha256), then a download of the official
            archive (161 MB; ``CIFAR100_URL`` names a mirror).
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).
        data_dir: the cache folder.
        download: whether a download may be attempted.

    Returns:
        ``(x_train, y_train), (x_test, y_test), info`` as :func:`load_cifar10`,
        with labels 0-99 (fine) or 0-19 (coarse) and ``info.class_names`` of
        that length.

    Raises:
        ValueError: ``label_mode`` is neither ``"fine"`` nor ``"coarse"``.
        ArchiveNotFoundError, ArchiveCorruptError, ChecksumMismatchError,
            UnsafePickleError, DataFolderError: as :func:`load_cifar10`.
    """
    return _load(formats.CIFAR100, label_mode, path, data_dir, download)
