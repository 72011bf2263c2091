"""What this machine has: CPU model and feature flags, core count, GPUs.

The one probe of the machine, used by the precision choice
(:mod:`cifar_tutorial.mixed_precision`), the ``doctor`` and the benchmarks.
Everything but :func:`gpus` (and :func:`summary`, which calls it) is pure
standard library; :func:`gpus` imports TensorFlow when called.
"""

from __future__ import annotations

import dataclasses
import os
import platform
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo_field(field: str, cpuinfo: str | os.PathLike = CPUINFO) -> str | None:
    """The value of the first ``field : value`` line of ``cpuinfo`` (Linux), or
    ``None`` where the file cannot be read (macOS, Windows) or has no such line."""
    try:
        for line in Path(cpuinfo).read_text().splitlines():
            if line.split(":", 1)[0].strip() == field:
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_flags(cpuinfo: str | os.PathLike = CPUINFO) -> frozenset[str]:
    """The CPU feature flags listed in ``cpuinfo`` (Linux, e.g. ``"avx512_bf16"``);
    empty where it cannot be read, which the precision choice treats as "no bfloat16"."""
    return frozenset((_cpuinfo_field("flags", cpuinfo) or "").split())


def cpu_model(cpuinfo: str | os.PathLike = CPUINFO) -> str:
    """The CPU's model name from ``cpuinfo`` (Linux), else what :mod:`platform` reports."""
    return _cpuinfo_field("model name", cpuinfo) or platform.processor() or platform.machine() or "unknown CPU"


@dataclasses.dataclass(frozen=True)
class GPU:
    """One GPU TensorFlow sees.

    Attributes:
        name: TensorFlow's device name, e.g. ``"/physical_device:GPU:0"``.
        compute_capability: ``(major, minor)`` for NVIDIA GPUs, ``None`` where unknown.
    """

    name: str
    compute_capability: tuple[int, int] | None


def gpus() -> list[GPU]:
    """The GPUs TensorFlow sees (imports TensorFlow); empty on a CPU-only machine."""
    import tensorflow as tf

    found = []
    for device in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(device).get("compute_capability")
        found.append(GPU(device.name, tuple(capability) if capability else None))
    return found


def summary() -> str:
    """One line: CPU model, core count, GPUs, Python, TensorFlow and Keras versions
    (imports TensorFlow). Benchmarks and the README's timing tables print it."""
    import keras
    import tensorflow as tf

    count = len(gpus())
    return (f"{cpu_model()}, {os.cpu_count()} cores, {'%d GPU(s)' % count if count else 'no GPU'}; Python "
            f"{platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}")
