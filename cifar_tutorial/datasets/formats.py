"""What tells one archive of the CIFAR family from another, and where loaded data came from.

CIFAR-10 (Krizhevsky, 2009, "Learning Multiple Layers of Features from Tiny
Images", https://www.cs.toronto.edu/~kriz/cifar.html) ships as
``cifar-10-python.tar.gz``: a folder ``cifar-10-batches-py/`` holding five
training batches, one test batch and ``batches.meta``, each a Python 2 pickle.
A batch is a dict with ``b"labels"`` (list of ints 0-9) and ``b"data"`` (uint8
array of shape ``(n, 3072)``: 1024 red, 1024 green, then 1024 blue values of a
32x32 image, row-major). Nothing assumes ``n``: the full archive (10,000
images a batch) and smaller slices in the same format load through the same
code.

CIFAR-100 (same paper and page) ships as ``cifar-100-python.tar.gz``: a folder
``cifar-100-python/`` holding ``train``, ``test`` and ``meta``; a batch has
``b"fine_labels"`` (0-99) and ``b"coarse_labels"`` (0-19, the 20
superclasses) beside the same ``b"data"``.

Every fact about an archive (name, address, checksum, members, environment
variables) lives in its :class:`ArchiveFormat` record, and only there.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

CLASS_NAMES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
IMAGE_SHAPE = (32, 32, 3)


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
    """An archive of the CIFAR family; everything else (finding, checking,
    downloading, unpickling) is shared.

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

    def label_set(self, label_mode: str | None) -> LabelSet:
        """The :class:`LabelSet` of ``label_mode`` (``None``: the first).

        Raises:
            ValueError: a label mode this format does not have.
        """
        if label_mode is None:
            return next(iter(self.label_sets.values()))
        if label_mode not in self.label_sets:
            raise ValueError(f"label_mode must be one of {', '.join(map(repr, self.label_sets))} for "
                             f"{self.name}, got {label_mode!r}.")
        return self.label_sets[label_mode]


# The sha256 digests: published as md5 on https://www.cs.toronto.edu/~kriz/cifar.html and
# recorded as sha256 by Keras (keras/src/datasets/cifar10.py and cifar100.py).
CIFAR10 = ArchiveFormat(
    "CIFAR-10", "cifar-10-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce", "163 MB", "cifar-10-batches-py",
    tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta",
    "CIFAR10_ARCHIVE", "CIFAR10_URL", {"labels": LabelSet(b"labels", b"label_names", 10)},
)
CIFAR100 = ArchiveFormat(
    "CIFAR-100", "cifar-100-python.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
    "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7", "161 MB", "cifar-100-python",
    ("train",), "test", "meta", "CIFAR100_ARCHIVE", "CIFAR100_URL",
    {"fine": LabelSet(b"fine_labels", b"fine_label_names", 100),
     "coarse": LabelSet(b"coarse_labels", b"coarse_label_names", 20)},
)
SAMPLE_SHA256 = "ab594268cdba7471cea194ec5a9e9d67c022479615fd5a4870584e76f3a9b018"
# Archives whose sha256 we recognise, for showing which data a lesson ran on.
KNOWN_ARCHIVES = {
    CIFAR10.sha256: "official CIFAR-10 archive (50,000 train / 10,000 test)",
    SAMPLE_SHA256: "CIFAR-10 sample slice in the official format (5,085 train / 1,017 test)",
    CIFAR100.sha256: "official CIFAR-100 archive (50,000 train / 10,000 test)",
}


@dataclasses.dataclass(frozen=True)
class DataSource:
    """Where the images came from.

    Attributes:
        kind: ``"argument"``, ``"environment"``, ``"cache"`` or ``"download"``.
        path: the archive file or extracted folder that was read.
        sha256: hex digest of the archive file (``None`` for a folder).
        env_name: the environment variable of its format (``CIFAR10_ARCHIVE``).
    """

    kind: str
    path: Path
    sha256: str | None
    env_name: str = CIFAR10.archive_env

    @property
    def contents(self) -> str:
        """What the archive is, from its checksum (``KNOWN_ARCHIVES``), e.g. the sample's size."""
        if self.sha256 is None:
            return "extracted folder, checksum not verified"
        return KNOWN_ARCHIVES.get(self.sha256, "unrecognised archive, checksum not verified")

    @property
    def description(self) -> str:
        """One line naming the source without machine-specific paths."""
        how = {
            "argument": "path given to the loader",
            "environment": self.env_name,
            "cache": "verified copy in the data folder",
            "download": "downloaded into the data folder",
        }[self.kind]
        return f"{self.path.name} ({how}): {self.contents}"

    def __str__(self) -> str:
        return self.description


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What the loaders return beside the arrays.

    Attributes:
        class_names: the label names read from the meta file, index = label
            (10 for CIFAR-10; 100 or 20 for CIFAR-100).
        source: the :class:`DataSource` that was read.
    """

    class_names: tuple[str, ...]
    source: DataSource
