"""Shared helpers for the cifar-tutorial notebooks: data, models, plots, metrics.

Importing the package first keeps TensorFlow's start-up log lines out of the
lessons' outputs:

* ``TF_CPP_MIN_LOG_LEVEL=2`` (set only where unset) hides TensorFlow's C++
  INFO and WARNING lines, such as the CPU-feature notice; errors still show.
* The oneDNN notice ("oneDNN custom operations are on ...") is printed by
  ``import tensorflow`` before logging is configured, so no log level hides it.
  Turning oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``) would hide it but made
  epochs 1.4 (tutorial CNN) to 2.0 (lesson 04's CNN) times as long on a 2-core
  CPU (``benchmarks/RESULTS.md``, stage ``onednn``),
  so instead TensorFlow is imported here once with the process's C-level
  stderr (file descriptor 2) pointed at ``/dev/null``; Python exceptions from
  that import are still raised as usual.

* TensorFlow's Python logger is set to ERROR: lessons train several models in
  one kernel, which makes it warn that ``tf.function`` was retraced, a cost
  notice with nothing for a student to act on.

Import ``cifar_tutorial`` before ``keras`` or ``tensorflow`` for this to work.
"""

import os as _os
import sys as _sys

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _import_tensorflow_quietly() -> None:
    if "tensorflow" in _sys.modules or _os.environ["KERAS_BACKEND"] != "tensorflow":
        return
    _sys.stderr.flush()
    saved = _os.dup(2)
    devnull = _os.open(_os.devnull, _os.O_WRONLY)
    _os.dup2(devnull, 2)
    try:
        import tensorflow
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)
    tensorflow.get_logger().setLevel("ERROR")


_import_tensorflow_quietly()

from cifar_tutorial.config import SEED, Profile, get_profile  # noqa: E402
from cifar_tutorial.data import CLASS_NAMES, load_cifar10  # noqa: E402

__version__ = "0.1.0"
__all__ = ["CLASS_NAMES", "SEED", "Profile", "get_profile", "load_cifar10", "__version__"]
