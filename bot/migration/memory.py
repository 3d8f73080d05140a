"""Grid memory requests (``-mem 2g``, ``h_vmem=2G``) as Kubernetes quantities."""

from __future__ import annotations

import re

DEFAULT_MIB = 512
MAX_PER_JOB_MIB = 4096

_GRID = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)[iI]?[bB]?\s*$")
_FACTORS = {"": 1 / (1024 * 1024), "k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0 * 1024}


def grid_mib(value: str) -> int | None:
    """MiB for an SGE memory value (``1g``, ``500M``, ``524288k``, bytes); ``None`` if unreadable.

    SGE units are binary (k = 1024 bytes), like Kubernetes' Ki/Mi/Gi.
    """
    match = _GRID.match(value)
    if not match:
        return None
    mib = float(match.group(1)) * _FACTORS[match.group(2).lower()]
    return max(1, round(mib))


def quantity(mib: int) -> str:
    """``1024`` -> ``1Gi``, ``1536`` -> ``1536Mi``."""
    if mib % 1024 == 0:
        return f"{mib // 1024}Gi"
    return f"{mib}Mi"


def api_mib(value: str) -> int | None:
    """MiB for a Kubernetes quantity as the jobs API returns it (``0.5Gi``, ``512Mi``, ``2G``)."""
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|k|M|G|T)?\s*$", value)
    if not match:
        return None
    number = float(match.group(1))
    unit = match.group(2) or ""
    factors = {
        "": 1 / (1024 * 1024),
        "Ki": 1 / 1024,
        "Mi": 1.0,
        "Gi": 1024.0,
        "Ti": 1024.0**2,
        "k": 1000 / 1024**2,
        "M": 1000**2 / 1024**2,
        "G": 1000**3 / 1024**2,
        "T": 1000**4 / 1024**2,
    }
    return max(1, round(number * factors[unit]))
