"""The data layer: CIFAR-10 and CIFAR-100 from their official archives.

Importable and testable without TensorFlow or Keras (NumPy, filelock,
requests and tenacity only). Lessons reach it through
:mod:`cifar_tutorial.data`; instructor tools (``doctor``, ``prepare``) use it
directly. Its modules, each with one job:

* :mod:`~cifar_tutorial.datasets.formats`: what tells one archive of the family
  from another (:data:`CIFAR10`, :data:`CIFAR100`), and where data came from;
* :mod:`~cifar_tutorial.datasets.errors`: the exceptions, each naming the file and the fix;
* :mod:`~cifar_tutorial.datasets.files`: checksums and atomic writes;
* :mod:`~cifar_tutorial.datasets.fetching`: finding, locking and downloading an archive;
* :mod:`~cifar_tutorial.datasets.reading`: the restricted unpickler and the loaders.
"""

from cifar_tutorial.datasets.errors import (
    ArchiveCorruptError,
    ArchiveNotFoundError,
    ChecksumMismatchError,
    CIFAR10Error,
    DataFolderError,
    UnsafePickleError,
)
from cifar_tutorial.datasets.fetching import default_data_dir, download_archive, locate_archive
from cifar_tutorial.datasets.files import atomic_write, sha256_of
from cifar_tutorial.datasets.formats import (
    CIFAR10,
    CIFAR100,
    CLASS_NAMES,
    IMAGE_SHAPE,
    KNOWN_ARCHIVES,
    ArchiveFormat,
    DatasetInfo,
    DataSource,
    LabelSet,
)
from cifar_tutorial.datasets.reading import load_cifar10, load_cifar100, parse_batch, parse_meta

__all__ = [
    "ArchiveCorruptError", "ArchiveFormat", "ArchiveNotFoundError", "CIFAR10", "CIFAR100", "CIFAR10Error",
    "CLASS_NAMES", "ChecksumMismatchError", "DataFolderError", "DataSource", "DatasetInfo", "IMAGE_SHAPE",
    "KNOWN_ARCHIVES", "LabelSet", "UnsafePickleError", "atomic_write", "default_data_dir", "download_archive",
    "load_cifar10", "load_cifar100", "locate_archive", "parse_batch", "parse_meta", "sha256_of",
]
