"""A llama.cpp build is checked against the CPU before it loads, so a wheel built for a
bigger CPU says how to rebuild instead of dying with SIGILL."""

from __future__ import annotations

from council.models.cpu_features import compiled_features, cpu_flags, missing_features

AVX512_BUILD = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
    "AVX512 = 1 | AVX512_VNNI = 1 | AMX_INT8 = 1 | LLAMAFILE = 1 | OPENMP = 1 | REPACK = 1 |"
)
PORTABLE_BUILD = "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 |"
AVX2_CPU = "processor\t: 0\nflags\t\t: fpu sse2 pni ssse3 fma avx avx2 f16c bmi2\n"


def test_compiled_features_reads_only_the_enabled_ones() -> None:
    assert compiled_features("AVX = 1 | AVX2 = 0 | OPENMP = 1") == {"AVX", "OPENMP"}


def test_an_avx512_build_on_an_avx2_cpu_names_what_is_missing() -> None:
    flags = cpu_flags(AVX2_CPU)
    assert missing_features(AVX512_BUILD, flags) == ["AMX_INT8", "AVX512", "AVX512_VNNI"]


def test_a_portable_build_runs_on_an_avx2_cpu() -> None:
    assert missing_features(PORTABLE_BUILD, cpu_flags(AVX2_CPU)) == []


def test_a_cpu_that_cannot_say_is_not_refused() -> None:
    assert cpu_flags("no flags line here") is None
    assert missing_features(AVX512_BUILD, None) == []
