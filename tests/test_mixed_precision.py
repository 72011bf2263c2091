"""Precision chosen per machine: the decision on simulated machines, the
environment variable, and what ``set_precision`` puts in force."""

from __future__ import annotations

import keras
import pytest

from cifar_tutorial import machine, mixed_precision
from cifar_tutorial.mixed_precision import choose_policy

SAPPHIRE_RAPIDS = {"avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "amx_int8"}
ZEN4 = {"avx512f", "avx512_bf16", "avx512_vnni"}
SKYLAKE = {"avx2", "avx512f", "avx512bw", "fma"}
APPLE_OR_WINDOWS = set()  # no /proc/cpuinfo: no flags known


@pytest.mark.parametrize("flags, policy", [
    (SAPPHIRE_RAPIDS, "mixed_bfloat16"),
    (ZEN4, "mixed_bfloat16"),
    ({"amx_bf16"}, "mixed_bfloat16"),
    (SKYLAKE, "float32"),
    (APPLE_OR_WINDOWS, "float32"),
])
def test_auto_uses_bfloat16_only_where_the_cpu_has_it(flags, policy):
    assert choose_policy("auto", flags).policy == policy


def test_auto_on_a_gpu_follows_keras_advice():
    assert choose_policy("auto", SKYLAKE, gpu_compute_capability=(8, 6)).policy == "mixed_float16"
    assert choose_policy("auto", SAPPHIRE_RAPIDS, gpu_compute_capability=(6, 1)).policy == "float32"


def test_forced_settings_win_over_the_hardware():
    assert str(choose_policy("float32", SAPPHIRE_RAPIDS)) == "float32 (forced)"
    assert str(choose_policy("BFloat16", SKYLAKE)) == "mixed_bfloat16 (forced)"
    assert str(choose_policy("auto", ZEN4)) == "mixed_bfloat16 (auto: CPU has AVX512-BF16)"


def test_unknown_setting_names_the_variable():
    with pytest.raises(ValueError, match="Unknown precision 'half'.*CIFAR_TUTORIAL_PRECISION.*auto, float32, bfloat16"):
        choose_policy("half")


def test_cpu_flags_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: fpu avx512f avx512_bf16\n\n"
                       "processor\t: 1\nflags\t\t: fpu avx512f avx512_bf16\n")
    assert machine.cpu_flags(cpuinfo) == {"fpu", "avx512f", "avx512_bf16"}
    assert machine.cpu_flags(tmp_path / "missing") == frozenset()


def test_set_precision_reads_the_environment_and_sets_the_keras_policy(monkeypatch):
    try:
        monkeypatch.setenv(mixed_precision.PRECISION_ENV, "bfloat16")
        assert mixed_precision.set_precision().policy == "mixed_bfloat16"
        assert keras.config.dtype_policy().name == "mixed_bfloat16"
        monkeypatch.setenv(mixed_precision.PRECISION_ENV, "float32")
        assert mixed_precision.set_precision().policy == "float32"
        assert keras.config.dtype_policy().name == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")
