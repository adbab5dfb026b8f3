"""Does this CPU have every instruction set the installed llama.cpp was compiled for?

pip builds llama-cpp-python from source, and by default with `-march=native`: a wheel built
(and cached, or copied into an image) on a Xeon with AVX-512 dies with SIGILL on a CPU
without it. council's own install builds with `GGML_NATIVE=OFF` (AVX2/FMA/F16C, every
x86-64 CPU of the last decade), but a user may bring any build. llama.cpp reports what it
was compiled with (`llama_print_system_info`: `AVX512 = 1 | ...`, from compile-time
macros); comparing that with `/proc/cpuinfo` turns a crash into a sentence saying how to
rebuild.
"""

from __future__ import annotations

import re
from pathlib import Path

# llama.cpp's feature names -> the Linux /proc/cpuinfo flag that provides each
LLAMA_TO_CPUINFO: dict[str, str] = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "AVX_VNNI": "avx_vnni",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}

REBUILD_HINT = (
    'rebuild it for any x86-64 CPU: CMAKE_ARGS="-DGGML_NATIVE=OFF" pip install '
    "--force-reinstall --no-cache-dir --no-binary llama-cpp-python llama-cpp-python"
)


def compiled_features(system_info: str) -> set[str]:
    """`"CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 |"` -> {"SSE3", "AVX"}."""
    return {name for name, on in re.findall(r"([A-Z0-9_]+) = (\d)", system_info) if on == "1"}


def cpu_flags(cpuinfo: str | None = None) -> set[str] | None:
    """The first processor's flags, or None where /proc/cpuinfo does not say (not Linux)."""
    if cpuinfo is None:
        path = Path("/proc/cpuinfo")
        if not path.is_file():
            return None
        cpuinfo = path.read_text(errors="replace")
    match = re.search(r"^flags\s*:(.*)$", cpuinfo, re.MULTILINE)
    return set(match.group(1).split()) if match else None


def missing_features(system_info: str, flags: set[str] | None) -> list[str]:
    """llama.cpp features this CPU lacks; empty when all are there or the CPU cannot say."""
    if flags is None:
        return []
    return sorted(
        name
        for name in compiled_features(system_info)
        if name in LLAMA_TO_CPUINFO and LLAMA_TO_CPUINFO[name] not in flags
    )
