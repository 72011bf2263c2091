"""Shared helpers for the cifar-tutorial notebooks.

The package has three parts (``ARCHITECTURE.md``):

* **lesson helpers**, the modules at this level that notebooks import
  (:mod:`~cifar_tutorial.data`, :mod:`~cifar_tutorial.plots`,
  :mod:`~cifar_tutorial.metrics`, :mod:`~cifar_tutorial.exercises`,
  :mod:`~cifar_tutorial.models`, :mod:`~cifar_tutorial.inference`, ...);
* **the data layer**, :mod:`cifar_tutorial.datasets`: archive formats, safe
  reading, fetching; importable without TensorFlow;
* **instructor and CI tooling**, :mod:`cifar_tutorial.tools`: the command line
  (``python -m cifar_tutorial run | train | prepare | doctor``). No lesson
  helper imports it.

``import cifar_tutorial`` imports neither TensorFlow nor Keras; lessons call
:func:`quiet_startup` before ``import keras``.
"""

from cifar_tutorial.config import SEED, Profile, __version__, get_profile, workspace_dir
from cifar_tutorial.datasets import CLASS_NAMES, load_cifar10
from cifar_tutorial.startup import quiet_startup

__all__ = ["CLASS_NAMES", "SEED", "Profile", "__version__", "get_profile", "load_cifar10", "quiet_startup",
           "workspace_dir"]
