"""What a lesson shows about its own run: profile, data source, headline result, tables.

:func:`record_result` displays a number for the student and also stores it in
the notebook under the MIME type :data:`RESULT_MIME`, where the runner
(``python -m cifar_tutorial run``) reads it back for its summary table.
"""

from __future__ import annotations

import os
import platform

RESULT_MIME = "application/vnd.cifar-tutorial.result+json"


def describe_run(profile, info=None, precision=None, *, details: bool = False) -> str:
    """What this run is: the profile, the data and the precision (lesson 00's setup explains them).

    Args:
        profile: a :class:`cifar_tutorial.config.Profile`.
        info: the :class:`cifar_tutorial.datasets.DatasetInfo` from ``load_cifar10``,
            or ``None`` for lessons that use no CIFAR-10 data.
        precision: the :class:`cifar_tutorial.mixed_precision.Precision` from
            ``set_precision``, or ``None`` to name Keras' global dtype policy alone.
        details: ``False`` (the lessons): one line, e.g. ``Run: profile 'class' · cifar-10-sample-python.tar.gz,
            CIFAR-10 sample slice ... · float32``. ``True``: one line each for the profile's settings,
            the data source (and how it was found), the precision with the reason it was chosen, and the
            Keras, backend and Python versions with the CPU count.

    Returns:
        Text without machine paths, e.g. for ``print``.
    """
    import keras

    policy = precision.policy if precision is not None else keras.config.dtype_policy().name
    if not details:
        data = "" if info is None else f" · {info.source.path.name}, {info.source.contents}"
        return f"Run: profile {profile.name!r}{data} · {policy}"
    lines = [f"Profile:   {profile}"]
    if info is not None:
        lines.append(f"Data:      {info.source.description}")
    lines.append(f"Precision: {precision if precision is not None else policy}")
    lines.append(f"Versions:  keras {keras.__version__} ({keras.backend.backend()} backend), "
                 f"Python {platform.python_version()}, {os.cpu_count()} CPU cores")
    return "\n".join(lines)


def record_result(name: str, value: float, fmt: str = ".4f") -> None:
    """Display ``name = value`` and store it for the runner's summary table.

    Args:
        name: what the number is, e.g. ``"test_accuracy"``.
        value: the number (accuracies as fractions 0..1).
        fmt: the format spec used for the displayed text.
    """
    from IPython.display import display

    display({"text/plain": f"{name} = {value:{fmt}}", RESULT_MIME: {"name": name, "value": float(value)}}, raw=True)


def format_table(header, rows) -> str:
    """Plain-text table with left-aligned columns.

    Args:
        header: column names.
        rows: sequences of cells (any type; shown with ``str``), one per row.
    """
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
