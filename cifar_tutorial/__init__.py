"""Shared helpers for the cifar-tutorial notebooks: data, models, plots, metrics.

Importing the package first keeps TensorFlow's start-up notices out of the
lessons' outputs, and nothing else:

* ``TF_CPP_MIN_LOG_LEVEL=2`` (set only where unset, as start-up
  configuration) hides TensorFlow's C++ INFO and WARNING lines; ERROR lines
  still show.
* Two notices are printed by ``import tensorflow`` before that setting is
  read, so no log level hides them: "oneDNN custom operations are on ..." and
  the CPU-instruction notice, each after absl's "All log messages before
  absl::InitializeLog() ..." line. Turning oneDNN off would hide the first but
  made epochs 1.4 (TensorFlow tutorial CNN: 1.70 vs 1.21 s) to 2.0 (lesson 04's
  earlier final model: 20.0 vs 10.2 s) times as long on a 2-core Intel Xeon
  (the ``onednn`` stage of ``benchmarks/cnn_benchmark.py`` as of commit cfda572,
  2026-11-23). So TensorFlow is imported once
  here with the C-level stderr (file descriptor 2) sent to a temporary file;
  afterwards every line of it except those notices (:data:`STARTUP_NOTICES`)
  is written back to stderr, so a genuine error printed during the import
  still shows (``tests/test_package.py`` checks this). Python exceptions from
  the import are raised as usual.
* TensorFlow's Python logger is set to ERROR: lessons train several models in
  one kernel, which makes it warn that ``tf.function`` was retraced, a cost
  notice with nothing for a student to act on.

Import ``cifar_tutorial`` before ``keras`` or ``tensorflow`` for this to work.
"""

import os as _os
import re as _re
import sys as _sys
import tempfile as _tempfile

_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# The lines `import tensorflow` prints on stderr before its log level applies.
STARTUP_NOTICES = (
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN custom operations are on\..*",
    r"I\d{4} [\d:. ]+\d+ cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized to use available CPU.*",
    r"To enable the following instructions: .* in other operations, rebuild TensorFlow with the appropriate compiler flags\.",
)


def drop_startup_notices(text: str) -> str:
    """``text`` without the lines that match :data:`STARTUP_NOTICES` (every other line kept, in order)."""
    keep = [line for line in text.splitlines(keepends=True)
            if not any(_re.fullmatch(pattern, line.rstrip("\r\n")) for pattern in STARTUP_NOTICES)]
    return "".join(keep)


def _import_tensorflow_quietly() -> None:
    if "tensorflow" in _sys.modules or _os.environ["KERAS_BACKEND"] != "tensorflow":
        return
    _sys.stderr.flush()
    saved = _os.dup(2)
    with _tempfile.TemporaryFile() as captured:
        _os.dup2(captured.fileno(), 2)
        try:
            import tensorflow
        finally:
            _os.dup2(saved, 2)
            _os.close(saved)
            captured.seek(0)
            rest = drop_startup_notices(captured.read().decode("utf-8", "replace"))
            if rest:
                _sys.stderr.write(rest)
                _sys.stderr.flush()
    tensorflow.get_logger().setLevel("ERROR")


_import_tensorflow_quietly()

from cifar_tutorial.config import SEED, Profile, __version__, get_profile  # noqa: E402
from cifar_tutorial.data import CLASS_NAMES, load_cifar10  # noqa: E402

__all__ = ["CLASS_NAMES", "SEED", "Profile", "get_profile", "load_cifar10", "__version__"]
