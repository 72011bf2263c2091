"""Numeric precision of training (Keras dtype policy), chosen per machine; every lesson sets it in its setup cell.

Keras can compute a model's layers in bfloat16 while keeping its weights in
float32 (the ``"mixed_bfloat16"`` dtype policy, Micikevicius et al., 2018,
"Mixed Precision Training"; Keras' mixed-precision guide). On a CPU that has
bfloat16 instructions in hardware this roughly halves training time at equal
accuracy: on a 2-core Intel Xeon with AMX-BF16, lesson 07's recipe trained in
137 s instead of 272 s (71.0% vs 70.0% test accuracy; the issue "Train 2-4x
faster on a CPU"). On a CPU without them bfloat16 is emulated and much
slower, so there the course stays in float32.

:func:`choose_policy` is the pure decision; :func:`set_precision` applies it
with ``keras.mixed_precision.set_global_policy``. The environment variable
``CIFAR_TUTORIAL_PRECISION`` forces a choice: ``auto`` (the default),
``float32`` or ``bfloat16``.

Models that end in a softmax should compute it in float32
(``layers.Activation("softmax", dtype="float32")``), so that probabilities and
the loss keep full precision whatever the policy.
"""

from __future__ import annotations

import dataclasses
import os

from cifar_tutorial import machine

PRECISION_ENV = "CIFAR_TUTORIAL_PRECISION"
SETTINGS = ("auto", "float32", "bfloat16")
# /proc/cpuinfo flags of bfloat16 arithmetic in hardware: Intel AMX (Sapphire
# Rapids and later) and AVX512-BF16 (Intel Cooper Lake and later, AMD Zen 4 and later).
BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")


@dataclasses.dataclass(frozen=True)
class Precision:
    """The precision in force.

    Attributes:
        policy: the Keras dtype policy name: ``"float32"``, ``"mixed_bfloat16"``
            or ``"mixed_float16"``.
        reason: why it was chosen, in a few words, for the notebooks' setup output.
    """

    policy: str
    reason: str

    def __str__(self) -> str:
        return f"{self.policy} ({self.reason})"


def choose_policy(setting: str = "auto", flags: frozenset[str] | set[str] = frozenset(),
                  gpu_compute_capability: tuple[int, int] | None = None) -> Precision:
    """Decide the dtype policy (pure function, no side effects).

    Args:
        setting: ``"auto"``, ``"float32"`` or ``"bfloat16"`` (case-insensitive).
        flags: the CPU's feature flags (:func:`cifar_tutorial.machine.cpu_flags`).
        gpu_compute_capability: ``(major, minor)`` of the first NVIDIA GPU, or
            ``None`` without one.

    Returns:
        A :class:`Precision`. ``auto`` picks, in order: on a GPU of compute
        capability 7.0 or more, ``mixed_float16`` (what Keras' mixed-precision
        guide recommends on GPUs; older GPUs gain nothing and stay in
        float32); on a CPU with one of :data:`BF16_CPU_FLAGS`,
        ``mixed_bfloat16``; else ``float32``. ``bfloat16`` forces
        ``mixed_bfloat16`` even where it is slow.

    Raises:
        ValueError: for any other setting, naming the environment variable.
    """
    setting = (setting or "auto").strip().lower()
    if setting not in SETTINGS:
        raise ValueError(f"Unknown precision {setting!r} (from the argument or {PRECISION_ENV}); "
                         f"choose one of {', '.join(SETTINGS)}.")
    if setting == "float32":
        return Precision("float32", "forced")
    if setting == "bfloat16":
        return Precision("mixed_bfloat16", "forced")
    if gpu_compute_capability is not None:
        if tuple(gpu_compute_capability) >= (7, 0):
            return Precision("mixed_float16", "auto: GPU with float16 tensor cores")
        return Precision("float32", "auto: GPU without float16 tensor cores")
    found = [flag for flag in BF16_CPU_FLAGS if flag in flags]
    if found:
        return Precision("mixed_bfloat16", f"auto: CPU has {', '.join(f.upper().replace('_', '-') for f in found)}")
    return Precision("float32", "auto: CPU without bfloat16 instructions")


def precision_for_this_machine(setting: str | None = None) -> Precision:
    """What :func:`set_precision` would choose here, without setting anything.

    Args:
        setting: ``"auto"``, ``"float32"`` or ``"bfloat16"``; ``None`` reads
            ``CIFAR_TUTORIAL_PRECISION`` and falls back to ``"auto"``.

    Raises:
        ValueError: an unknown setting.
    """
    if setting is None:
        setting = os.environ.get(PRECISION_ENV, "").strip() or "auto"
    found = machine.gpus()
    capability = (found[0].compute_capability or (0, 0)) if found else None
    return choose_policy(setting, machine.cpu_flags(), capability)


def set_precision(setting: str | None = None) -> Precision:
    """Choose the precision for this machine and make it Keras' global dtype policy.

    Call it once in a lesson's setup cell, before building models; models
    built afterwards compute in the chosen precision.

    Args:
        setting: ``"auto"``, ``"float32"`` or ``"bfloat16"``; ``None`` reads
            ``CIFAR_TUTORIAL_PRECISION`` and falls back to ``"auto"``.

    Returns:
        The :class:`Precision` now in force.

    Raises:
        ValueError: an unknown setting.
    """
    import keras

    chosen = precision_for_this_machine(setting)
    keras.mixed_precision.set_global_policy(chosen.policy)
    return chosen
