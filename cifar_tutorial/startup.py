"""A quiet TensorFlow start-up for the lessons: :func:`quiet_startup`.

Each lesson calls ``cifar_tutorial.quiet_startup()`` in its setup cell, before
``import keras``, so that its stored outputs hold no framework noise. Nothing
happens on ``import cifar_tutorial`` itself: the command line
(``python -m cifar_tutorial --help``, ``doctor``) starts without TensorFlow.

What the call does, once per process:

* sets ``TF_CPP_MIN_LOG_LEVEL=2`` and ``KERAS_BACKEND=tensorflow`` where they
  are unset (start-up configuration read by TensorFlow and Keras), which hides
  TensorFlow's C++ INFO and WARNING lines; ERROR lines still show;
* imports TensorFlow with the C-level stderr (file descriptor 2) sent to a
  temporary file, then writes back every line of it except the notices that
  ``import tensorflow`` prints before any log level applies
  (:data:`STARTUP_NOTICES`: absl's "All log messages before
  absl::InitializeLog() ..." line, "oneDNN custom operations are on ...", and
  the CPU-instruction notice), so a genuine error printed during the import
  still shows. Turning oneDNN off would hide one notice but made epochs 1.4 to
  2.0 times as long on a 2-core Intel Xeon (the ``onednn`` stage of
  ``benchmarks/cnn_benchmark.py`` as of commit cfda572, 2026-11-23);
* sets TensorFlow's Python logger to ERROR: lessons train several models in
  one kernel, which makes it warn that ``tf.function`` was retraced, a cost
  notice with nothing for a student to act on.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

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
            if not any(re.fullmatch(pattern, line.rstrip("\r\n")) for pattern in STARTUP_NOTICES)]
    return "".join(keep)


def quiet_startup() -> None:
    """Import TensorFlow without its start-up notices (see the module docstring).

    Call it before ``import keras`` (every lesson's setup cell does). Calling it
    again, or after TensorFlow is already imported, only sets the logger level.
    Python exceptions from the import are raised as usual.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if os.environ["KERAS_BACKEND"] != "tensorflow":
        return
    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            finally:
                os.dup2(saved, 2)
                os.close(saved)
                captured.seek(0)
                rest = drop_startup_notices(captured.read().decode("utf-8", "replace"))
                if rest:
                    sys.stderr.write(rest)
                    sys.stderr.flush()
    import tensorflow

    tensorflow.get_logger().setLevel("ERROR")
